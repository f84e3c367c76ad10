"""The recruiter's drives (their company's only) and each drive's applicants: their profiles
and résumés, chosen in bulk to shortlist or reject (the form posts to the applications' bulk
move, all or nothing)."""

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from core.web.decorators import RECRUITER, page
from tenant_apps.access import applications_for, drives_for
from tenant_apps.applications.filters import APPLICATION_SEARCH_FIELDS
from tenant_apps.applications.models import (
    MOVER_TARGETS,
    OPEN_STATUSES,
    ApplicationStatus,
)
from tenant_apps.drives.models import RoundKind
from tenant_apps.drives.selectors import DRIVE_READ_MODEL, drive_output
from tenant_apps.kit.pages import searched
from tenant_apps.kit.viewsets import PageRows
from tenant_apps.students.selectors import skill_ratings_subquery

LABELS = dict(ApplicationStatus.choices)
MOVES = [(status, LABELS[status]) for status in ApplicationStatus.values if status in MOVER_TARGETS]


@page(roles=RECRUITER)
@require_http_methods(["GET", "HEAD"])
def drives(request):
    queryset = drives_for(request.user).alive().order_by("-apply_by", "-id")
    page_obj = Paginator(PageRows(queryset, DRIVE_READ_MODEL), 20).get_page(request.GET.get("page"))
    rows = [drive_output(row) for row in page_obj]
    counts: dict[int, dict] = {row["id"]: {"total": 0, "open": 0} for row in rows}
    tallies = (
        applications_for(request.user)
        .alive()
        .filter(drive_id__in=list(counts))
        .values("drive_id")
        .annotate(total=Count("id"), open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
    )
    for tally in tallies:
        counts[tally["drive_id"]] = tally
    for row in rows:
        row["applicants"] = counts[row["id"]]
    return render(request, "drives/recruiter/drives.html", {"page_obj": page_obj, "rows": rows})


def applicant_rows(queryset):
    return queryset.values(
        "id", "status", "created_at", "status_changed_at",
        student_ref=F("student_id"),
        roll_number=F("student__roll_number"),
        first_name=F("student__user__first_name"),
        last_name=F("student__user__last_name"),
        email=F("student__user__email"),
        department=F("student__department"),
        graduation_year=F("student__graduation_year"),
        cgpa=F("student__cgpa"),
        backlogs=F("student__backlogs"),
        resume=F("student__resume"),
        skills=skill_ratings_subquery("student_id"),
    )  # fmt: skip


@page(roles=RECRUITER)
@require_http_methods(["GET", "HEAD"])
def drive(request, pk: int):
    drive = get_object_or_404(drives_for(request.user).alive().select_related("company"), pk=pk)
    (row,) = DRIVE_READ_MODEL.rows([drive.pk])
    applicants = applications_for(request.user).alive().filter(drive=drive)
    tallies = dict(
        applicants.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    status = request.GET.get("status", "")
    if status in LABELS:
        applicants = applicants.filter(status=status)
    applicants = searched(applicants, APPLICATION_SEARCH_FIELDS, request.GET.get("q", ""))
    ordering = "-cgpa" if request.GET.get("ordering") == "-cgpa" else "created_at"
    order = ("-student__cgpa", "id") if ordering == "-cgpa" else ("created_at", "id")
    page_obj = Paginator(applicant_rows(applicants.order_by(*order)), 20).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            **applicant,
            "label": LABELS[applicant["status"]],
            "skills": sorted(applicant["skills"], key=lambda s: (-s["rating"], s["name"])),
        }
        for applicant in page_obj
    ]
    detail = drive_output(row)
    for round_ in detail["rounds"]:
        round_["label"] = round_["name"] or RoundKind(round_["kind"]).label
    context = {
        "drive": drive,
        "detail": detail,
        "page_obj": page_obj,
        "rows": rows,
        "moves": MOVES,
        "status": status,
        "ordering": ordering,
        "tabs": [
            {"status": value, "label": label, "count": tallies.get(value, 0)}
            for value, label in ApplicationStatus.choices
            if tallies.get(value)
        ],
        "total": sum(tallies.values()),
        "params": request.GET,
    }
    template = "drives/recruiter/applicants.html" if request.htmx else "drives/recruiter/drive.html"
    return render(request, template, context)
