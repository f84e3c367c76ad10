"""The placement office's interview pages: the agenda of a day or a week (in the college's time
zone), scheduling a round for one applicant or many at once, and one interview: its result, a new
time, its cancellation. Every write goes through `services`, validated by the API's own
serializers."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import applications_for, drives_for, interviews_for
from tenant_apps.drives.models import DriveStatus
from tenant_apps.interviews import services
from tenant_apps.interviews.filters import INTERVIEW_SEARCH_FIELDS, InterviewFilter
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.interviews.selectors import INTERVIEW_READ_MODEL
from tenant_apps.interviews.serializers import InterviewChangeInput, InterviewInput
from tenant_apps.kit.pages import QuickSelect, filtered, page_of, searched

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MOVABLE = ("duration_minutes", "venue", "meeting_link", "interviewer")
RESULTS = [
    (InterviewStatus.CLEARED.value, "Cleared"),
    (InterviewStatus.REJECTED.value, "Rejected"),
    (InterviewStatus.NO_SHOW.value, "No show"),
]


def _drive_choices(user, *, relevant: QuerySet | None = None, chosen: str = "") -> list[tuple]:
    """The drives to choose from (never drafts): the `relevant` ones (ids) and the one `chosen`,
    or all of them."""
    drives = drives_for(user).alive().exclude(status=DriveStatus.DRAFT)
    if relevant is not None:
        wanted = Q(pk__in=relevant)
        if chosen.isdigit():
            wanted |= Q(pk=chosen)
        drives = drives.filter(wanted)
    return [
        (drive["id"], f"{drive['title']} · {drive['company__name']}")
        for drive in drives.order_by("-id").values("id", "title", "company__name")
    ]


# --- The agenda ------------------------------------------------------------------------------


class AgendaRangeForm(forms.Form):
    view = forms.ChoiceField(
        label="Show", choices=[("day", "One day"), ("week", "The week")], required=False
    )
    date = forms.DateField(label="Day", required=False, widget=forms.DateInput({"type": "date"}))


class AgendaForm(AgendaRangeForm):
    drive = forms.TypedChoiceField(label="Drive", coerce=int, required=False, widget=QuickSelect)
    status = forms.ChoiceField(label="Status", required=False)
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput({"type": "search"}))

    def __init__(self, *args, drives: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drive"].choices = [("", "All drives"), *drives]
        self.fields["status"].choices = [("", "Any status"), *InterviewStatus.choices]


def _agenda_range(form: AgendaRangeForm) -> tuple[str, date, list[date]]:
    """The view (`day` or `week`), the chosen day and the days shown (Monday to Sunday)."""
    form.is_valid()  # a refused value (say, a date that is none) leaves the others in force
    data = form.cleaned_data
    view = data.get("view") or "day"
    day = data.get("date") or timezone.localdate()
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return view, day, [monday + timedelta(days=i) for i in range(7)]
    return view, day, [day]


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@page(roles=OFFICE)
def agenda(request):
    params = request.GET.copy()  # the form shows the day and view it is showing
    params.setdefault("view", "day")
    params.setdefault("date", timezone.localdate().isoformat())
    view, day, days = _agenda_range(AgendaRangeForm(params))
    start, end = _local_start(days[0]), _local_start(days[-1] + timedelta(days=1))
    interviews = interviews_for(request.user).alive().filter(scheduled_at__gte=start)
    interviews = interviews.filter(scheduled_at__lt=end)
    # A big college has a thousand drives: the filter lists those with an interview in the days
    # shown (and the one chosen), the others would only empty the agenda.
    drives = _drive_choices(
        request.user,
        relevant=interviews.values("application__drive_id"),
        chosen=request.GET.get("drive", ""),
    )
    form = AgendaForm(params, drives=drives)
    interviews = filtered(interviews, InterviewFilter, request.GET)
    interviews = searched(interviews, INTERVIEW_SEARCH_FIELDS, request.GET.get("q", ""))
    page_obj = page_of(request, interviews.order_by("scheduled_at", "id"), INTERVIEW_READ_MODEL)
    by_day: dict[date, list[dict]] = {shown: [] for shown in days}
    for row in page_obj:
        by_day.setdefault(timezone.localtime(row["scheduled_at"]).date(), []).append(row)
    step = timedelta(days=7 if view == "week" else 1)
    context = {
        "form": form,
        "view": view,
        "day": day,
        "days": [{"date": shown, "interviews": by_day[shown]} for shown in days],
        "page_obj": page_obj,
        "today": timezone.localdate(),
        "previous": day - step,
        "next": day + step,
    }
    if request.htmx:  # the days changed: their drives replace those of the filter (out of band)
        context["drive_select"] = form["drive"].as_widget(attrs={"hx-swap-oob": "true"})
        return render(request, "interviews/pages/agenda_results.html", context)
    return render(request, "interviews/pages/agenda.html", context)


# --- Scheduling one applicant or many ----------------------------------------------------------


class ScheduleForm(forms.Form):
    round = forms.TypedChoiceField(label="Round", coerce=int, widget=QuickSelect)
    applications = forms.TypedMultipleChoiceField(
        label="Applicants", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    scheduled_at = forms.DateTimeField(
        label="First interview starts",
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput({"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="In the college's time zone. The next applicant's slot follows the previous one.",
    )
    duration_minutes = forms.IntegerField(label="Each interview lasts (minutes)", initial=30)
    gap_minutes = forms.IntegerField(
        label="Break between interviews (minutes)", initial=0, min_value=0, max_value=240
    )
    venue = forms.CharField(label="Venue", required=False, help_text="Or a meeting link.")
    meeting_link = forms.CharField(
        label="Meeting link", required=False, widget=forms.URLInput({"placeholder": "https://"})
    )
    interviewer = forms.CharField(label="Interviewer", required=False)

    def __init__(self, *args, rounds: list[tuple], applicants: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = rounds
        self.fields["applications"].choices = [(row["id"], row["label"]) for row in applicants]


def _applicants(user, drive) -> list[dict]:
    """The drive's applications that can be scheduled (shortlisted or in process)."""
    rows = (
        applications_for(user)
        .alive()
        .filter(drive=drive, status__in=services.SCHEDULABLE)
        .order_by("student__roll_number", "id")
        .values(
            "id",
            "status",
            "student__roll_number",
            "student__user__first_name",
            "student__user__last_name",
        )
    )
    return [
        {
            "id": row["id"],
            "status": row["status"],
            "roll_number": row["student__roll_number"],
            "name": f"{row['student__user__first_name']} {row['student__user__last_name']}",
            "label": f"{row['student__roll_number']} {row['student__user__first_name']} "
            f"{row['student__user__last_name']}",
        }
        for row in rows
    ]


