"""Writes of students: accounts created by staff, profiles, verification, skills, résumés, and
imports from CSV or XLSX files."""

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Upper
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts.adapter import college_link
from core.accounts.models import Role, User
from core.accounts.services import email_mark_verified, unverified_accounts_reclaim
from core.api.errors import Conflict, PlacemateError
from core.audit.context import acting_as
from core.queueing import publish
from shared_apps.billing import limits as plan_limits
from tenant_apps.kit.audit import audit_bulk
from tenant_apps.kit.files import pdf_checked
from tenant_apps.kit.jobs import JobStatus
from tenant_apps.students.models import (
    ACADEMIC_FIELDS,
    Student,
    StudentImport,
    StudentSkill,
    import_upload_to,
    resume_upload_to,
)
from tenant_apps.students.transfer import (
    PROFILE_COLUMNS,
    USER_COLUMNS,
    CheckedRow,
    Table,
    check_rows,
    read_table,
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
        transaction.on_commit(lambda: _send_account_created(user=user, link=link))
    return student


def _send_account_created(*, user: User, link: str) -> None:
    college = connection.tenant
    send_mail(
        subject=f"Your Placemate account at {college.name}",
        message=render_to_string(
            "students/email/account_created.txt", {"user": user, "link": link, "college": college}
        ),
        from_email=None,
        recipient_list=[user.email],
    )


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


@transaction.atomic
def student_verify(*, student: Student, actor: User) -> Student:
    """Marks the profile verified by `actor`, now; already verified ones keep who and when."""
    student = Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)
    if not student.is_verified:
        student.is_verified = True
        student.verified_at = timezone.now()
        student.verified_by = actor
        student.save(update_fields=["is_verified", "verified_at", "verified_by"])
    return student


@transaction.atomic
def student_unverify(*, student: Student) -> Student:
    student = Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)
    if student.is_verified:
        student.is_verified = False
        student.verified_at = None
        student.verified_by = None
        student.save(update_fields=["is_verified", "verified_at", "verified_by"])
    return student


VERIFICATION_FIELDS = ("is_verified", "verified_at", "verified_by")


@transaction.atomic
def students_verify(*, students: QuerySet[Student], actor: User) -> list[int]:
    """`student_verify` for many profiles at once, in a few queries whatever their number: the
    unverified ones of `students` are locked, marked verified by `actor` now in one UPDATE, and
    their audit entries (the ones a save would leave) written in one INSERT. Their ids."""
    return _verification_set(students, verified=True, actor=actor)


@transaction.atomic
def students_unverify(*, students: QuerySet[Student], actor: User) -> list[int]:
    """`student_unverify` for many profiles at once (their academic fields thaw)."""
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


# --- Import (CSV / XLSX) ------------------------------------------------------------------------
#
# Rows are checked in Python with the API's own fields (transfer.py), then classified against the
# college's students in two queries: a new roll number creates a student (and, unless the e-mail
# address is a self-registered student without a profile, an account without a usable password),
# a known roll number updates that student, and a row equal to what is stored is `unchanged`, so
# importing the same file twice creates nothing the second time. Writes are bulk statements
# (accounts, e-mail addresses, profiles and their audit entries), never a request per row;
# invitations go out after the commit, from one background task.

IMPORT_CHUNK_ROWS = 1000
FROZEN_MESSAGE = "Frozen while the profile is verified: unverify it to change this."


@dataclass
class ImportPlan:
    total: int
    creates: list[dict] = field(default_factory=list)  # checked values (+ `user_id` to attach)
    updates: list[dict] = field(default_factory=list)  # {student, user, changes: {f: [old, new]}}
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    failed_rows: int = 0


def _import_plan(checked: list[CheckedRow], *, columns: list[str]) -> ImportPlan:
    plan = ImportPlan(total=len(checked))
    good = [row for row in checked if not row.errors]
    rolls = {row.values["roll_number"].upper() for row in good}
    emails = {row.values["email"] for row in good}
    alive: dict[str, dict] = {}
    deleted: set[str] = set()
    for student in (
        Student.all_objects.annotate(roll_key=Upper("roll_number"))
        .filter(roll_key__in=rolls)
        .values(
            "id",
            "user_id",
            "roll_key",
            "deleted_at",
            "is_verified",
            *PROFILE_COLUMNS,
            email=F("user__email"),
            first_name=F("user__first_name"),
            last_name=F("user__last_name"),
        )
    ):
        if student["deleted_at"] is None:
            alive[student["roll_key"]] = student
        else:
            deleted.add(student["roll_key"])
    has_profile = Exists(Student.all_objects.filter(user=OuterRef("pk")))
    users = {
        user["email"]: user
        for user in User.objects.filter(email__in=emails)
        .annotate(has_profile=has_profile)
        .values("id", "email", "role", "has_profile")
    }
    compared = [name for name in (*USER_COLUMNS, *PROFILE_COLUMNS) if name in columns]
    for row in checked:
        errors = list(row.errors)
        values = row.values
        if not errors:
            roll = values["roll_number"].upper()
            student = alive.get(roll)
            if student is not None:
                errors.extend(_update_of(plan, student, values, compared))
            elif roll in deleted:
                message = "A deleted student has this roll number: an admin can restore them."
                errors.append(("roll_number", message))
            else:
                user = users.get(values["email"])
                if user is not None and (user["role"] != Role.STUDENT or user["has_profile"]):
                    errors.append(("email", "This e-mail address is already in use."))
                else:
                    plan.creates.append({**values, "user_id": user["id"] if user else None})
        if errors:
            plan.failed_rows += 1
            plan.errors.extend(
                {"row": row.number, "field": name, "message": message} for name, message in errors
            )
    return plan


