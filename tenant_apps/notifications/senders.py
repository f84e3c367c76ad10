"""What each notification says and to whom; run by the tasks (tasks.py) in the college's schema.

Each sender re-reads its rows: a row that changed or disappeared since the task was queued
(an application moved on again, an offer withdrawn, a drive closed) is not mailed about."""

from zoneinfo import ZoneInfo

from django.core.mail import get_connection
from django.urls import reverse

from tenant_apps.announcements.models import Announcement, AnnouncementRecipient
from tenant_apps.applications.models import Application, ApplicationStatus, Offer, OfferStatus
from tenant_apps.drives.eligibility import drive_eligible_students
from tenant_apps.drives.models import Drive, DriveStatus
from tenant_apps.interviews import ics
from tenant_apps.interviews.models import Interview, InterviewStatus
from tenant_apps.notifications import mail
from tenant_apps.notifications.models import Category
from tenant_apps.notifications.selectors import opted_out
from tenant_apps.students.models import Student, VerificationStatus

S = ApplicationStatus
# The application statuses that are mailed, and the category that can turn the mail off (None:
# essential, always sent). `accepted`/`declined` are mailed with the offer (offer_response),
# except an accepted offer released for one of a higher tier.
STATUS_MAIL: dict[str, str | None] = {
    S.SHORTLISTED: Category.APPLICATION_UPDATES,
    S.IN_PROCESS: Category.APPLICATION_UPDATES,
    S.WITHDRAWN: Category.APPLICATION_UPDATES,
    S.OFFERED: None,
    S.REJECTED: None,
    # an accepted offer released for one of a higher tier (the student's own declines are
    # answered by the offer-response mail; `application_status` mails a decline with a note)
    S.DECLINED: None,
}
BATCH_SIZE = 500  # drive openings: students read and mailed per batch


def application_status(*, application_ids: list[int], status: str) -> int:
    """The students of `application_ids` (still in `status`) hear of the move: one task and
    one mail connection for a whole bulk move."""
    if status not in STATUS_MAIL:
        return 0
    category = STATUS_MAIL[status]
    moved = Application.objects.filter(
        pk__in=application_ids, status=status, student__user__is_active=True
    )
    if status == S.DECLINED:  # only the released ones: a student's own decline is answered
        moved = moved.filter(offers__released_at__isnull=False)
    applications = list(moved.select_related("student__user", "drive__company"))
    skipped = (
        opted_out(user_ids=[a.student.user_id for a in applications], category=category)
        if category
        else set()
    )
    brand = mail.branding()
    messages = [
        mail.render(
            "application_status",
            to=application.student.user.email,
            context={
                "user": application.student.user,
                "application": application,
                "drive": application.drive,
                "status": status,
                "status_label": S(status).label,
            },
            brand=brand,
            user_id=application.student.user_id,
            category=category,
        )
        for application in applications
        if application.student.user_id not in skipped
    ]
    return mail.send(messages)


def interview_scheduled(*, interview_id: int, rescheduled: bool = False) -> int:
    """Essential: the student's interview (its round, time and place, in the college's time
    zone), with its calendar invitation (an update of the same event when rescheduled)."""
    interview = (
        Interview.objects.filter(
            pk=interview_id, status=InterviewStatus.SCHEDULED, student__user__is_active=True
        )
        .select_related("student__user", "round", "application__drive__company")
        .first()
    )
    if interview is None:
        return 0
    return _interview_mail(
        "interview_scheduled", interview, method="REQUEST", rescheduled=rescheduled
    )


def interview_cancelled(*, interview_id: int) -> int:
    """Essential: a cancelled interview, with the calendar update that removes it."""
    interview = (
        Interview.all_objects.filter(
            pk=interview_id, deleted_at__isnull=False, student__user__is_active=True
        )
        .select_related("student__user", "round", "application__drive__company")
        .first()
    )
    if interview is None:
        return 0
    return _interview_mail("interview_cancelled", interview, method="CANCEL")


def _interview_mail(
    kind: str, interview: Interview, *, method: str, rescheduled: bool = False
) -> int:
    brand = mail.branding()
    host = brand.base_url.split("://", 1)[1].split(":", 1)[0]
    calendar_url = f"{brand.base_url}{reverse('student:interview-ics', args=[interview.pk])}"
    invitation = ics.interview_calendar(interview, host=host, method=method, url=calendar_url)
    content_type = f"text/calendar; method={method}; charset=utf-8"
    message = mail.render(
        kind,
        to=interview.student.user.email,
        context={
            "user": interview.student.user,
            "interview": interview,
            "drive": interview.application.drive,
            "rescheduled": rescheduled,
            "when": local_time(interview.scheduled_at, brand.time_zone),
            "when_short": local_time(interview.scheduled_at, brand.time_zone, short=True),
            "calendar_url": calendar_url,
        },
        brand=brand,
        user_id=interview.student.user_id,
        category=None,
        attachments=((ics.filename(interview), invitation, content_type),),
    )
    return mail.send([message])


