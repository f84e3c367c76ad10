"""`make run`'s seed: the public tenant, the demo college with a placement season in progress, its
people and a platform operator (idempotent: a second run adds only what is missing).

The season is seed_college's bulk rows under names for people (a few hundred students, some
unverified; companies with recruiters; drives in every status; applications at every stage with
their interviews and offers), plus a story a newcomer meets on signing in: the demo student's
profile, applications, an interview later today and an offer about to expire; the demo
recruiter's company with drives in every status and their applicants; interviews today, drives
closing within 48 hours and offers about to expire. Each run moves those dated rows back into
the next hours, so a demo seeded last week is again a season in progress.
"""

import random
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from core.accounts import services as accounts
from core.accounts.models import Role, TOTPDevice, User
from shared_apps.billing.models import Plan
from shared_apps.billing.services import plan_change
from tenant_apps.applications.management.commands.seed_college import Command as SeedCollege
from tenant_apps.applications.models import (
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
)
from tenant_apps.companies.models import Company, Recruiter
from tenant_apps.drives.models import Drive, DriveRound, DriveSkill, DriveStatus, RoundKind
from tenant_apps.interviews.models import Interview, InterviewStatus
from tenant_apps.students.models import Skill, Student, StudentSkill
from tenants.lifecycle import college_set_status
from tenants.models import College, CollegeStatus
from tenants.services import college_ensure, college_host, public_tenant_ensure

DEMO_PASSWORD = "placemate-demo-2026"  # noqa: S105 (a local demo; refused without DEBUG)
DEMO_PEOPLE = [
    (Role.ADMIN, "admin@demo.edu", "Asha", "Rao"),
    (Role.COORDINATOR, "coordinator@demo.edu", "Ravi", "Iyer"),
    (Role.RECRUITER, "recruiter@acme.example", "Meera", "Shah"),
    (Role.STUDENT, "student@demo.edu", "Kiran", "Das"),
]
OPERATOR_EMAIL = "operator@placemate.local"
SEASON = {"students": 300, "companies": 16, "drives": 32, "applications": 1200}
COMPANIES = [
    "Northwind Systems", "Globex Analytics", "Initech Consulting", "Umbrella Energy",
    "Stark Semiconductors", "Wayne Financial", "Hooli Cloud", "Soylent Foods",
    "Cyberdyne Robotics", "Tyrell Biotech", "Wonka Manufacturing", "Vandelay Industries",
    "Oceanic Logistics", "Pied Piper Labs", "Massive Dynamic", "Gringotts Capital",
]  # fmt: skip
ROLES = [
    "Software Engineer", "Data Analyst", "Graduate Engineer Trainee", "Business Analyst",
    "Embedded Systems Engineer", "Cloud Support Associate", "Design Engineer",
    "Associate Consultant",
    "Machine Learning Engineer", "Process Engineer", "Quality Engineer", "Frontend Developer",
    "Site Engineer", "Network Engineer", "Product Analyst", "Financial Analyst",
    "Research Intern", "Hardware Verification Engineer", "Operations Trainee", "Technical Writer",
    "Test Automation Engineer", "Full Stack Developer", "Plant Engineer", "Risk Analyst",
    "Data Engineer", "Mobile Developer", "Supply Chain Analyst", "Systems Engineer",
    "Security Analyst", "Field Application Engineer", "Management Trainee", "DevOps Engineer",
]  # fmt: skip
ACME = "Acme Software"
# The demo recruiter's drives: (title, status, job type, CTC, days until apply_by, applicants by
# stage). The open "Backend Engineer" closes within 48 hours; the demo student applied to it.
ACME_DRIVES = [
    ("Backend Engineer", DriveStatus.OPEN, "full_time", 1_800_000, 1.25,
     {"applied": 10, "shortlisted": 6, "rejected": 3, "withdrawn": 1}),
    ("Data Analyst Intern", DriveStatus.OPEN, "internship", 480_000, 12,
     {"applied": 8, "shortlisted": 2}),
    ("Site Reliability Engineer", DriveStatus.CLOSED, "full_time", 2_200_000, -6,
     {"shortlisted": 4, "in_process": 5, "offered": 2, "rejected": 4}),
    ("Graduate Engineer Trainee", DriveStatus.COMPLETED, "full_time", 900_000, -45,
     {"accepted": 4, "declined": 1, "rejected": 6}),
    ("Product Designer", DriveStatus.DRAFT, "full_time", 1_400_000, 20, {}),
]  # fmt: skip
DEMO_STUDENT_PROFILE = {
    "roll_number": "DEMO2026001",
    "department": "CSE",
    "graduation_year": 2026,
    "cgpa": Decimal("8.40"),
    "backlogs": 0,
    "phone": "+91 98450 12345",
    "is_verified": True,
    "education": [
        {"institution": "Demo College of Engineering", "degree": "B.Tech",
         "field_of_study": "Computer Science", "start_year": 2022, "end_year": 2026,
         "score": "8.4 CGPA"},
        {"institution": "Kendriya Vidyalaya, Pune", "degree": "Class XII", "end_year": 2022,
         "score": "91%"},
    ],
    "experience": [
        {"organization": "Northwind Systems", "title": "Summer intern, platform team",
         "start_date": "2025-05-15", "end_date": "2025-07-15",
         "description": "Built a metrics exporter for the build farm in Python."},
    ],
}  # fmt: skip
DEMO_STUDENT_SKILLS = {"Python": 8, "Django": 7, "SQL": 7, "PostgreSQL": 6, "React": 5, "Linux": 6}


