"""Writes of drives: criteria, skills, ordered rounds and the drive's status."""

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.api.errors import Conflict
from shared_apps.billing import limits as plan_limits
from tenant_apps.drives.models import (
    DRIVE_TRANSITIONS,
    Drive,
    DriveRound,
    DriveSkill,
    DriveStatus,
    DriveStudentListEntry,
)
from tenant_apps.kit.errors import InvalidTransition
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import Student

DRIVE_FIELDS = (
    "company", "title", "description", "job_type", "ctc", "location", "min_cgpa",
    "max_backlogs", "departments", "graduation_years", "apply_by", "min_tenth_pct",
    "min_twelfth_pct", "offer_tier",
)  # fmt: skip


def _status_change_check(*, drive: Drive, status: str, apply_by) -> None:
    if status == drive.status:
        return
    if status not in DRIVE_TRANSITIONS[drive.status]:
        raise InvalidTransition(
            f"A {drive.status} drive cannot become {status}.",
            details={"status": drive.status, "allowed": sorted(DRIVE_TRANSITIONS[drive.status])},
        )
    if status == DriveStatus.OPEN:
        if apply_by <= timezone.now():
            raise ValidationError(
                {"apply_by": ["Opening a drive needs an apply_by in the future."]}
            )
        plan_limits.ensure_room_for("max_active_drives")


@transaction.atomic
def drive_create(
    *, status: str = DriveStatus.DRAFT, skills: list[dict] | None = None,
    rounds: list[dict] | None = None, **fields,
) -> Drive:  # fmt: skip
    """A new drive, in draft unless it is opened at once."""
    drive = Drive(
        status=DriveStatus.DRAFT, **{k: v for k, v in fields.items() if k in DRIVE_FIELDS}
    )
    _status_change_check(drive=drive, status=status, apply_by=drive.apply_by)
    drive.status = status
    drive.save()
    drive_skills_set(drive=drive, skills=skills or [])
    drive_rounds_set(drive=drive, rounds=rounds or [])
    if status == DriveStatus.OPEN:
        notify.queue_after_commit(notify.notify_drive_opened, drive.pk)
    return drive


@transaction.atomic
def drive_update(*, drive: Drive, **changes) -> Drive:
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    fields = {name: changes[name] for name in DRIVE_FIELDS if name in changes}
    for name, value in fields.items():
        setattr(drive, name, value)
    if "status" in changes:
        _status_change_check(drive=drive, status=changes["status"], apply_by=drive.apply_by)
        if drive.status == DriveStatus.DRAFT and changes["status"] == DriveStatus.OPEN:
            notify.queue_after_commit(notify.notify_drive_opened, drive.pk)  # first opening
        fields["status"] = drive.status = changes["status"]
    if fields:
        drive.save(update_fields=list(fields))
    if "skills" in changes:
        drive_skills_set(drive=drive, skills=changes["skills"])
    if "rounds" in changes:
        drive_rounds_set(drive=drive, rounds=changes["rounds"])
    return drive


def drive_skills_set(*, drive: Drive, skills: list[dict]) -> None:
    """Replaces the drive's weighted skills (`[{skill, weight}]`), each change audited."""
    wanted: dict[int, int] = {item["skill"].pk: item["weight"] for item in skills}
    for row in DriveSkill.objects.filter(drive=drive):
        weight = wanted.pop(row.skill_id, None)
        if weight is None:
            row.delete()
        elif weight != row.weight:
            row.weight = weight
            row.save(update_fields=["weight"])
    for skill_id, weight in wanted.items():
        DriveSkill.objects.create(drive=drive, skill_id=skill_id, weight=weight)


def drive_rounds_set(*, drive: Drive, rounds: list[dict]) -> None:
    """The drive's rounds, in the given order (`[{id?, kind, name}]`): items with the `id` of an
    existing round keep it (its interviews stay attached), items without one are new rounds, and
    rounds left out are removed, unless interviews were scheduled for them (409)."""
    existing = {row.pk: row for row in DriveRound.objects.filter(drive=drive)}
    unknown = [item["id"] for item in rounds if item.get("id") and item["id"] not in existing]
    if unknown:
        raise ValidationError({"rounds": [f"Not rounds of this drive: {unknown}."]})
    kept = {item["id"] for item in rounds if item.get("id")}
    for pk, row in existing.items():
        if pk in kept:
            continue
        if row.interviews.exists():
            raise Conflict(f"Round {pk} has interviews: it cannot be removed.")
        row.delete()
    for sequence, item in enumerate(rounds, start=1):
        row = existing.get(item.get("id")) or DriveRound(drive=drive)
        changed = (row.sequence, row.kind, row.name) != (
            sequence,
            item["kind"],
            item.get("name", ""),
        )
        if row.pk is None or changed:
            row.sequence, row.kind, row.name = sequence, item["kind"], item.get("name", "")
            row.save()


# --- Students named on a drive -----------------------------------------------------------------


@transaction.atomic
def drive_student_list_set(
    *, drive: Drive, student: Student, kind: str, reason: str
) -> DriveStudentListEntry:
    """Names `student` on `drive`'s list of included (eligible whatever the criteria) or
    excluded (never eligible) students, with the reason; a student is on one list at most."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the student is named on this drive."]})
    entry = (
        DriveStudentListEntry.objects.select_for_update()
        .filter(drive=drive, student=student)
        .first()
    )
    if entry is None:
        return DriveStudentListEntry.objects.create(
            drive=drive, student=student, kind=kind, reason=reason
        )
    entry.kind, entry.reason = kind, reason
    entry.save(update_fields=["kind", "reason"])
    return entry


@transaction.atomic
def drive_student_list_remove(*, entry: DriveStudentListEntry) -> None:
    entry.delete()
