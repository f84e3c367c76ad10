"""Writes of students: accounts created by staff, profiles, verification, skills, résumés, and
starting an import (the engine is imports.py, the set-password mails invitations.py)."""

import copy
import logging
from decimal import Decimal

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts.adapter import college_link
from core.accounts.models import Role, User
from core.accounts.services import email_mark_verified, unverified_accounts_reclaim
from core.api.errors import Conflict
from shared_apps.billing import limits as plan_limits
from tenant_apps.kit.audit import audit_bulk
from tenant_apps.kit.files import pdf_checked
from tenant_apps.students import imports, tasks
from tenant_apps.students.invitations import account_created_send
from tenant_apps.students.models import (
    ACADEMIC_FIELDS,
    Student,
    StudentImport,
    StudentSkill,
    TwelfthBoard,
    VerificationStatus,
    import_upload_to,
    resume_upload_to,
)
from tenant_apps.students.transfer import (
    Table,
)

logger = logging.getLogger(__name__)

USER_FIELDS = ("first_name", "last_name")


def megabytes(size: int) -> int:
    return -(-size // (1024 * 1024))


PROFILE_FIELDS = (*ACADEMIC_FIELDS, "phone", "education", "experience")


def _roll_number_free(roll_number: str, *, except_pk: int | None = None) -> None:
    clash = Student.objects.filter(roll_number__iexact=roll_number)
    if except_pk is not None:
        clash = clash.exclude(pk=except_pk)
    if clash.exists():
        raise ValidationError({"roll_number": ["Another student has this roll number."]})


@transaction.atomic
def student_create(
    *,
    request,
    email: str,
    first_name: str,
    last_name: str,
    roll_number: str,
    department: str,
    graduation_year: int,
    cgpa: Decimal,
    backlogs: int = 0,
    tenth_pct: Decimal | None = None,
    twelfth_pct: Decimal | None = None,
    twelfth_board: str = TwelfthBoard.TWELFTH,
    phone: str = "",
    skills: list[dict] | None = None,
    education: list[dict] | None = None,
    experience: list[dict] | None = None,
) -> Student:
    """A student created by staff: the account (no usable password) and its profile; the
    student gets a link to choose a password on the college's host."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (
        user.role != Role.STUDENT or Student.all_objects.filter(user=user).exists()
    ):
        raise ValidationError({"email": ["This e-mail address is already in use."]})
    _roll_number_free(roll_number)
    plan_limits.ensure_room_for("max_students")
    send_link = user is None
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, role=Role.STUDENT, first_name=first_name,
            last_name=last_name,
        )  # fmt: skip
        email_mark_verified(user=user)  # staff vouch for it; the link goes to this address
    else:  # a student who signed up and has no profile yet
        # an unproven sign-up may be somebody else's: it loses its password, the owner is mailed
        send_link = bool(unverified_accounts_reclaim(user_ids=[user.pk]))
        user = User.objects.get(pk=user.pk)
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    student = Student.objects.create(
        user=user,
        roll_number=roll_number,
        department=department,
        graduation_year=graduation_year,
        cgpa=cgpa,
        backlogs=backlogs,
        tenth_pct=tenth_pct,
        twelfth_pct=twelfth_pct,
        twelfth_board=twelfth_board,
        phone=phone,
        education=education or [],
        experience=experience or [],
    )
    student_skills_set(student=student, skills=skills or [])
    if send_link:
        link = college_link(
            request,
            "password_reset",
            uid=user_pk_to_url_str(user),
            token=default_token_generator.make_token(user),
        )
        transaction.on_commit(lambda: account_created_send(user=user, link=link))
    return student


@transaction.atomic
def student_profile_create(*, user: User, **fields) -> Student:
    """A student who signed up on their own creates their profile."""
    if Student.all_objects.filter(user=user).exists():
        raise Conflict("You already have a profile: change it instead.")
    _roll_number_free(fields["roll_number"])
    plan_limits.ensure_room_for("max_students")
    skills = fields.pop("skills", [])
    for name in USER_FIELDS:
        if name in fields:
            setattr(user, name, fields.pop(name))
    user.save(update_fields=list(USER_FIELDS))
    student = Student.objects.create(user=user, **fields)
    student_skills_set(student=student, skills=skills)
    return student


@transaction.atomic
def student_update(*, student: Student, **changes) -> Student:
    """Changes a profile. A verified profile's academic fields are frozen (400) until it is
    unverified; setting one to the value it has is not a change."""
    student = (
        Student.all_objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=student.pk)
    )
    if student.is_verified:
        frozen = [f for f in ACADEMIC_FIELDS if f in changes and changes[f] != getattr(student, f)]
        if frozen:
            message = "Frozen while the profile is verified: ask the placement office."
            raise ValidationError({name: [message] for name in frozen})
    if "roll_number" in changes and changes["roll_number"] != student.roll_number:
        _roll_number_free(changes["roll_number"], except_pk=student.pk)
    user_changes = {name: changes[name] for name in USER_FIELDS if name in changes}
    if user_changes:
        for name, value in user_changes.items():
            setattr(student.user, name, value)
        student.user.save(update_fields=list(user_changes))
    profile_changes = {name: changes[name] for name in PROFILE_FIELDS if name in changes}
    if profile_changes:
        for name, value in profile_changes.items():
            setattr(student, name, value)
        student.save(update_fields=list(profile_changes))
    if "skills" in changes:
        student_skills_set(student=student, skills=changes["skills"])
    return student


def student_skills_set(*, student: Student, skills: list[dict]) -> None:
    """Replaces the student's skill ratings (`[{skill, rating}]`), row by row so that each
    change is audited."""
    wanted: dict[int, int] = {item["skill"].pk: item["rating"] for item in skills}
    for row in StudentSkill.objects.filter(student=student):
        rating = wanted.pop(row.skill_id, None)
        if rating is None:
            row.delete()
        elif rating != row.rating:
            row.rating = rating
            row.save(update_fields=["rating"])
    for skill_id, rating in wanted.items():
        StudentSkill.objects.create(student=student, skill_id=skill_id, rating=rating)


VERIFICATION_FIELDS = (
    "is_verified",
    "verified_at",
    "verified_by",
    "verification_status",
    "verification_comment",
)


@transaction.atomic
def students_verify(*, students: QuerySet[Student], actor: User) -> list[int]:
    """Verification for many profiles at once, in a few queries whatever their number: the
    unverified ones of `students` are locked, marked verified by `actor` now in one UPDATE, and
    their audit entries (the ones a save would leave) written in one INSERT; they leave the
    verification queue as `verification_approve` leaves it. Their ids."""
    return _verification_set(students, verified=True, actor=actor)


@transaction.atomic
def students_unverify(*, students: QuerySet[Student], actor: User) -> list[int]:
    """Unverification for many profiles at once (their academic fields thaw, drafts again)."""
    return _verification_set(students, verified=False, actor=actor)


def _verification_set(students: QuerySet[Student], *, verified: bool, actor: User) -> list[int]:
    rows = list(
        Student.all_objects.select_for_update(of=("self",))
        .select_related("verified_by")
        .filter(pk__in=students.values("pk"), is_verified=not verified)
        .order_by("pk")
    )
    if not rows:
        return []
    now = timezone.now()
    values = {
        "is_verified": verified,
        "verified_at": now if verified else None,
        "verified_by": actor if verified else None,
        # the queue's status, as `verification_approve` and `verification_unverify` leave it
        "verification_status": VerificationStatus.VERIFIED
        if verified
        else VerificationStatus.DRAFT,
        **({"verification_comment": ""} if verified else {}),
    }
    changes = {}
    for row in rows:
        old = copy.copy(row)
        for name, value in values.items():
            setattr(row, name, value)
        changes[row.pk] = (
            str(row),
            model_instance_diff(old, row, fields_to_check=VERIFICATION_FIELDS),
        )
    ids = [row.pk for row in rows]
    Student.all_objects.filter(pk__in=ids).update(**values, updated_at=now, updated_by=actor)
    audit_bulk(model=Student, action=LogEntry.Action.UPDATE, entries=changes, actor=actor)
    return ids


@transaction.atomic
def student_resume_upload(*, student: Student, upload) -> Student:
    """Stores a PDF résumé under a generated name; the previous file goes once committed."""
    pdf_checked(upload)
    plan_limits.ensure_room_for("storage_mb", adding=megabytes(upload.size))
    student = Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)
    previous = student.resume.name
    student.resume.save(resume_upload_to(student, ""), upload, save=False)
    student.resume_uploaded_at = timezone.now()
    student.save(update_fields=["resume", "resume_uploaded_at"])
    if previous:
        transaction.on_commit(lambda: default_storage.delete(previous))
    return student


@transaction.atomic
def student_resume_delete(*, student: Student) -> Student:
    student = Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)
    previous = student.resume.name
    if previous:
        student.resume = ""
        student.resume_uploaded_at = None
        student.save(update_fields=["resume", "resume_uploaded_at"])
        transaction.on_commit(lambda: default_storage.delete(previous))
    return student


# --- Imports, checked here and run by imports.py -----------------------------------------------
@transaction.atomic
def students_import(
    *, table: Table, dry_run: bool, invite: bool, actor: User, link_base: str
) -> dict:
    """Imports (or, as a dry run, only checks) a table of students, in one transaction. Bad
    rows create nothing and are reported (`errors`: row, field, message); the others create or
    update students, idempotent by roll number. Beyond the plan's students: 402, nothing done."""
    return imports.run(
        table,
        dry_run=dry_run,
        invite=invite,
        actor=actor,
        link_base=link_base,
        queue_invitations=tasks.queue_invitations,
    )


@transaction.atomic
def student_import_start(
    *, data: bytes, rows: int, dry_run: bool, invite: bool, link_base: str
) -> StudentImport:
    """A large import, queued: the file waits in the college's storage for the job."""
    job = StudentImport(dry_run=dry_run, invite=invite, link_base=link_base, total=rows)
    job.file.save(import_upload_to(job, ""), ContentFile(data), save=False)
    job.save()
    transaction.on_commit(lambda: tasks.queue_import(job))
    return job
