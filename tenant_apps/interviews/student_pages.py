"""The student's interview agenda, in the college's time zone (activated by the page decorator),
each with its "add to calendar" file."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.web.decorators import STUDENT, page
from tenant_apps.access import interviews_for
from tenant_apps.drives.models import RoundKind
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.interviews.selectors import INTERVIEW_READ_MODEL, interview_output
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
    }
    return render(request, "interviews/student/interviews.html", context)