def ensure_user(*, role: str, email: str, first_name: str, last_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        is_admin = role in (Role.ADMIN, Role.OPERATOR)
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        accounts.email_mark_verified(user=user)
    return user


class DemoSeason(SeedCollege):
    """seed_college's season under names for people, with the demo's story woven in before the
    interviews and offers that follow from the applications."""

    drive_description = "On-campus drive: aptitude test, technical interview, HR interview."

    def company_names(self, count: int) -> list[str]:
        return COMPANIES[:count]

    def drive_titles(self, count: int) -> list[str]:
        return ROLES[:count]

    def seed(
        self, *, seed: int, students: int, companies: int, drives: int, applications: int
    ) -> tuple[list[Student], list[Company], list[Drive], int]:
        self.random = random.Random(seed)
        self.now = timezone.now()
        skills = self.seed_skills()
        season_companies = self.seed_companies(companies)
        season_students = self.seed_students(students, skills)
        season_drives = self.seed_drives(drives, season_companies, skills)
        created = self.seed_applications(applications, season_students, season_drives)
        self.seed_recruiters(season_companies)
        demo_student = self.seed_demo_student(skills)
        acme_drives = self.seed_acme_drives(skills)
        created += self.seed_acme_applicants(acme_drives, season_students)
        created += self.seed_demo_applications(demo_student, acme_drives, season_drives)
        self.seed_interviews_and_offers([demo_student, *season_students])
        return season_students, season_companies, season_drives, created

    def seed_recruiters(self, companies: list[Company]) -> None:
        """A recruiter for every company (invited: no password yet)."""
        emails = {f"hr@{company.name.split()[0].lower()}.example": company for company in companies}
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        unusable = make_password(None)
        users = User.objects.bulk_create(
            User(
                email=email,
                password=unusable,
                role=Role.RECRUITER,
                first_name=self.random.choice(["Neha", "Vikram", "Priya", "Aditya", "Lakshmi"]),
                last_name="(HR)",
            )
            for email in emails
            if email not in existing
        )
        Recruiter.objects.bulk_create(Recruiter(user=u, company=emails[u.email]) for u in users)

    def seed_demo_student(self, skills: list[Skill]) -> Student:
        user = User.objects.get(email="student@demo.edu")
        student, created = Student.all_objects.get_or_create(
            user=user, defaults={**DEMO_STUDENT_PROFILE, "verified_at": self.now}
        )
        if created:
            by_name = {skill.name: skill for skill in skills}
            StudentSkill.objects.bulk_create(
                StudentSkill(student=student, skill=by_name[name], rating=rating)
                for name, rating in DEMO_STUDENT_SKILLS.items()
            )
        return student

    def seed_acme_drives(self, skills: list[Skill]) -> dict[str, Drive]:
        acme = Company.objects.get(name=ACME)
        existing = {drive.title: drive for drive in Drive.objects.filter(company=acme)}
        by_name = {skill.name: skill for skill in skills}
        for title, status, job_type, ctc, days, _ in ACME_DRIVES:
            if title in existing:
                continue
            drive = Drive.objects.create(
                company=acme,
                title=title,
                description=f"{title} at {ACME}, Bengaluru. {self.drive_description}",
                job_type=job_type,
                ctc=Decimal(ctc),
                location="Bengaluru",
                min_cgpa=Decimal("7"),
                max_backlogs=0,
                departments=["CSE", "ECE", "IT"],
                graduation_years=[2026],
                apply_by=self.now + timedelta(days=days),
                status=status,
            )
            DriveRound.objects.bulk_create(
                DriveRound(drive=drive, sequence=sequence, kind=kind)
                for sequence, kind in enumerate(
                    [RoundKind.CODING, RoundKind.TECHNICAL, RoundKind.HR], start=1
                )
            )
            DriveSkill.objects.bulk_create(
                DriveSkill(drive=drive, skill=by_name[name], weight=weight)
                for name, weight in (("Python", 9), ("SQL", 6), ("Linux", 4))
            )
            existing[title] = drive
        return existing

    def seed_acme_applicants(self, drives: dict[str, Drive], students: list[Student]) -> int:
        """Applicants of the demo recruiter's drives at the stages of ACME_DRIVES (once)."""
        rows = []
        pool = [student for student in students if student.is_verified]
        accepted = set(
            Application.objects.filter(status=ApplicationStatus.ACCEPTED).values_list(
                "student_id", flat=True
            )
        )
        for title, _status, _type, _ctc, _days, stages in ACME_DRIVES:
            drive = drives[title]
            if not stages or Application.all_objects.filter(drive=drive).exists():
                continue
            picked = self.random.sample(pool, sum(stages.values()))
            # a student holds one accepted offer at most: those accepting come first from
            # the students who hold none yet
            picked.sort(key=lambda student: student.pk in accepted)
            free, rest = iter(picked), []
            for status, count in sorted(stages.items(), key=lambda s: s[0] != "accepted"):
                for _ in range(count):
                    student = next(free)
                    if status == ApplicationStatus.ACCEPTED:
                        accepted.add(student.pk)
                    rest.append(self._application(student, drive, status))
            rows += rest
        Application.objects.bulk_create(rows)
        return len(rows)

    def seed_demo_applications(
        self, student: Student, acme: dict[str, Drive], drives: list[Drive]
    ) -> int:
        """The demo student's season: shortlisted at Acme (interview today), applied to Acme's
        internship, an offer from another company to answer, a rejection."""
        if Application.all_objects.filter(student=student).exists():
            return 0
        open_drives = [drive for drive in drives if drive.status == DriveStatus.OPEN]
        closed = [drive for drive in drives if drive.status == DriveStatus.CLOSED]
        plan = [
            (acme["Backend Engineer"], ApplicationStatus.SHORTLISTED),
            (acme["Data Analyst Intern"], ApplicationStatus.APPLIED),
            (closed[0], ApplicationStatus.OFFERED),
            (open_drives[0], ApplicationStatus.REJECTED),
            (open_drives[1], ApplicationStatus.APPLIED),
        ]
        Application.objects.bulk_create(
            self._application(student, drive, status) for drive, status in plan
        )
        return len(plan)


def demo_plan_ensure(*, college: College) -> None:
    """The demo shows every feature at its size: the largest plan, and active (a trial would
    run out, and beat would turn the demo read-only)."""
    largest = Plan.objects.order_by("-sort_order").first()
    if largest is not None and college.plan_id != largest.pk:
        plan_change(college=college, plan=largest)
    if college.status == CollegeStatus.TRIALING:
        college_set_status(college=college, status=CollegeStatus.ACTIVE, reason="Demo college")


def college_today(college: College, hour: int) -> datetime:
    zone = ZoneInfo(college.time_zone or settings.WORKSPACE_TIME_ZONE)
    return datetime.combine(timezone.localdate(timezone=zone), time(hour), tzinfo=zone)


def season_refresh(*, college: College, demo_student: Student) -> None:
    """Bring the dated parts of the story into the next hours: the demo student's interview and
    offer, interviews today, drives closing within 48 hours, offers about to expire."""
    now = timezone.now()
    soon = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    interview = (
        Interview.objects.filter(student=demo_student, status=InterviewStatus.SCHEDULED)
        .order_by("pk")
        .first()
    )
    if interview is not None and not now < interview.scheduled_at < now + timedelta(hours=20):
        interview.scheduled_at = soon
        interview.venue = "Placement cell, interview room 1"
        interview.save(update_fields=["scheduled_at", "venue"])
    Offer.objects.filter(application__student=demo_student, status=OfferStatus.PENDING).exclude(
        expires_at__range=(now + timedelta(hours=12), now + timedelta(days=3))
    ).update(expires_at=now + timedelta(hours=36))

    # six interviews today (other students, other drives), from 10:00 in the college's zone
    scheduled = (
        Interview.objects.filter(status=InterviewStatus.SCHEDULED)
        .exclude(student=demo_student)
        .select_related("application")
        .order_by("pk")
    )
    students, drives = set(), set()
    for interview in scheduled[:300]:
        if interview.student_id in students or interview.application.drive_id in drives:
            continue
        interview.scheduled_at = college_today(college, 10 + len(students))
        interview.save(update_fields=["scheduled_at"])
        students.add(interview.student_id)
        drives.add(interview.application.drive_id)
        if len(students) == 6:
            break
    # three more drives closing within 48 hours, four offers expiring within two days
    closing = Drive.objects.filter(status=DriveStatus.OPEN).exclude(company__name=ACME)
    for hours, drive in zip((18, 30, 42), closing.order_by("pk")[:3], strict=False):
        Drive.objects.filter(pk=drive.pk).update(apply_by=now + timedelta(hours=hours))
    Drive.objects.filter(company__name=ACME, title="Backend Engineer").update(
        apply_by=now + timedelta(hours=30)
    )
    expiring = Offer.objects.filter(status=OfferStatus.PENDING).exclude(
        application__student=demo_student
    )
    for hours, offer in zip((10, 20, 30, 40), expiring.order_by("pk")[:4], strict=False):
        Offer.objects.filter(pk=offer.pk).update(expires_at=now + timedelta(hours=hours))


class Command(BaseCommand):
    help = (
        "Create the public tenant, the demo college with a season in progress and its people "
        "(idempotent); print URLs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with known passwords: DEBUG only.")
        public_tenant_ensure()
        demo, created = college_ensure(subdomain="demo", name="Demo College of Engineering")
        demo_plan_ensure(college=demo)
        with tenant_context(demo), transaction.atomic():
            for role, email, first_name, last_name in DEMO_PEOPLE:
                user = ensure_user(
                    role=role, email=email, first_name=first_name, last_name=last_name
                )
                if role == Role.RECRUITER:
                    acme, _ = Company.objects.get_or_create(
                        name=ACME, defaults={"industry": "Software"}
                    )
                    Recruiter.objects.get_or_create(user=user, defaults={"company": acme})
            students, companies, drives, added = DemoSeason(stdout=self.stdout).seed(
                seed=2026, **SEASON
            )
            season_refresh(
                college=demo, demo_student=Student.objects.get(user__email="student@demo.edu")
            )
        with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
            operator = ensure_user(
                role=Role.OPERATOR, email=OPERATOR_EMAIL, first_name="Ops", last_name="Person"
            )
            device = TOTPDevice.objects.filter(user=operator, confirmed=True).first()
            if device is None:
                device = TOTPDevice.for_new_secret(user=operator, hex_key=secrets.token_hex(20))
                device.confirmed = True
                device.save()
            otpauth = accounts.otpauth_uri(device=device, issuer="Placemate (operators)")

        state = "created" if created else "already there"
        platform = f"http://{settings.PLATFORM_DOMAIN}:{port}"
        college = f"http://{college_host(demo.subdomain)}:{port}"
        self.stdout.write(
            f"Demo college {state}: {len(students)} students, {len(companies) + 1} companies, "
            f"{len(drives) + len(ACME_DRIVES)} drives, {added} applications added."
        )
        self.stdout.write(f"  Platform:     {platform}/   (console: {platform}/admin/)")
        self.stdout.write(f"  Demo college: {college}/   (API docs: {college}/api/docs/)")
        self.stdout.write(f"  Demo users (password {DEMO_PASSWORD}):")
        for role, email, *_ in DEMO_PEOPLE:
            self.stdout.write(f"    {role:<12} {email}  on {college}")
        self.stdout.write(f"    operator     {OPERATOR_EMAIL}  on {platform}, TOTP:")
        self.stdout.write(f"      {otpauth}")
