"""The student import engine (CSV / XLSX)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Upper
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts.models import Role, User
from core.accounts.services import unverified_accounts_reclaim
from core.api.errors import PlacemateError
from core.audit.context import acting_as
from shared_apps.billing import limits as plan_limits
from tenant_apps.kit.audit import audit_bulk
from tenant_apps.kit.jobs import JobStatus
from tenant_apps.students.models import (
    ACADEMIC_FIELDS,
    Student,
    StudentImport,
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


def run(
    table: Table,
    *,
    dry_run: bool,
    invite: bool,
    actor: User,
    link_base: str,
    queue_invitations: Callable[[list[int], str], None],
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Check `table`, then (unless `dry_run`) write it; `queue_invitations(user_ids, link_base)`
    is called after the commit for the accounts to mail (tasks.py queues their task)."""
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
            transaction.on_commit(lambda: queue_invitations(invited, link_base))
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


def student_import_run(*, job_id: int, queue_invitations: Callable[[list[int], str], None]) -> None:
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
            result = run(
                table,
                dry_run=job.dry_run,
                invite=job.invite,
                actor=job.created_by,
                link_base=job.link_base,
                queue_invitations=queue_invitations,
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