def local_time(moment, zone_name: str, *, short: bool = False) -> str:
    """ "Monday 7 December 2026, 10:00 IST (UTC+05:30)": the college's wall clock and zone."""
    local = moment.astimezone(ZoneInfo(zone_name))
    offset = local.strftime("%z")
    zone = f"{local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
    if short:
        return f"{local.day} {local:%b %Y, %H:%M} {zone}"
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {zone}"


def _offer(offer_id: int, statuses: set[str]) -> Offer | None:
    return (
        Offer.objects.filter(
            pk=offer_id, status__in=statuses, application__student__user__is_active=True
        )
        .select_related("application__student__user", "application__drive__company")
        .first()
    )


def offer_created(*, offer_id: int) -> int:
    """Essential: the student has an offer to accept or decline before it expires."""
    offer = _offer(offer_id, {OfferStatus.PENDING})
    if offer is None:
        return 0
    return _offer_mail("offer_created", offer)


def offer_response(*, offer_id: int) -> int:
    """Essential: the confirmation of the student's answer to an offer."""
    offer = _offer(offer_id, {OfferStatus.ACCEPTED, OfferStatus.DECLINED})
    if offer is None:
        return 0
    return _offer_mail("offer_response", offer)


def verification_returned(*, student_id: int) -> int:
    """Essential: the placement office sent the profile back, with what to change."""

    student = (
        Student.objects.filter(
            pk=student_id,
            verification_status=VerificationStatus.RETURNED,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    if student is None:
        return 0  # verified or submitted again before the task ran
    message = mail.render(
        "verification_returned",
        to=student.user.email,
        context={"user": student.user, "student": student},
        brand=mail.branding(),
        user_id=student.user_id,
        category=None,
    )
    return mail.send([message])


def _offer_mail(kind: str, offer: Offer) -> int:
    user = offer.application.student.user
    message = mail.render(
        kind,
        to=user.email,
        context={"user": user, "offer": offer, "drive": offer.application.drive},
        brand=mail.branding(),
        user_id=user.pk,
        category=None,
    )
    return mail.send([message])


def drive_opened(*, drive_id: int) -> int:
    """Every eligible (active) student who has not turned drive openings off hears of a drive
    that opened: read and mailed in batches of BATCH_SIZE, over one mail connection."""
    drive = Drive.objects.filter(pk=drive_id, status=DriveStatus.OPEN).select_related("company")
    drive = drive.first()
    if drive is None:
        return 0
    category = Category.DRIVE_OPENINGS
    students = (
        drive_eligible_students(drive=drive)
        .filter(user__is_active=True)
        .exclude(
            user__notification_preference__drive_openings=False,
            user__notification_preference__deleted_at__isnull=True,
        )
        .order_by("pk")
    )
    brand = mail.branding()
    return _mail_in_batches(
        students,
        ("user_id", "user__email", "user__first_name"),
        lambda row: mail.render(
            "drive_opened",
            to=row["user__email"],
            context={"first_name": row["user__first_name"], "drive": drive},
            brand=brand,
            user_id=row["user_id"],
            category=category,
        ),
    )


def announcement(*, announcement_id: int) -> int:
    """Essential: the placement office's notice, to each (active) student it was posted to,
    read and mailed in batches of BATCH_SIZE over one mail connection, with the link to it in
    the workspace (where opening it counts as read)."""

    notice = Announcement.objects.filter(pk=announcement_id).first()
    if notice is None:
        return 0
    recipients = AnnouncementRecipient.objects.filter(
        announcement=notice, student__user__is_active=True
    ).order_by("pk")
    brand = mail.branding()
    url = f"{brand.base_url}{reverse('student:announcement', args=[notice.pk])}"
    return _mail_in_batches(
        recipients,
        ("student__user_id", "student__user__email", "student__user__first_name"),
        lambda row: mail.render(
            "announcement",
            to=row["student__user__email"],
            context={
                "first_name": row["student__user__first_name"],
                "announcement": notice,
                "url": url,
            },
            brand=brand,
            user_id=row["student__user_id"],
            category=None,
        ),
    )


def _mail_in_batches(queryset, fields: tuple[str, ...], message_for) -> int:
    """Mails one message a row of `queryset` (ordered by pk), reading `fields` of BATCH_SIZE
    rows at a time (keyset paging), over one mail connection; how many were sent."""
    sent, last_pk = 0, 0
    with get_connection() as mail_connection:
        while True:
            batch = list(queryset.filter(pk__gt=last_pk).values("pk", *fields)[:BATCH_SIZE])
            if not batch:
                return sent
            last_pk = batch[-1]["pk"]
            messages = [message_for(row) for row in batch]
            sent += mail.send(messages, mail_connection=mail_connection)
