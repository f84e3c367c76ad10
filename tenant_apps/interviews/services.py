"""Writes of interviews: scheduling without double-booking a student, slots with their panel
(never two overlapping panels for one interviewer, never more applicants than the capacity),
filled by the office in shortlist order or by students picking a free one, and round results,
which move the application (one or many at once, through the applications' stage moves)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from core.accounts.models import STAFF_ROLES, Role, User
from core.api.errors import Conflict
from tenant_apps.applications import services as applications
from tenant_apps.applications.models import OPEN_STATUSES, Application, ApplicationStatus
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews.models import (
    SCHEDULABLE,
    Interview,
    InterviewSlot,
    InterviewStatus,
    RoundScheduling,
    SlotPanelist,
)
from tenant_apps.kit.audit import audit_bulk_update
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import Student

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
    slot: InterviewSlot | None = None,
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
        slot=slot,
    )
    notify.queue_after_commit(notify.notify_interview_scheduled, interview.pk)
    return interview


@transaction.atomic
def interview_update(*, interview: Interview, actor: User | None = None, **changes) -> Interview:
    """Reschedules, moves to another round or records the result (`status`, `feedback`); a
    result moves the application as `interview_results_record` does."""
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
    if "status" in fields and interview.status in RESULT_STATUSES:
        _applications_follow(interviews=[interview], actor=actor)
    return interview


@transaction.atomic
def interview_cancel(*, interview: Interview) -> None:
    """Cancels (soft-deletes) a scheduled interview; the student's calendar hears of it."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.slot_id is not None:  # its seat frees under the slot's lock
        InterviewSlot.all_objects.select_for_update().filter(pk=interview.slot_id).first()
    was_scheduled = interview.status == InterviewStatus.SCHEDULED
    interview.sequence += 1
    interview.save(update_fields=["sequence"])
    interview.delete()
    if was_scheduled:
        notify.queue_after_commit(notify.notify_interview_cancelled, interview.pk)


# --- Slots and panels --------------------------------------------------------------------------


def panel_candidates(*, round: DriveRound) -> QuerySet[User]:
    """Who may sit on a panel of `round`: the placement office and the recruiters of the
    drive's company (active people only)."""
    return User.objects.filter(is_active=True).filter(
        Q(role__in=STAFF_ROLES)
        | Q(
            role=Role.RECRUITER,
            recruiter__company_id=round.drive.company_id,
            recruiter__deleted_at__isnull=True,
        )
    )


def _panel_free(*, panel: list[User], starts_at, ends_at, except_slot: int | None = None) -> None:
    """409 when a member of `panel` sits on another slot overlapping [starts_at, ends_at). The
    caller holds the members' row locks, so two slots of one interviewer cannot race."""
    seats = SlotPanelist.objects.filter(
        user__in=panel,
        slot__deleted_at__isnull=True,
        slot__starts_at__lt=ends_at,
        slot__ends_at__gt=starts_at,
    )
    if except_slot is not None:
        seats = seats.exclude(slot_id=except_slot)
    busy = seats.select_related("user", "slot").order_by("slot__starts_at").first()
    if busy is not None:
        when = timezone.localtime(busy.slot.starts_at)
        raise Conflict(
            f"{busy.user.get_full_name() or busy.user.email} is on another panel at "
            f"{when:%d %b %Y, %H:%M}.",
            details={"panelist": busy.user_id, "slot": busy.slot_id},
        )


@transaction.atomic
def slot_create(
    *,
    round: DriveRound,
    starts_at,
    duration_minutes: int,
    venue: str = "",
    meeting_link: str = "",
    capacity: int = 1,
    panel: list[User] = (),
) -> InterviewSlot:
    """A slot of `round` with its panel (staff or the company's recruiters), none of whom is on
    another panel at an overlapping time (409)."""
    _where_check(venue=venue, meeting_link=meeting_link)
    members = sorted({user.pk for user in panel})
    allowed = set(panel_candidates(round=round).filter(pk__in=members).values_list("pk", flat=True))
    if set(members) - allowed:
        raise ValidationError(
            {"panel": ["Panel members are the placement office or the company's recruiters."]}
        )
    locked = list(User.objects.select_for_update().filter(pk__in=members).order_by("pk"))
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    _panel_free(panel=locked, starts_at=starts_at, ends_at=ends_at)
    slot = InterviewSlot.objects.create(
        round=round,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        venue=venue,
        meeting_link=meeting_link,
        capacity=capacity,
    )
    SlotPanelist.objects.bulk_create(SlotPanelist(slot=slot, user=user) for user in locked)
    return slot


