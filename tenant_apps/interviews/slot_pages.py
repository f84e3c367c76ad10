"""The placement office's interview slots of a round (define them with their panel and capacity,
let students pick or fill them in shortlist order, see who is booked with whom), and the results
of a round recorded for many applicants at once, which move their applications. Every write goes
through `services`, validated by the API's serializers; times are the college's wall clock."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import applications_for, drives_for, interviews_for, slots_for
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews import services
from tenant_apps.interviews.models import Interview, InterviewStatus
from tenant_apps.interviews.pages import DATETIME_LOCAL, RESULTS, _drive_choices
from tenant_apps.interviews.selectors import (
    INTERVIEW_READ_MODEL,
    SLOT_READ_MODEL,
    slot_output,
)
from tenant_apps.interviews.serializers import ResultsInput, SlotInput
from tenant_apps.kit.pages import QuickSelect, page_of


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput({"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="In the college's time zone.",
    )
    duration_minutes = forms.IntegerField(label="Lasts (minutes)", initial=30)
    capacity = forms.IntegerField(
        label="Applicants in the slot", initial=1, help_text="More than one: a group round."
    )
    venue = forms.CharField(label="Venue", required=False, help_text="Or a meeting link.")
    meeting_link = forms.CharField(
        label="Meeting link", required=False, widget=forms.URLInput({"placeholder": "https://"})
    )
    panel = forms.TypedMultipleChoiceField(
        label="Panel", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Nobody sits on two panels at the same time.",
    )  # fmt: skip

    def __init__(self, *args, panel: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].choices = panel


def _chosen_round(request):
    """The drive and round the page is about (GET or POST), within the caller's drives."""
    params = request.POST if request.method == "POST" else request.GET
    drive_id, round_id = params.get("drive", ""), params.get("round", "")
    drive = round_ = None
    if drive_id.isdigit():
        drive = get_object_or_404(
            drives_for(request.user).alive().select_related("company"), pk=drive_id
        )
        rounds = DriveRound.objects.filter(drive=drive).order_by("sequence", "id")
        if round_id.isdigit():
            round_ = get_object_or_404(rounds.select_related("drive"), pk=round_id)
        else:
            round_ = rounds.select_related("drive").first()
    return drive, round_


def _pickers(request, drive, round_, name: str) -> dict:
    drives = QuickSelect(
        {"id": f"{name}-drive", "required": True},
        [("", "Choose a drive"), *_drive_choices(request.user)],
    )
    context = {"drive_select": drives.render("drive", drive.pk if drive else None)}
    if drive is not None:
        rounds = DriveRound.objects.filter(drive=drive).order_by("sequence", "id")
        context["round_select"] = QuickSelect(
            {"id": f"{name}-round"}, [(r.pk, f"{r.sequence}. {r}") for r in rounds]
        ).render("round", round_.pk if round_ else None)
    return context


def _here(drive, round_, view: str = "office:interview-slots") -> str:
    return f"{reverse(view)}?drive={drive.pk}&round={round_.pk}"


