"""The drives a student sees: every open drive, each with the reasons (in the eligibility rules'
own words) why they cannot apply, if they cannot; a drive's page; applying through the
applications service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.accounts.policies import college_settings
from core.api.errors import PlacemateError
from core.web.decorators import STUDENT, page
from tenant_apps.access import applications_for, visible_drives
from tenant_apps.applications import services as applications
from tenant_apps.applications.models import OPEN_STATUSES, Application
from tenant_apps.drives.eligibility import (
    DriveTerms,
    Rule,
    StudentTerms,
    all_hold,
    drive_ineligibility_reasons,
    eligibility_rules,
)
from tenant_apps.drives.models import (
    Drive,
    JobType,
    RoundKind,
    accepting_applications,
)
from tenant_apps.drives.selectors import DRIVE_READ_MODEL, drive_output
from tenant_apps.kit.errors import NotEligible
from tenant_apps.students.models import Student
from tenant_apps.students.selectors import student_of
from tenant_apps.students.verification import drives_waiting_on_verification

ORDERINGS = {"apply_by": ("apply_by", "id"), "-ctc": ("-ctc", "apply_by", "id")}


def with_verdicts(queryset: QuerySet[Drive], student: Student) -> tuple[QuerySet[Drive], list]:
    """Each drive annotated with `ok_<code>` for every eligibility rule, in the same query: the
    rules' own conditions over the drives' columns and the student's values."""
    rules = eligibility_rules(
        drive=DriveTerms.columns(), student=StudentTerms.of(student), policy=college_settings()
    )
    verdicts = {
        f"ok_{rule.code}": ExpressionWrapper(rule.holds, output_field=BooleanField())
        for rule in rules
    }
    return queryset.annotate(**verdicts), rules


def reasons_of(drive: Drive, student: Student, rules: list[Rule]) -> list[dict]:
    return [
        {"code": rule.code, "message": rule.explain(drive, student)}
        for rule in rules
        if not getattr(drive, f"ok_{rule.code}")
    ]


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def drives(request):
    student = student_of(request.user)
    context = {"job_types": JobType.choices, "params": request.GET}
    if student is None:
        return render(request, "drives/student/drives.html", context)
    applied = Application.objects.filter(student=student, drive=OuterRef("pk"))
    queryset = (
        Drive.objects.filter(accepting_applications())
        .select_related("company")
        .annotate(applied=Exists(applied))
    )
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(
            Q(title__icontains=query)
            | Q(company__name__icontains=query)
            | Q(location__icontains=query)
        )
    if request.GET.get("job_type") in JobType.values:
        queryset = queryset.filter(job_type=request.GET["job_type"])
    queryset, rules = with_verdicts(queryset, student)
    if request.GET.get("can_apply"):
        queryset = queryset.filter(all_hold(rules), applied=False)
    ordering = request.GET.get("ordering", "apply_by")
    queryset = queryset.order_by(*ORDERINGS.get(ordering, ORDERINGS["apply_by"]))
    page_obj = Paginator(queryset, 20).get_page(request.GET.get("page"))
    context.update(
        student=student,
        # when verification is what keeps drives away, the list says so (and how many)
        waiting_on_verification=(
            0 if student.is_verified else drives_waiting_on_verification(student=student)
        ),
        page_obj=page_obj,
        cards=[{"drive": d, "reasons": reasons_of(d, student, rules)} for d in page_obj],
        ordering=ordering,
    )
    template = "drives/student/drive_results.html" if request.htmx else "drives/student/drives.html"
    return render(request, template, context)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def drive(request, pk: int):
    drive = get_object_or_404(visible_drives(request.user).select_related("company"), pk=pk)
    (row,) = DRIVE_READ_MODEL.rows([drive.pk])
    student = student_of(request.user)
    application = applications_for(request.user).alive().filter(drive=drive).order_by("-id").first()
    reasons = []
    if student is not None and application is None:
        reasons = drive_ineligibility_reasons(drive=drive, student=student)
    detail = drive_output(row)
    for round_ in detail["rounds"]:
        round_["label"] = round_["name"] or RoundKind(round_["kind"]).label
    context = {
        "drive": drive,
        "detail": detail,
        "student": student,
        "application": application,
        "can_withdraw": application is not None and application.status in OPEN_STATUSES,
        "reasons": reasons,
    }
    return render(request, "drives/student/drive.html", context)


def _refusal(error: PlacemateError) -> str:
    if isinstance(error, NotEligible):
        reasons = " ".join(reason["message"] for reason in error.details["reasons"])
        return f"{error.message} {reasons}"
    return error.message


@page(roles=STUDENT)
@require_POST
def drive_apply(request, pk: int):
    drive = get_object_or_404(visible_drives(request.user), pk=pk)
    here = reverse("student:drive", args=[drive.pk])
    student = student_of(request.user)
    if student is None:
        messages.error(request, "Create your profile first: then you can apply.")
        return HttpResponseRedirect(reverse("student:profile-details"))
    try:  # the drive is resolved through the page's scope above
        applications.application_create(student=student, drive=drive)
    except PlacemateError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, f"You applied to {drive.title}: follow it under Applications.")
    return HttpResponseRedirect(here)