def _update_of(plan: ImportPlan, student: dict, values: dict, compared: list[str]) -> list:
    if student["email"] != values["email"]:
        message = "This roll number belongs to a student with another e-mail address."
        return [("email", message)]
    changes = {
        name: [student[name], values[name]] for name in compared if student[name] != values[name]
    }
    if student["is_verified"]:
        frozen = [name for name in changes if name in ACADEMIC_FIELDS]
        if frozen:
            return [(name, FROZEN_MESSAGE) for name in frozen]
    if changes:
        plan.updates.append(
            {"student": student["id"], "user": student["user_id"], "changes": changes}
        )
    else:
        plan.unchanged += 1
    return []


def _import(
    table: Table,
    *,
    dry_run: bool,
    invite: bool,
    actor: User,
    link_base: str,
    progress: Callable[[int], None] | None = None,
) -> dict:
    checked = check_rows(table, progress=progress if dry_run else None)
    plan = _import_plan(checked, columns=table.columns)
    if plan.creates:
        plan_limits.ensure_room_for("max_students", adding=len(plan.creates))
    if not dry_run:
        done = plan.failed_rows + plan.unchanged
        if progress is not None:
            progress(done)
        work = [("create", item) for item in plan.creates] + [("update", u) for u in plan.updates]
        invited: list[int] = []
        for start in range(0, len(work), IMPORT_CHUNK_ROWS):
            chunk = work[start : start + IMPORT_CHUNK_ROWS]
            with transaction.atomic():
                invited += _write_created([item for kind, item in chunk if kind == "create"], actor)
                _write_updated([item for kind, item in chunk if kind == "update"], actor)
            done += len(chunk)
            if progress is not None:
                progress(done)
        if invite and invited:
            transaction.on_commit(lambda: _queue_invitations(invited, link_base))
    return {
        "dry_run": dry_run,
        "total_rows": plan.total,
        "created": len(plan.creates),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "failed": plan.failed_rows,
        "errors": sorted(plan.errors, key=lambda error: error["row"]),
        "unknown_columns": table.unknown_columns,
    }


def _write_created(items: list[dict], actor: User) -> list[int]:
    """Creates the students of `items` (and their accounts); returns the ids of the accounts
    to mail a set-password link: the new ones and the reclaimed unproven sign-ups."""
    if not items:
        return []
    new_users = User.objects.bulk_create(
        User(
            email=item["email"],
            role=Role.STUDENT,
            first_name=item["first_name"],
            last_name=item.get("last_name", ""),
            password=make_password(None),
        )
        for item in items
        if item["user_id"] is None
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in new_users
    )  # staff vouch for the addresses, as for a student they create one by one
    user_ids = {user.email: user.pk for user in new_users}
    attached = [item for item in items if item["user_id"] is not None]
    # unproven sign-ups on the file's addresses lose their password; their owners are mailed
    reclaimed = unverified_accounts_reclaim(user_ids=[item["user_id"] for item in attached])
    if attached:  # self-registered students without a profile: the file names them
        users = User.objects.in_bulk([item["user_id"] for item in attached])
        for item in attached:
            users[item["user_id"]].first_name = item["first_name"]
            users[item["user_id"]].last_name = item.get(
                "last_name", users[item["user_id"]].last_name
            )
        User.objects.bulk_update(users.values(), ["first_name", "last_name"])
    students = Student.objects.bulk_create(
        Student(
            user_id=item["user_id"] or user_ids[item["email"]],
            created_by=actor,
            updated_by=actor,
            **{name: item[name] for name in ("roll_number", *PROFILE_COLUMNS) if name in item},
        )
        for item in items
    )
    _audit_rows(
        LogEntry.Action.CREATE,
        {
            student.pk: (
                student.roll_number,
                {
                    name: ["None", str(getattr(student, name))]
                    for name in ("roll_number", *PROFILE_COLUMNS)
                },
            )
            for student in students
        },
        actor,
    )
    return [*user_ids.values(), *reclaimed]


