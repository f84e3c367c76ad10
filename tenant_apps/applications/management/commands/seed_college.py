"""Fill a college with realistic placement data, fast (bulk inserts), for benchmarks and demos.

    manage.py seed_college --schema demo --students 10000 --companies 200 --drives 1000 \\
        --applications 50000 [--assessments 20] [--audit-entries 100000] [--password PASSWORD]

Applications past the shortlist get a first-round interview (one slot each), those that reached
an offer get their offer. Idempotent-ish: seeded rows are recognisable (roll numbers `SEED…`,
companies `Seed Co …`, drives `Seed drive …`), and a second run only adds what is missing up to
the counts asked for. With `--assessments`, question banks (`Seed bank …`) and published
assessments (`Seed assessment …`, half for every student, half for a drive's first round) with
submitted attempts and their answers; with `--audit-entries`, that many entries of the audit log
(a season's changes to students, drives and applications; the bulk inserts themselves skip the
audit log on purpose). With `--password`, it also
prepares sign-in accounts for the benchmark: a coordinator, a recruiter of the first seeded
company and the first seeded student, all with that password.
"""

import random
from datetime import timedelta
from decimal import Decimal
from itertools import count

from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from tenant_apps.announcements.models import Announcement, AnnouncementRecipient
from tenant_apps.applications.models import (
    STAGES,
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
)
from tenant_apps.assessments.models import (
    Answer,
    Assessment,
    AssessmentQuestion,
    AssessmentStatus,
    Attempt,
    AttemptStatus,
    Choice,
    Question,
    QuestionBank,
    QuestionKind,
    SubmittedBy,
)
from tenant_apps.companies.models import Company, Recruiter
from tenant_apps.drives.models import Drive, DriveRound, DriveSkill, DriveStatus, RoundKind
from tenant_apps.interviews.models import (
    Interview,
    InterviewSlot,
    InterviewStatus,
    RoundScheduling,
    SlotPanelist,
)
from tenant_apps.students.models import PlacementStatus, Skill, Student, StudentSkill
from tenants.models import College

SKILLS = [
    "Python", "Java", "C++", "Go", "JavaScript", "TypeScript", "SQL", "PostgreSQL", "Django",
    "React", "Machine Learning", "Data Analysis", "Statistics", "Linux", "Docker", "Kubernetes",
    "AWS", "Networking", "Embedded C", "VLSI", "AutoCAD", "MATLAB", "Thermodynamics",
    "Structural Analysis", "Communication", "Leadership", "Excel", "Power BI", "Rust", "Spark",
]  # fmt: skip
DEPARTMENTS = ["CSE", "ECE", "EEE", "MECH", "CIVIL", "CHEM", "IT", "BIOTECH"]
YEARS = [2025, 2026, 2027, 2028]
FIRST = ["Aarav", "Diya", "Ishaan", "Kavya", "Rohan", "Ananya", "Vihaan", "Meera", "Arjun", "Sara"]
LAST = ["Sharma", "Iyer", "Rao", "Das", "Khan", "Patel", "Nair", "Gupta", "Reddy", "Singh"]
INDUSTRIES = ["Software", "Finance", "Consulting", "Manufacturing", "Semiconductors", "Energy"]
STUDENT_EMAIL = "seed.student.{:05d}@seed.example.edu"
COORDINATOR_EMAIL = "seed.coordinator@seed.example.edu"
RECRUITER_EMAIL = "seed.recruiter@seed.example.edu"
# How far seeded applications got: most stay early, a few reach an offer.
STATUS_WEIGHTS = {
    ApplicationStatus.APPLIED: 40, ApplicationStatus.SHORTLISTED: 20,
    ApplicationStatus.IN_PROCESS: 10, ApplicationStatus.OFFERED: 3,
    ApplicationStatus.ACCEPTED: 2, ApplicationStatus.DECLINED: 1,
    ApplicationStatus.REJECTED: 20, ApplicationStatus.WITHDRAWN: 4,
}  # fmt: skip
S = ApplicationStatus
# The stages on the way to each status.
PATHS = {
    S.SHORTLISTED: [S.SHORTLISTED],
    S.IN_PROCESS: [S.SHORTLISTED, S.IN_PROCESS],
    S.OFFERED: [S.SHORTLISTED, S.IN_PROCESS, S.OFFERED],
    S.ACCEPTED: [S.SHORTLISTED, S.IN_PROCESS, S.OFFERED, S.ACCEPTED],
    S.DECLINED: [S.SHORTLISTED, S.IN_PROCESS, S.OFFERED, S.DECLINED],
    S.REJECTED: [S.REJECTED],
    S.WITHDRAWN: [S.WITHDRAWN],
}
BATCH = 5000
COUNTS = ("students", "companies", "drives", "applications")
SEEDED_MODELS = (
    User, Skill, Student, StudentSkill, Company, Drive, DriveSkill, DriveRound, Application,
    Interview, Offer, QuestionBank, Question, Choice, Assessment, AssessmentQuestion, Attempt,
    Answer, LogEntry,
)  # fmt: skip
BANKS = 5
QUESTIONS_PER_BANK = 40
QUESTIONS_PER_ASSESSMENT = 20
ATTEMPTS_PER_ASSESSMENT = 400  # submitted attempts of each assessment (at most)