@transaction.atomic
def slot_delete(*, slot: InterviewSlot) -> int:
    """Removes a slot: its interviews are cancelled (each student is told), its panel freed."""
    slot = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
    booked = list(slot.interviews.all())
    for interview in booked:
        interview_cancel(interview=interview)
    SlotPanelist.objects.filter(slot=slot).delete()
    slot.delete()
    return len(booked)


@transaction.atomic
def round_scheduling_set(*, round: DriveRound, students_pick: bool) -> RoundScheduling:
    """Whether students may pick a free slot of `round` themselves."""
    scheduling, _ = RoundScheduling.all_objects.select_for_update().get_or_create(round=round)
    if scheduling.is_deleted:
        scheduling.restore()
    if scheduling.students_pick != students_pick:
        scheduling.students_pick = students_pick
        scheduling.save(update_fields=["students_pick"])
    return scheduling


def students_pick(round_id: int) -> bool:
    return RoundScheduling.objects.filter(round_id=round_id, students_pick=True).exists()


def _panel_names(slot: InterviewSlot) -> str:
    names = [
        seat.user.get_full_name() or seat.user.email
        for seat in slot.panelists.select_related("user").order_by("id")
    ]
    return ", ".join(names)[:200]


def _slot_book_locked(*, slot: InterviewSlot, application: Application) -> Interview:
    """Books `application` into `slot`, whose row lock the caller holds (the seats count)."""
    if slot.interviews.count() >= slot.capacity:
        raise Conflict("This slot is full.", details={"slot": slot.pk})
    return interview_schedule(
        application=application,
        round=slot.round,
        scheduled_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        venue=slot.venue,
        meeting_link=slot.meeting_link,
        interviewer=_panel_names(slot),
        slot=slot,
    )


@transaction.atomic
def slot_book(*, slot: InterviewSlot, application: Application, actor: User) -> Interview:
    """An applicant takes a seat of `slot`: the office for anyone; a student for their own
    application, in a slot still to come, when the office lets students pick for the round.
    Never beyond the capacity (409 `This slot is full.`), never two interviews of one student
    at once (409), once per round (409)."""
    slot = (
        InterviewSlot.objects.select_for_update(of=("self",))
        .select_related("round__drive")
        .get(pk=slot.pk)
    )
    if actor.role == Role.STUDENT:
        if application.student.user_id != actor.pk:
            raise PermissionDenied("You can book your own interviews only.")
        if not students_pick(slot.round_id):
            raise PermissionDenied("The placement office assigns the slots of this round.")
        if slot.starts_at <= timezone.now():
            raise ValidationError({"slot": ["This slot has started already."]})
    return _slot_book_locked(slot=slot, application=application)


@transaction.atomic
def slots_assign(*, round: DriveRound, scope: QuerySet[Application]) -> dict:
    """Fills the slots of `round` still to come with the drive's shortlisted and in-process
    applicants who have no interview of the round, in shortlist order (who was shortlisted
    first), each in the first slot with a free seat where the student is free. Returns the
    interviews made and the applicants left without a slot."""
    slots = list(
        InterviewSlot.objects.select_for_update(of=("self",))
        .filter(round=round, starts_at__gt=timezone.now())
        .select_related("round__drive")
        .order_by("starts_at", "id")
    )
    waiting = list(
        scope.alive()
        .filter(drive_id=round.drive_id, status__in=SCHEDULABLE)
        .exclude(pk__in=Interview.objects.filter(round=round).values("application_id"))
        .select_related("student")
        .order_by("shortlisted_at", "id")
    )
    seats = {slot.pk: slot.capacity - slot.interviews.count() for slot in slots}
    made, left = [], []
    for application in waiting:
        for slot in slots:
            if seats[slot.pk] <= 0:
                continue
            try:
                with transaction.atomic():
                    made.append(_slot_book_locked(slot=slot, application=application))
            except Conflict:  # the student is busy then: the next slot
                continue
            seats[slot.pk] -= 1
            break
        else:
            left.append(application)
    return {"interviews": made, "unassigned": left}