def _write_updated(items: list[dict], actor: User) -> None:
    if not items:
        return
    users, students = {}, {}
    for item in items:
        for name, (_old, new) in item["changes"].items():
            target = users if name in USER_COLUMNS else students
            target.setdefault(item["user" if name in USER_COLUMNS else "student"], {})[name] = new
    if users:
        rows = User.objects.in_bulk(list(users))
        for pk, changes in users.items():
            for name, value in changes.items():
                setattr(rows[pk], name, value)
        User.objects.bulk_update(rows.values(), list(USER_COLUMNS), batch_size=500)
    if students:
        rows = Student.all_objects.in_bulk(list(students))
        now = timezone.now()
        changed = set()
        for pk, changes in students.items():
            for name, value in changes.items():
                setattr(rows[pk], name, value)
                changed.add(name)
            rows[pk].updated_at, rows[pk].updated_by = now, actor
        Student.all_objects.bulk_update(
            rows.values(), [*sorted(changed), "updated_at", "updated_by"], batch_size=500
        )
    _audit_rows(
        LogEntry.Action.UPDATE,
        {
            item["student"]: (
                None,
                {name: [str(old), str(new)] for name, (old, new) in item["changes"].items()},
            )
            for item in items
        },
        actor,
    )


def _audit_rows(action: int, entries: dict[int, tuple[str | None, dict]], actor: User) -> None:
    """The audit entries django-auditlog would write for rows saved one by one, in one INSERT."""
    audit_bulk(
        model=Student,
        action=action,
        entries=entries,
        actor=actor,
        additional_data={"source": "import"},
    )


def _queue_invitations(user_ids: list[int], link_base: str) -> None:
    from tenant_apps.students.tasks import students_invite

    try:
        publish(students_invite, args=[user_ids, link_base])
    except Exception:  # the import stands: the students can still reset their password
        logger.exception("Could not queue %d import invitations", len(user_ids))


def students_invite_send(*, user_ids: list[int], link_base: str) -> int:
    """Sends each new account its set-your-password link (the mail of `student_create`)."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        token = default_token_generator.make_token(user)
        link = f"{link_base}?uid={user_pk_to_url_str(user)}&token={token}"
        _send_account_created(user=user, link=link)
        sent += 1
    return sent


@transaction.atomic
def students_import(
    *, table: Table, dry_run: bool, invite: bool, actor: User, link_base: str
) -> dict:
    """Imports (or, as a dry run, only checks) a table of students, in one transaction. Bad
    rows create nothing and are reported (`errors`: row, field, message); the others create or
    update students, idempotent by roll number. Beyond the plan's students: 402, nothing done."""
    return _import(table, dry_run=dry_run, invite=invite, actor=actor, link_base=link_base)


@transaction.atomic
def student_import_start(
    *, data: bytes, rows: int, dry_run: bool, invite: bool, link_base: str
) -> StudentImport:
    """A large import, queued: the file waits in the college's storage for the job."""
    job = StudentImport(dry_run=dry_run, invite=invite, link_base=link_base, total=rows)
    job.file.save(import_upload_to(job, ""), ContentFile(data), save=False)
    job.save()
    transaction.on_commit(lambda: _queue_import(job))
    return job


def _queue_import(job: StudentImport) -> None:
    from tenant_apps.students.tasks import student_import_run

    try:
        publish(student_import_run, args=[job.pk])
    except Exception:  # the broker is down: say so to the poller
        logger.exception("Could not queue student import %s", job.pk)
        if job.status == JobStatus.QUEUED:
            job.mark_failed(PlacemateError("The import could not be queued: try again."))


def student_import_run(*, job_id: int) -> None:
    """Runs a queued import (in a worker). Not one transaction: rows are written in chunks that
    commit one by one, so that the job's progress can be polled; a second delivery of the same
    job does nothing. An import stopped half way can be run again (it is idempotent)."""
    claimed = StudentImport.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = StudentImport.objects.select_related("created_by").get(pk=job_id)
    try:
        with acting_as(job.created_by):
            with job.file.open("rb") as handle:
                table = read_table(handle.read())
            job.mark_running(total=len(table.rows))
            result = _import(
                table,
                dry_run=job.dry_run,
                invite=job.invite,
                actor=job.created_by,
                link_base=job.link_base,
                progress=job.mark_progress,
            )
    except Exception as error:  # every failure ends the job, and is reported
        if not isinstance(error, PlacemateError | ValidationError):
            logger.exception("Student import %s failed", job_id)
        job.mark_failed(error)
    else:
        job.mark_done(result)
    finally:
        if job.file:
            job.file.delete(save=False)
            StudentImport.all_objects.filter(pk=job_id).update(file="")