class Command(BaseCommand):
    help = "Bulk-create students, companies, drives and applications in a college (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The college's schema or subdomain")
        parser.add_argument("--students", type=int, default=1000)
        parser.add_argument("--companies", type=int, default=50)
        parser.add_argument("--drives", type=int, default=100)
        parser.add_argument("--applications", type=int, default=5000)
        parser.add_argument("--assessments", type=int, default=0)
        parser.add_argument("--audit-entries", type=int, default=0)
        parser.add_argument("--password", help="Sign-in password of the benchmark accounts")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed")

    def handle(
        self,
        *args,
        schema: str,
        password: str | None,
        seed: int,
        assessments: int,
        audit_entries: int,
        **options,
    ):
        college = College.objects.filter(Q(schema_name=schema) | Q(subdomain=schema)).first()
        if college is None or college.is_public:
            raise CommandError(f"No college with the schema or subdomain {schema!r}.")
        with tenant_context(college), transaction.atomic():
            students, companies, drives, created = self.seed(
                seed=seed, **{key: options[key] for key in COUNTS}
            )
            attempts = self.seed_assessments(assessments, students, drives)
            entries = self.seed_audit_log(audit_entries, students, drives)
            if password:
                self.seed_accounts(password, companies[0], students[0])
        if not connection.in_atomic_block:  # (VACUUM cannot run in a transaction: tests)
            self.vacuum(college)
        self.stdout.write(
            f"{college.schema_name}: {len(students)} students, {len(companies)} companies, "
            f"{len(drives)} drives, {created} applications added."
            + (f" {attempts} attempts added." if assessments else "")
            + (f" {entries} audit entries added." if audit_entries else "")
        )
        if password:
            self.stdout.write(
                f"Sign in as {COORDINATOR_EMAIL}, {RECRUITER_EMAIL} or {STUDENT_EMAIL.format(1)}"
            )

    def seed(
        self, *, seed: int, students: int, companies: int, drives: int, applications: int
    ) -> tuple[list[Student], list[Company], list[Drive], int]:
        """Every seeded row of the current college (up to the counts): the students, companies
        and drives, and how many applications this call added."""
        self.random = random.Random(seed)
        self.now = timezone.now()
        skills = self.seed_skills()
        seeded_companies = self.seed_companies(companies)
        seeded_students = self.seed_students(students, skills)
        seeded_drives = self.seed_drives(drives, seeded_companies, skills)
        created = self.seed_applications(applications, seeded_students, seeded_drives)
        self.seed_interviews_and_offers(seeded_students)
        self.seed_slots_and_announcements(seeded_students)
        return seeded_students, seeded_companies, seeded_drives, created

    def vacuum(self, college: College) -> None:
        """Fresh planner statistics and visibility maps (index-only counts) after bulk inserts."""
        with tenant_context(college), connection.cursor() as cursor:
            for model in SEEDED_MODELS:
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')

    # --- Names: how seeded rows are recognised by a second run (seed_demo names them for people)

    def company_names(self, count: int) -> list[str]:
        return [f"Seed Co {i:04d}" for i in range(1, count + 1)]

    def drive_titles(self, count: int) -> list[str]:
        return [f"Seed drive {i:05d}" for i in range(1, count + 1)]

    drive_description = "Seeded drive for benchmarks."

    # --- Rows ----------------------------------------------------------------------------------

    def seed_skills(self) -> list[Skill]:
        existing = {skill.name: skill for skill in Skill.objects.filter(name__in=SKILLS)}
        Skill.objects.bulk_create(Skill(name=name) for name in SKILLS if name not in existing)
        return list(Skill.objects.filter(name__in=SKILLS))

    def seed_companies(self, count: int) -> list[Company]:
        names = self.company_names(count)
        existing = set(Company.objects.filter(name__in=names).values_list("name", flat=True))
        Company.objects.bulk_create(
            Company(
                name=name, industry=self.random.choice(INDUSTRIES), website="https://example.com"
            )
            for name in names
            if name not in existing
        )
        by_name = {company.name: company for company in Company.objects.filter(name__in=names)}
        return [by_name[name] for name in names]

    def seed_students(self, count: int, skills: list[Skill]) -> list[Student]:
        emails = [STUDENT_EMAIL.format(i) for i in range(1, count + 1)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        unusable = make_password(None)
        new_users = User.objects.bulk_create(
            (
                User(
                    email=email,
                    password=unusable,
                    role=Role.STUDENT,
                    first_name=self.random.choice(FIRST),
                    last_name=self.random.choice(LAST),
                )
                for email in emails
                if email not in existing
            ),
            batch_size=BATCH,
        )
        new_students = Student.objects.bulk_create(
            (
                Student(
                    user=user,
                    roll_number=f"SEED{user.email[13:18]}",
                    department=self.random.choice(DEPARTMENTS),
                    graduation_year=self.random.choice(YEARS),
                    cgpa=Decimal(self.random.randint(500, 1000)) / 100,
                    backlogs=self.random.choices([0, 1, 2, 3, 5], [70, 12, 8, 6, 4])[0],
                    phone=f"+91 9{self.random.randint(100000000, 999999999)}",
                    is_verified=self.random.random() < 0.9,
                    verified_at=self.now,
                )
                for user in new_users
            ),
            batch_size=BATCH,
        )
        StudentSkill.objects.bulk_create(
            (
                StudentSkill(student=student, skill=skill, rating=self.random.randint(1, 10))
                for student in new_students
                for skill in self.random.sample(skills, self.random.randint(2, 5))
            ),
            batch_size=BATCH,
        )
        return list(Student.objects.filter(user__email__in=emails).order_by("roll_number"))

    def seed_drives(self, count: int, companies: list[Company], skills: list[Skill]) -> list[Drive]:
        titles = self.drive_titles(count)
        existing = set(Drive.objects.filter(title__in=titles).values_list("title", flat=True))
        statuses = self.random.choices(
            [DriveStatus.OPEN, DriveStatus.CLOSED, DriveStatus.COMPLETED, DriveStatus.DRAFT],
            [60, 20, 10, 10],
            k=count,
        )
        new_drives = Drive.objects.bulk_create(
            (
                self._drive(title, companies[i % len(companies)], statuses[i])
                for i, title in enumerate(titles)
                if title not in existing
            ),
            batch_size=BATCH,
        )
        kinds = [RoundKind.APTITUDE, RoundKind.GROUP_DISCUSSION, RoundKind.TECHNICAL, RoundKind.HR]
        DriveRound.objects.bulk_create(
            (
                DriveRound(drive=drive, sequence=sequence, kind=kind)
                for drive in new_drives
                for sequence, kind in enumerate(
                    [
                        k
                        for k in kinds
                        if k != RoundKind.GROUP_DISCUSSION or self.random.random() < 0.3
                    ],
                    start=1,
                )
            ),
            batch_size=BATCH,
        )
        DriveSkill.objects.bulk_create(
            (
                DriveSkill(drive=drive, skill=skill, weight=self.random.randint(1, 10))
                for drive in new_drives
                for skill in self.random.sample(skills, self.random.randint(2, 4))
            ),
            batch_size=BATCH,
        )
        by_title = {drive.title: drive for drive in Drive.objects.filter(title__in=titles)}
        return [by_title[title] for title in titles]

    def _drive(self, title: str, company: Company, status: str) -> Drive:
        rnd = self.random
        future = status in (DriveStatus.OPEN, DriveStatus.DRAFT)
        days = rnd.randint(3, 60)
        return Drive(
            company=company,
            title=title,
            description=self.drive_description,
            job_type=rnd.choices(["full_time", "internship"], [80, 20])[0],
            ctc=Decimal(rnd.randrange(300_000, 4_000_000, 50_000)),
            location=rnd.choice(["Bengaluru", "Pune", "Hyderabad", "Chennai", "Remote"]),
            min_cgpa=Decimal(rnd.choice(["0", "6", "6.5", "7", "7.5", "8"])),
            max_backlogs=rnd.choice([None, None, 0, 1, 2]),
            departments=sorted(rnd.sample(DEPARTMENTS, rnd.randint(2, 5)))
            if rnd.random() < 0.7
            else [],
            graduation_years=sorted(rnd.sample(YEARS, rnd.randint(1, 2)))
            if rnd.random() < 0.6
            else [],
            apply_by=self.now + timedelta(days=days if future else -days),
            status=status,
        )

    def seed_applications(self, count: int, students: list[Student], drives: list[Drive]) -> int:
        drives = [drive for drive in drives if drive.status != DriveStatus.DRAFT]
        if not drives or not students:
            return 0
        taken = set(
            Application.all_objects.filter(student__in=students).values_list("student", "drive")
        )
        wanted = max(0, count - len(taken))
        wanted = min(wanted, len(students) * len(drives) - len(taken))
        statuses = list(STATUS_WEIGHTS)
        weights = list(STATUS_WEIGHTS.values())
        # one accepted offer a student at most (the tiers' rule, a constraint of the table)
        placed = set(
            Application.all_objects.filter(student__in=students, status=S.ACCEPTED).values_list(
                "student", flat=True
            )
        )
        rows = []
        while len(rows) < wanted:
            student = self.random.choice(students)
            drive = self.random.choice(drives)
            if (student.pk, drive.pk) in taken:
                continue
            taken.add((student.pk, drive.pk))
            status = self.random.choices(statuses, weights)[0]
            if status == S.ACCEPTED and student.pk in placed:
                status = S.DECLINED
            elif status == S.ACCEPTED:
                placed.add(student.pk)
            rows.append(self._application(student, drive, status))
        first_new = (Application.all_objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        Application.objects.bulk_create(rows, batch_size=BATCH)
        # `created_at` (when the student applied) is set on insert: move it before the stages
        Application.objects.filter(pk__gte=first_new).update(
            created_at=Coalesce(*(f"{stage}_at" for stage in STAGES), Value(self.now))
            - timedelta(days=1)
        )
        return len(rows)

    def _application(self, student: Student, drive: Drive, status: str) -> Application:
        applied_at = self.now - timedelta(days=self.random.randint(5, 90))
        application = Application(
            student=student, drive=drive, status=status, status_changed_at=applied_at
        )
        for day, stage in enumerate(PATHS.get(status, []), start=1):  # one day apart
            setattr(application, f"{stage}_at", applied_at + timedelta(days=day))
            application.status_changed_at = applied_at + timedelta(days=day)
        return application

    def seed_interviews_and_offers(self, students: list[Student]) -> None:
        """A first-round interview for every seeded application past the shortlist, and an offer
        for every one that reached it; each interview in a slot of its own: those to come (the
        shortlisted) from tomorrow on, the cleared ones before today."""
        applications = Application.objects.filter(student__in=students)
        first_rounds = dict(DriveRound.objects.filter(sequence=1).values_list("drive_id", "pk"))
        interviewed = applications.exclude(status__in=[S.APPLIED, S.REJECTED, S.WITHDRAWN]).exclude(
            interviews__isnull=False
        )
        hour = self.now.replace(minute=0, second=0, microsecond=0)
        slots = {
            InterviewStatus.SCHEDULED: (
                hour + timedelta(days=1) + timedelta(hours=n) for n in count()
            ),
            InterviewStatus.CLEARED: (
                hour - timedelta(days=1) - timedelta(hours=n) for n in count()
            ),
        }
        rows = []
        for pk, student_id, drive_id, status in interviewed.values_list(
            "pk", "student_id", "drive_id", "status"
        ):
            if drive_id not in first_rounds:
                continue
            state = (
                InterviewStatus.SCHEDULED if status == S.SHORTLISTED else InterviewStatus.CLEARED
            )
            start = next(slots[state])
            rows.append(
                Interview(
                    application_id=pk,
                    student_id=student_id,
                    round_id=first_rounds[drive_id],
                    scheduled_at=start,
                    ends_at=start + timedelta(minutes=45),
                    duration_minutes=45,
                    venue="Placement cell, room 2",
                    status=state,
                )
            )
        Interview.objects.bulk_create(rows, batch_size=BATCH)
        offered = applications.filter(status__in=[S.OFFERED, S.ACCEPTED, S.DECLINED]).exclude(
            offers__isnull=False
        )
        offer_status = {
            S.OFFERED: OfferStatus.PENDING,
            S.ACCEPTED: OfferStatus.ACCEPTED,
            S.DECLINED: OfferStatus.DECLINED,
        }
        Offer.objects.bulk_create(
            (
                Offer(
                    application_id=pk,
                    ctc=ctc,
                    joining_date=(self.now + timedelta(days=120)).date(),
                    expires_at=self.now + timedelta(days=self.random.randint(2, 14)),
                    status=offer_status[status],
                )
                for pk, ctc, status in offered.values_list("pk", "drive__ctc", "status")
            ),
            batch_size=BATCH,
        )
        placed = Offer.objects.filter(status=OfferStatus.ACCEPTED).values("application__student")
        Student.objects.filter(pk__in=placed).update(placement_status=PlacementStatus.PLACED)

    def seed_slots_and_announcements(self, students: list[Student]) -> None:
        """A slot for each interview to come (its time and place, a panel of one recruiter of
        the drive's company where it has one), the interview booked into it, its round open
        to students' picking; and a notice to each department, a tenth of its students having
        read it."""

        upcoming = list(
            Interview.objects.filter(
                student__in=students, slot__isnull=True, status=InterviewStatus.SCHEDULED
            ).values_list("pk", "round_id", "scheduled_at", "round__drive__company_id")
        )
        recruiters = dict(Recruiter.objects.values_list("company_id", "user_id"))
        slots = InterviewSlot.objects.bulk_create(
            (
                InterviewSlot(
                    round_id=round_id, starts_at=start, duration_minutes=45,
                    ends_at=start + timedelta(minutes=45), venue="Placement cell, room 2",
                )
                for _, round_id, start, _ in upcoming
            ),
            batch_size=BATCH,
        )  # fmt: skip
        Interview.objects.bulk_update(
            [
                Interview(pk=pk, slot_id=slot.pk)
                for slot, (pk, *_) in zip(slots, upcoming, strict=True)
            ],
            ["slot"],
            batch_size=BATCH,
        )
        SlotPanelist.objects.bulk_create(
            (
                SlotPanelist(slot_id=slot.pk, user_id=recruiters[company])
                for slot, (*_, company) in zip(slots, upcoming, strict=True)
                if company in recruiters
            ),
            batch_size=BATCH,
        )
        RoundScheduling.objects.bulk_create(
            (RoundScheduling(round_id=r, students_pick=True) for r in {s.round_id for s in slots}),
            ignore_conflicts=True,
        )
        by_department: dict[str, list[int]] = {}
        for student in students:
            by_department.setdefault(student.department, []).append(student.pk)
        for department, ids in sorted(by_department.items()):
            title = f"{department}: pre-placement talks this week"
            if Announcement.objects.filter(title=title).exists():
                continue  # seeded before
            notice = Announcement.objects.create(
                title=title,
                body="Every talk is in the seminar hall at 4 pm.",
                audience="department",
                department=department,
                recipients_total=len(ids),
            )
            AnnouncementRecipient.objects.bulk_create(
                (
                    AnnouncementRecipient(
                        announcement=notice,
                        student_id=pk,
                        read_at=self.now if n % 10 == 0 else None,
                    )
                    for n, pk in enumerate(ids)
                ),
                batch_size=BATCH,
            )

    def seed_accounts(self, password: str, company: Company, student: Student) -> None:
        hashed = make_password(password)
        coordinator, _ = User.objects.update_or_create(
            email=COORDINATOR_EMAIL,
            defaults={"role": Role.COORDINATOR, "password": hashed, "first_name": "Seed"},
        )
        recruiter, _ = User.objects.update_or_create(
            email=RECRUITER_EMAIL,
            defaults={"role": Role.RECRUITER, "password": hashed, "first_name": "Seed"},
        )
        Recruiter.all_objects.update_or_create(
            user=recruiter, defaults={"company": company, "deleted_at": None}
        )
        User.objects.filter(pk=student.user_id).update(password=hashed)
        for user_id, email in (
            (coordinator.pk, COORDINATOR_EMAIL),
            (recruiter.pk, RECRUITER_EMAIL),
            (student.user_id, student.user.email),
        ):
            EmailAddress.objects.update_or_create(
                user_id=user_id, email=email, defaults={"verified": True, "primary": True}
            )

    # --- Assessments and the audit log (benchmarks of their pages) -----------------------------

    def seed_assessments(self, count: int, students: list[Student], drives: list[Drive]) -> int:
        """`count` published assessments over `BANKS` banks of questions, half of them for every
        student and half for an open drive's first round, each with submitted attempts (the
        busiest students first: the benchmark signs in as one); how many attempts were added."""
        if count <= 0 or not students:
            return 0
        self.random = getattr(self, "random", random.Random(2026))
        self.now = getattr(self, "now", timezone.now())
        names = [f"Seed bank {i:02d}" for i in range(1, BANKS + 1)]
        existing = set(QuestionBank.objects.filter(name__in=names).values_list("name", flat=True))
        new_banks = QuestionBank.objects.bulk_create(
            QuestionBank(name=name, description="Seeded questions for benchmarks.")
            for name in names
            if name not in existing
        )
        questions = Question.objects.bulk_create(
            Question(
                bank=bank,
                text=f"{bank.name}, question {n}: which of these is right?",
                kind=QuestionKind.SINGLE,
                marks=Decimal("1"),
            )
            for bank in new_banks
            for n in range(1, QUESTIONS_PER_BANK + 1)
        )
        Choice.objects.bulk_create(
            (
                Choice(question=question, text=f"Choice {p}", is_correct=p == 1, position=p)
                for question in questions
                for p in range(1, 5)
            ),
            batch_size=BATCH,
        )
        pool = list(Question.objects.filter(bank__name__in=names).values_list("pk", flat=True))
        correct = dict(
            Choice.objects.filter(question__in=pool, is_correct=True).values_list(
                "question_id", "pk"
            )
        )
        titles = [f"Seed assessment {i:02d}" for i in range(1, count + 1)]
        existing = set(Assessment.objects.filter(title__in=titles).values_list("title", flat=True))
        first_rounds = dict(DriveRound.objects.filter(sequence=1).values_list("drive_id", "pk"))
        open_drives = [
            drive
            for drive in drives
            if drive.status == DriveStatus.OPEN and drive.pk in first_rounds
        ]
        new_assessments = []
        for i, title in enumerate(titles):
            if title in existing:
                continue
            drive = open_drives[i % len(open_drives)] if i % 2 and open_drives else None
            new_assessments.append(
                Assessment(
                    title=title,
                    description="Seeded assessment for benchmarks.",
                    drive=drive,
                    round_id=first_rounds[drive.pk] if drive else None,
                    time_limit_minutes=30,
                    pass_marks=Decimal("10"),
                    opens_at=self.now - timedelta(days=10),
                    status=AssessmentStatus.PUBLISHED,
                )
            )
        Assessment.objects.bulk_create(new_assessments)
        chosen = {a.pk: self.random.sample(pool, QUESTIONS_PER_ASSESSMENT) for a in new_assessments}
        AssessmentQuestion.objects.bulk_create(
            (
                AssessmentQuestion(assessment_id=pk, question_id=question, position=position)
                for pk, questions_ in chosen.items()
                for position, question in enumerate(questions_, start=1)
            ),
            batch_size=BATCH,
        )
        busiest = list(
            Application.objects.filter(student__in=students)
            .values("student")
            .annotate(n=Count("id"))
            .order_by("-n", "student")
            .values_list("student", flat=True)[:ATTEMPTS_PER_ASSESSMENT]
        )
        attempts = []
        for assessment in new_assessments:
            if assessment.drive_id is None:
                takers = busiest
            else:
                takers = list(
                    Application.objects.filter(drive_id=assessment.drive_id).values_list(
                        "student_id", flat=True
                    )[:ATTEMPTS_PER_ASSESSMENT]
                )
            for student_id in takers:
                started = self.now - timedelta(days=self.random.randint(1, 9), hours=1)
                order = chosen[assessment.pk][:]
                self.random.shuffle(order)
                attempts.append(
                    Attempt(
                        assessment=assessment,
                        student_id=student_id,
                        status=AttemptStatus.SUBMITTED,
                        started_at=started,
                        deadline=started + timedelta(minutes=30),
                        submitted_at=started + timedelta(minutes=self.random.randint(5, 29)),
                        submitted_by=SubmittedBy.STUDENT,
                        seed=self.random.randint(1, 2**62),
                        question_order=order,
                        position=len(order),
                    )
                )
        Attempt.objects.bulk_create(attempts, batch_size=BATCH)
        answers, scores = [], {}
        for attempt in attempts:
            score = 0
            for question in attempt.question_order:
                right = self.random.random() < 0.6
                choice = correct[question] if right else correct[question] + 1
                score += right
                answers.append(
                    Answer(
                        attempt=attempt,
                        question_id=question,
                        choice_ids=[choice],
                        answered_at=attempt.submitted_at,
                        marks_awarded=Decimal(int(right)),
                    )
                )
            scores[attempt.pk] = score
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        for score in set(scores.values()):
            Attempt.objects.filter(pk__in=[pk for pk, s in scores.items() if s == score]).update(
                score=Decimal(score)
            )
        return len(attempts)

    def seed_audit_log(self, count: int, students: list[Student], drives: list[Drive]) -> int:
        """Entries of the audit log over the last 90 days, up to `count` in all: changes to
        students, drives and applications by the placement office (a season's work)."""
        count -= LogEntry.objects.filter(additional_data__seeded=True).count()
        if count <= 0:
            return 0
        self.random = getattr(self, "random", random.Random(2026))
        self.now = getattr(self, "now", timezone.now())
        actors = list(
            User.objects.filter(role__in=[Role.ADMIN, Role.COORDINATOR]).values_list("pk", "email")
        ) or [(None, "")]
        applications = list(
            Application.objects.filter(student__in=students[:2000]).values_list("pk", flat=True)
        )
        kinds = [
            (ContentType.objects.get_for_model(Student), [s.pk for s in students], "cgpa"),
            (ContentType.objects.get_for_model(Drive), [d.pk for d in drives], "status"),
            (ContentType.objects.get_for_model(Application), applications, "status"),
        ]
        kinds = [kind for kind in kinds if kind[1]]
        rows = []
        for _ in range(count):
            content_type, pks, field = self.random.choice(kinds)
            pk = self.random.choice(pks)
            actor, email = self.random.choice(actors)
            action = self.random.choices([LogEntry.Action.CREATE, LogEntry.Action.UPDATE], [1, 4])[
                0
            ]
            changes = {field: ["old", "new"]} if action == LogEntry.Action.UPDATE else {}
            rows.append(
                LogEntry(
                    content_type=content_type,
                    object_pk=str(pk),
                    object_id=pk,
                    object_repr=f"{content_type.model} {pk}",
                    action=action,
                    changes=changes,
                    changes_text="",
                    actor_id=actor,
                    actor_email=email,
                    remote_addr="127.0.0.1",
                    timestamp=self.now - timedelta(seconds=self.random.randint(60, 90 * 86400)),
                    additional_data={"seeded": True},  # how a second run counts them
                )
            )
        LogEntry.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)