class SlotRefused(Exception):
    """One applicant's interview was refused: nothing of the batch is kept."""

    def __init__(self, applicant: str, error: ValidationError | PlacemateError):
        super().__init__(applicant)
        self.applicant = applicant
        self.error = error


def _schedule_all(*, user, form: ScheduleForm, labels: dict[int, str]) -> int:
    """One interview per chosen applicant, back to back, all or nothing: each through the API's
    input serializer and `interview_schedule` (its checks: status, round, once per round, the
    student's free slot)."""
    data = form.cleaned_data
    slot = timedelta(minutes=data["duration_minutes"] + data["gap_minutes"])
    scope = applications_for(user).alive()
    with transaction.atomic():
        for index, application in enumerate(data["applications"]):
            payload = InterviewInput(
                data={
                    "application": application,
                    "round": data["round"],
                    "scheduled_at": (data["scheduled_at"] + index * slot).isoformat(),
                    "duration_minutes": data["duration_minutes"],
                    "venue": data["venue"],
                    "meeting_link": data["meeting_link"],
                    "interviewer": data["interviewer"],
                },
                applications=scope,
            )
            try:
                payload.is_valid(raise_exception=True)
                services.interview_schedule(**payload.validated_data)
            except (ValidationError, PlacemateError) as error:
                raise SlotRefused(labels.get(application, str(application)), error) from error
    return len(data["applications"])


