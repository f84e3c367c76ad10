"""Writes of announcements: posting one (its recipients fixed when it is posted, mailed after
the commit through the notifications' path) and a student's first opening of it."""

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from tenant_apps.announcements.models import Announcement, AnnouncementRecipient, Audience
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.drives.models import Drive
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import Student


def audience_students(
    *, audience: str, graduation_year: int | None, department: str, drive: Drive | None
):
    """The (alive) students an announcement to this audience reaches: a batch's, a
    department's, or those with an application to the drive (not withdrawn)."""
    students = Student.objects.filter(user__is_active=True)
    if audience == Audience.BATCH:
        return students.filter(graduation_year=graduation_year)
    if audience == Audience.DEPARTMENT:
        return students.filter(department__iexact=department)
    applied = Application.objects.filter(drive=drive).exclude(status=ApplicationStatus.WITHDRAWN)
    return students.filter(pk__in=applied.values("student_id"))


def _audience_check(*, audience: str, graduation_year, department: str, drive) -> None:
    needed = {
        Audience.BATCH: ("graduation_year", graduation_year is not None),
        Audience.DEPARTMENT: ("department", bool(department.strip())),
        Audience.DRIVE: ("drive", drive is not None),
    }
    field, given = needed[audience]
    if not given:
        raise ValidationError({field: [f"Name the {field.replace('_', ' ')} to post to."]})


@transaction.atomic
def announcement_post(
    *,
    title: str,
    body: str,
    audience: str,
    graduation_year: int | None = None,
    department: str = "",
    drive: Drive | None = None,
) -> Announcement:
    """Posts a notice to its audience (`400` when the audience is not named or reaches nobody):
    one recipient row per student (for the read counts), one mail each after the commit."""
    _audience_check(
        audience=audience, graduation_year=graduation_year, department=department, drive=drive
    )
    keep = {
        Audience.BATCH: {"graduation_year": graduation_year},
        Audience.DEPARTMENT: {"department": department.strip()},
        Audience.DRIVE: {"drive": drive},
    }[audience]
    students = list(
        audience_students(
            audience=audience,
            graduation_year=graduation_year,
            department=department.strip(),
            drive=drive,
        ).values_list("pk", flat=True)
    )
    if not students:
        raise ValidationError({"audience": ["Nobody is in this audience: nothing was posted."]})
    announcement = Announcement.objects.create(
        title=title, body=body, audience=audience, recipients_total=len(students), **keep
    )
    AnnouncementRecipient.objects.bulk_create(
        AnnouncementRecipient(announcement=announcement, student_id=pk) for pk in students
    )
    notify.queue_after_commit(notify.notify_announcement, announcement.pk)
    return announcement


def announcement_mark_read(*, announcement: Announcement, student: Student) -> bool:
    """The student opened it: the first time counts (one UPDATE, nothing when read before)."""
    return bool(
        AnnouncementRecipient.objects.filter(
            announcement=announcement, student=student, read_at__isnull=True
        ).update(read_at=timezone.now())
    )