def _slot_create(request, form: SlotForm, round_) -> bool:
    data = form.cleaned_data
    payload = SlotInput(
        data={
            **{k: v for k, v in data.items() if k != "starts_at"},
            "starts_at": data["starts_at"].isoformat(),
            "round": round_.pk,
        },
        rounds=DriveRound.objects.filter(pk=round_.pk),
    )
    try:
        payload.is_valid(raise_exception=True)
        services.slot_create(**payload.validated_data)
    except (ValidationError, PlacemateError) as error:
        attach_errors(form, error)
        return False
    return True


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def slots(request):
    drive, round_ = _chosen_round(request)
    context = {"drive": drive, "round": round_, **_pickers(request, drive, round_, "slots")}
    if round_ is None:
        return render(request, "interviews/pages/slots.html", context)
    candidates = services.panel_candidates(round=round_).order_by("role", "first_name", "email")
    panel = [
        (user.pk, f"{user.get_full_name() or user.email} ({user.get_role_display()})")
        for user in candidates.only("pk", "first_name", "last_name", "email", "role")
    ]
    action = request.POST.get("action") if request.method == "POST" else None
    form = SlotForm(request.POST if action == "create" else None, panel=panel)
    if action == "create" and form.is_valid() and _slot_create(request, form, round_):
        messages.success(request, "The slot is added.")
        return redirect(_here(drive, round_))
    if action == "policy":
        allowed = request.POST.get("students_pick") == "on"
        services.round_scheduling_set(round=round_, students_pick=allowed)
        messages.success(
            request,
            "Students can now pick a free slot of this round."
            if allowed
            else "Only the office fills the slots of this round now.",
        )
        return redirect(_here(drive, round_))
    if action == "assign":
        done = services.slots_assign(round=round_, scope=applications_for(request.user))
        made, left = len(done["interviews"]), len(done["unassigned"])
        text = f"{made} applicant{'s' if made != 1 else ''} booked in shortlist order."
        if left:
            text += f" {left} could not be: no free slot where they are free."
        (messages.warning if left else messages.success)(request, text)
        return redirect(_here(drive, round_))
    if action == "delete":
        slot_id = request.POST.get("slot", "")
        slot = get_object_or_404(
            slots_for(request.user).alive(), pk=slot_id if slot_id.isdigit() else 0
        )
        cancelled = services.slot_delete(slot=slot)
        messages.success(
            request, f"The slot is removed; {cancelled} interview(s) cancelled, students told."
        )
        return redirect(_here(drive, round_))
    page_obj = page_of(
        request, slots_for(request.user).alive().filter(round=round_), SLOT_READ_MODEL
    )
    waiting = (
        applications_for(request.user)
        .alive()
        .filter(drive=drive, status__in=services.SCHEDULABLE)
        .exclude(pk__in=Interview.objects.filter(round=round_).values("application_id"))
        .count()
    )
    context.update(
        form=form,
        page_obj=page_obj,
        slots=[slot_output(row) for row in page_obj],
        students_pick=services.students_pick(round_.pk),
        waiting=waiting,
    )
    return render(request, "interviews/pages/slots.html", context)


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def results(request):
    """A round's scheduled interviews, each with a result to choose; one submit records them
    all (all or nothing) and moves the applications."""
    drive, round_ = _chosen_round(request)
    context = {"drive": drive, "round": round_, **_pickers(request, drive, round_, "results")}
    if round_ is None:
        return render(request, "interviews/pages/results.html", context)
    pending = (
        interviews_for(request.user).alive().filter(round=round_, status=InterviewStatus.SCHEDULED)
    )
    errors = []
    if request.method == "POST":
        chosen = [
            {"id": int(pk), "status": request.POST[f"result-{pk}"],
             "feedback": request.POST.get(f"feedback-{pk}", "")}
            for pk in request.POST.getlist("interview")
            if pk.isdigit() and request.POST.get(f"result-{pk}")
        ]  # fmt: skip
        data = ResultsInput(data={"results": chosen})
        try:
            data.is_valid(raise_exception=True)
            recorded = services.interview_results_record(
                scope=pending, results=data.validated_data["results"], actor=request.user
            )
        except (ValidationError, PlacemateError) as error:
            detail = getattr(error, "message", None) or error.detail
            errors = [
                "Nothing was recorded: choose a result for at least one applicant."
                if not chosen
                else f"Nothing was recorded: {detail}"
            ]
        else:
            count = len(recorded)
            messages.success(
                request,
                f"{count} result{'s' if count != 1 else ''} recorded; the applications moved on "
                "and the applicants are told.",
            )
            return redirect(_here(drive, round_, "office:interview-results"))
    page_obj = page_of(request, pending.order_by("scheduled_at", "id"), INTERVIEW_READ_MODEL, 100)
    last = DriveRound.objects.filter(drive=drive).order_by("-sequence").first()
    context.update(
        page_obj=page_obj,
        rows=list(page_obj),
        results=RESULTS,
        errors=errors,
        is_last=last is not None and last.pk == round_.pk,
    )
    return render(request, "interviews/pages/results.html", context)