# --- Results that move the application ---------------------------------------------------------

RESULT_STATUSES = frozenset(
    {InterviewStatus.CLEARED, InterviewStatus.REJECTED, InterviewStatus.NO_SHOW}
)
S = ApplicationStatus
# Where a result takes an open application, by its status: the stages it passes through.
CLEARED_LAST = {S.SHORTLISTED: (S.IN_PROCESS, S.OFFERED), S.IN_PROCESS: (S.OFFERED,)}
CLEARED_OTHER = {S.SHORTLISTED: (S.IN_PROCESS,)}


def _moves(*, interview: Interview, last_round: dict[int, int]) -> tuple:
    application = interview.application
    if application.status not in OPEN_STATUSES:
        return ()
    if interview.status == InterviewStatus.REJECTED:
        return (S.REJECTED,)
    if interview.status == InterviewStatus.CLEARED:
        last = interview.round.sequence >= last_round.get(application.drive_id, 0)
        return (CLEARED_LAST if last else CLEARED_OTHER).get(application.status, ())
    return ()


def _applications_follow(*, interviews: list[Interview], actor: User | None) -> None:
    """Moves each interview's application as its result says: cleared the last round of the
    drive, on to `offered` (ready for an offer); cleared another, on to `in_process` (the next
    round); rejected, `rejected`; a no-show moves nothing. Through the applications' bulk move
    (its checks, audit and mails), a few queries whatever the number of interviews."""
    drives = {interview.application.drive_id for interview in interviews}
    last_round = dict(
        DriveRound.objects.filter(drive_id__in=drives)
        .values("drive_id")
        .annotate(last=Max("sequence"))
        .values_list("drive_id", "last")
    )
    plans = {
        interview.application_id: _moves(interview=interview, last_round=last_round)
        for interview in interviews
    }
    for step in range(2):
        by_target: dict[str, list[int]] = {}
        for application_id, moves in plans.items():
            if len(moves) > step:
                by_target.setdefault(moves[step], []).append(application_id)
        for target, ids in sorted(by_target.items()):
            applications.applications_bulk_move(
                scope=Application.objects.all(),
                ids=ids,
                status=target,
                actor=actor,
                note="Interview result.",
                by_system=actor is None,
            )


@transaction.atomic
def interview_results_record(
    *, scope: QuerySet[Interview], results: list[dict], actor: User
) -> list[int]:
    """Records the results of many interviews (of the caller's `scope`) at once, all or nothing
    (`status` cleared, rejected or no-show; `feedback` optional), and moves their applications
    (see `_applications_follow`). One UPDATE and one audit entry per interview."""
    wanted = {int(result["id"]): result for result in results}
    if len(wanted) != len(results):
        raise ValidationError({"results": ["Each interview once."]})
    found = list(
        scope.alive()
        .select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .select_related("application", "round")
        .order_by("pk")
    )
    missing = sorted(set(wanted) - {interview.pk for interview in found})
    if missing:
        raise ValidationError({"results": [f"Not found: {missing}."]})
    changes, now = {}, timezone.now()
    for interview in found:
        result = wanted[interview.pk]
        if result["status"] not in RESULT_STATUSES:
            raise ValidationError({"results": [f"{result['status']} is not a result."]})
        change = {"status": [interview.status, result["status"]]}
        interview.status = result["status"]
        if "feedback" in result:
            change["feedback"] = [interview.feedback, result["feedback"]]
            interview.feedback = result["feedback"]
        interview.updated_at, interview.updated_by = now, actor
        changes[interview.pk] = change
    Interview.objects.bulk_update(found, ["status", "feedback", "updated_at", "updated_by"])
    audit_bulk_update(model=Interview, changes=changes, actor=actor)
    _applications_follow(interviews=found, actor=actor)
    return [interview.pk for interview in found]
