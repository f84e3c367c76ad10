"""Writes of interviews: scheduling without double-booking a student, and round results."""

from datetime import timedelta

from django.db import transaction
from rest_framework.exceptions import ValidationError

from core.api.errors import Conflict
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews.models import Interview, InterviewStatus
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import Student

SCHEDULABLE = frozenset({ApplicationStatus.SHORTLISTED, ApplicationStatus.IN_PROCESS})
EDITABLE = ("round", "scheduled_at", "duration_minutes", "venue", "meeting_link", "interviewer",
            "status", "feedback")  # fmt: skip
MOVED = frozenset({"scheduled_at", "duration_minutes", "venue", "meeting_link"})  # mailed again


def _slot_free(*, student_id: int, starts_at, ends_at, except_pk: int | None = None) -> None:
    """409 when the student has another interview overlapping [starts_at, ends_at). The caller
    holds the student's row lock, so two bookings of one student cannot race."""
    overlapping = Interview.objects.filter(
        student_id=student_id, scheduled_at__lt=ends_at, ends_at__gt=starts_at
    )
    if except_pk is not None:
        overlapping = overlapping.exclude(pk=except_pk)
    if overlapping.exists():
        raise Conflict("The student already has an interview in this slot.")


def _where_check(*, venue: str, meeting_link: str) -> None:
    if not (venue or meeting_link):
        raise ValidationError({"venue": ["Give a venue or a meeting link."]})


def _round_check(*, application: Application, round: DriveRound) -> None:
    if round.drive_id != application.drive_id:
        raise ValidationError({"round": ["Not a round of this application's drive."]})


@transaction.atomic
def interview_schedule(
    *,
    application: Application,
    round: DriveRound,
    scheduled_at,
    duration_minutes: int = 60,
    venue: str = "",
    meeting_link: str = "",
    interviewer: str = "",
) -> Interview:
    """Schedules a round of a shortlisted or in-process application, once per round, in a slot
    where the student has no other interview (409 otherwise)."""
    _round_check(application=application, round=round)
    _where_check(venue=venue, meeting_link=meeting_link)
    Student.all_objects.select_for_update(of=("self",)).get(pk=application.student_id)
    application = Application.objects.get(pk=application.pk)
    if application.status not in SCHEDULABLE:
        raise ValidationError(
            {"application": [f"Interviews are for shortlisted or in-process applications; "
                             f"this one is {application.status}."]}
        )  # fmt: skip
    if Interview.objects.filter(application=application, round=round).exists():
        raise Conflict("This round is already scheduled for this application.")
    ends_at = scheduled_at + timedelta(minutes=duration_minutes)
    _slot_free(student_id=application.student_id, starts_at=scheduled_at, ends_at=ends_at)
    interview = Interview.objects.create(
        application=application,
        student_id=application.student_id,
        round=round,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        venue=venue,
        meeting_link=meeting_link,
        interviewer=interviewer,
    )
    notify.queue_after_commit(notify.notify_interview_scheduled, interview.pk)
    return interview


@transaction.atomic
def interview_update(*, interview: Interview, **changes) -> Interview:
    """Reschedules, moves to another round or records the result (`status`, `feedback`)."""
    Student.all_objects.select_for_update(of=("self",)).get(pk=interview.student_id)
    interview = Interview.objects.select_related("application").get(pk=interview.pk)
    fields = {name: changes[name] for name in EDITABLE if name in changes}
    before = {name: getattr(interview, name) for name in MOVED}
    for name, value in fields.items():
        setattr(interview, name, value)
    if "round" in fields:
        _round_check(application=interview.application, round=interview.round)
        clash = Interview.objects.filter(
            application=interview.application_id, round=interview.round
        )
        if clash.exclude(pk=interview.pk).exists():
            raise Conflict("This round is already scheduled for this application.")
    _where_check(venue=interview.venue, meeting_link=interview.meeting_link)
    if {"scheduled_at", "duration_minutes"} & set(fields):
        _slot_free(
            student_id=interview.student_id,
            starts_at=interview.scheduled_at,
            ends_at=interview.scheduled_at + timedelta(minutes=interview.duration_minutes),
            except_pk=interview.pk,
        )
    moved = any(getattr(interview, name) != value for name, value in before.items())
    if moved:
        interview.sequence += 1
        fields["sequence"] = interview.sequence
    if fields:
        interview.save(update_fields=list(fields))
    if moved:
        notify.queue_after_commit(notify.notify_interview_scheduled, interview.pk, True)
    return interview


@transaction.atomic
def interview_cancel(*, interview: Interview) -> None:
    """Cancels (soft-deletes) a scheduled interview; the student's calendar hears of it."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    was_scheduled = interview.status == InterviewStatus.SCHEDULED
    interview.sequence += 1
    interview.save(update_fields=["sequence"])
    interview.delete()
    if was_scheduled:
        notify.queue_after_commit(notify.notify_interview_cancelled, interview.pk)
