"""The student's interview agenda, in the college's time zone (activated by the page decorator),
each with its "add to calendar" file."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import PermissionDenied, ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import STUDENT, page
from tenant_apps.access import interviews_for, slots_for
from tenant_apps.applications.models import Application
from tenant_apps.drives.models import RoundKind
from tenant_apps.interviews import services
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.interviews.selectors import (
    INTERVIEW_READ_MODEL,
    SLOT_READ_MODEL,
    interview_output,
    slot_output,
)
from tenant_apps.kit.pages import page_of
from tenant_apps.kit.viewsets import PageRows


def calendar_url(name: str, pk: int) -> str | None:
    """The interview's `.ics` download, once its page is installed."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def agenda_rows(rows: list[dict], *, ics: str, with_feedback: bool) -> list[dict]:
    return [
        {
            **interview_output(row, with_feedback=with_feedback),
            "round_label": row["round_name"] or RoundKind(row["round_kind"]).label,
            "status_label": InterviewStatus(row["status"]).label,
            "ics": calendar_url(ics, row["id"]),
        }
        for row in rows
    ]


def agenda_queryset(user, when: str):
    queryset = interviews_for(user).alive()
    now = timezone.now()
    if when == "past":
        return queryset.filter(ends_at__lte=now).order_by("-scheduled_at", "-id")
    return queryset.filter(ends_at__gt=now).order_by("scheduled_at", "id")


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def interviews(request):
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    page_obj = Paginator(
        PageRows(agenda_queryset(request.user, when), INTERVIEW_READ_MODEL), 20
    ).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "rows": agenda_rows(list(page_obj), ics="student:interview-ics", with_feedback=False),
        "when": when,
        "time_zone": timezone.get_current_timezone_name(),
        "can_pick": slots_for(request.user)
        .alive()
        .filter(starts_at__gt=timezone.now())
        .exclude(round__in=interviews_for(request.user).alive().values("round_id"))
        .exists(),
    }
    return render(request, "interviews/student/interviews.html", context)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def slots(request):
    """The free slots the student may pick (rounds the office opened to students, of drives
    where they are shortlisted or in process), and taking one."""
    upcoming = slots_for(request.user).alive().filter(starts_at__gt=timezone.now())
    error = None
    if request.method == "POST":
        slot_id = request.POST.get("slot", "")
        slot = get_object_or_404(
            upcoming.select_related("round__drive"), pk=slot_id if slot_id.isdigit() else 0
        )
        application = (
            Application.objects.filter(
                student__user_id=request.user.pk,
                drive_id=slot.round.drive_id,
                status__in=services.SCHEDULABLE,
            )
            .select_related("student")
            .first()
        )
        try:
            if application is None:
                raise PlacemateError("You have no application this slot is for.")
            interview = services.slot_book(slot=slot, application=application, actor=request.user)
        except (PlacemateError, PermissionDenied, ValidationError) as refused:
            error = getattr(refused, "message", None) or _first_message(refused.detail)
        else:
            when = timezone.localtime(interview.scheduled_at)
            messages.success(
                request,
                f"Booked: {when:%A} {when.day} {when:%B, %H:%M}. It is in your interviews, "
                "with its calendar file.",
            )
            return redirect("student:interviews")
    page_obj = page_of(request, upcoming.order_by("starts_at", "id"), SLOT_READ_MODEL)
    booked_rounds = set(interviews_for(request.user).alive().values_list("round_id", flat=True))
    rows = [
        {
            **slot_output(row, for_student=True),
            "round_label": row["round_name"] or RoundKind(row["round_kind"]).label,
            "booked_round": row["round_ref"] in booked_rounds,
        }
        for row in page_obj
    ]
    context = {
        "page_obj": page_obj,
        "rows": rows,
        "error": error,
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "interviews/student/slots.html", context, status=409 if error else 200)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        detail = next(iter(detail.values()), "")
    if isinstance(detail, list):
        detail = detail[0] if detail else ""
    return str(detail)