@page(roles=OFFICE)
def schedule(request):
    drive_id = request.POST.get("drive") or request.GET.get("drive")
    drive = None
    if drive_id and drive_id.isdigit():
        drive = get_object_or_404(drives_for(request.user).alive(), pk=drive_id)
    drives = QuickSelect(
        {"id": "id_drive", "required": True},
        [("", "Choose a drive"), *_drive_choices(request.user)],
    )
    context = {"drive_select": drives.render("drive", drive.pk if drive else None), "drive": drive}
    if drive is None:
        return render(request, "interviews/pages/schedule.html", context)
    applicants = _applicants(request.user, drive)
    rounds = [(r.pk, f"{r.sequence}. {r}") for r in drive.rounds.order_by("sequence", "id")]
    preselected = request.GET.get("application", "")
    initial = {"applications": [int(preselected)] if preselected.isdigit() else []}
    form = ScheduleForm(request.POST or None, initial=initial, rounds=rounds, applicants=applicants)
    if request.method == "POST" and form.is_valid():
        labels = {row["id"]: row["label"] for row in applicants}
        try:
            count = _schedule_all(user=request.user, form=form, labels=labels)
        except SlotRefused as refused:
            form.add_error(None, f"Nothing was scheduled: {refused.applicant} could not be.")
            attach_errors(form, refused.error)
        else:
            first = timezone.localtime(form.cleaned_data["scheduled_at"])
            messages.success(
                request,
                f"Scheduled {count} interview{'s' if count != 1 else ''} "
                f"from {first:%d %b %Y, %H:%M}.",
            )
            return redirect(f"{reverse('office:interviews')}?date={first.date().isoformat()}")
    chosen = {str(value) for value in (form["applications"].value() or [])}
    context.update(
        form=form,
        applicants=[{**row, "checked": str(row["id"]) in chosen} for row in applicants],
    )
    return render(request, "interviews/pages/schedule.html", context)


# --- One interview: its result, a new time, cancelling it ----------------------------------------


class ResultForm(forms.Form):
    status = forms.ChoiceField(label="Result", choices=[("", "Choose the result"), *RESULTS])
    feedback = forms.CharField(
        label="Feedback",
        required=False,
        widget=forms.Textarea({"rows": 5}),
        help_text="For the placement office and the company; students do not see it.",
    )


class RescheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Starts",
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput({"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    duration_minutes = forms.IntegerField(label="Lasts (minutes)")
    venue = forms.CharField(label="Venue", required=False)
    meeting_link = forms.CharField(label="Meeting link", required=False, widget=forms.URLInput)
    interviewer = forms.CharField(label="Interviewer", required=False)


def _saved(*, interview, form: forms.Form, actor) -> bool:
    """`form`'s fields through the API's change serializer and `interview_update`; a refusal
    goes on the form."""
    data = {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in form.cleaned_data.items()
    }
    serializer = InterviewChangeInput(data=data)
    try:
        serializer.is_valid(raise_exception=True)
        services.interview_update(interview=interview, actor=actor, **serializer.validated_data)
    except (ValidationError, PlacemateError) as error:
        attach_errors(form, error)
        return False
    return True


@page(roles=OFFICE)
def interview(request, pk: int):
    found = get_object_or_404(interviews_for(request.user).alive(), pk=pk)
    action = request.POST.get("action", "result") if request.method == "POST" else None
    result_initial = {"feedback": found.feedback}
    if found.status != InterviewStatus.SCHEDULED:
        result_initial["status"] = found.status
    result_form = ResultForm(
        request.POST if action == "result" else None, initial=result_initial, prefix="result"
    )
    slot_initial = {
        "scheduled_at": timezone.localtime(found.scheduled_at),
        **{name: getattr(found, name) for name in MOVABLE},
    }
    slot_form = RescheduleForm(
        request.POST if action == "reschedule" else None, initial=slot_initial, prefix="slot"
    )
    if action == "cancel":
        services.interview_cancel(interview=found)
        messages.success(request, "The interview is cancelled; the student is told.")
        day = timezone.localtime(found.scheduled_at).date().isoformat()
        return redirect(f"{reverse('office:interviews')}?date={day}")
    form = {"result": result_form, "reschedule": slot_form}.get(action)
    if (
        form is not None
        and form.is_valid()
        and _saved(interview=found, form=form, actor=request.user)
    ):
        if action == "result":
            result = dict(RESULTS)[form.cleaned_data["status"]]
            messages.success(request, f"Result recorded: {result}.")
        else:
            messages.success(request, "The interview is moved; the student is told.")
        return redirect("office:interview", pk=found.pk)
    (row,) = INTERVIEW_READ_MODEL.rows([found.pk])
    context = {"interview": row, "form": result_form, "slot_form": slot_form}
    return render(request, "interviews/pages/interview.html", context)
