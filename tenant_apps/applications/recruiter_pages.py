"""The recruiter moves their company's applicants: many at once through the bulk move service
(all or nothing, as `applications/bulk-move/`), and reads one applicant's profile, timeline and
rounds."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import RECRUITER, page
from tenant_apps.access import applications_for, drives_for, interviews_for, students_for
from tenant_apps.applications import services
from tenant_apps.applications.models import ApplicationStatus
from tenant_apps.applications.selectors import APPLICATION_READ_MODEL, timeline
from tenant_apps.applications.serializers import BulkMoveInput
from tenant_apps.interviews.recruiter_pages import ResultForm
from tenant_apps.interviews.selectors import INTERVIEW_READ_MODEL
from tenant_apps.interviews.student_pages import agenda_rows
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_output

LABELS = dict(ApplicationStatus.choices)


def error_text(error: Exception) -> str:
    """A service's or serializer's error as one sentence for a message."""
    if isinstance(error, PlacemateError):
        refused = error.details.get("refused") if isinstance(error.details, dict) else None
        if refused:
            names = ", ".join(f"#{item['id']} ({LABELS.get(item['status'])})" for item in refused)
            return f"{error.message} Cannot move: {names}."
        return error.message
    detail = error.detail if isinstance(error.detail, dict) else {"": error.detail}
    return " ".join(str(message) for messages_ in detail.values() for message in messages_)


@page(roles=RECRUITER)
@require_POST
def applicants_move(request, pk: int):
    drive = get_object_or_404(drives_for(request.user).alive(), pk=pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("recruiter:drive", args=[drive.pk])
    ids = request.POST.getlist("applications")
    if not ids:
        messages.error(request, "Select the applicants to move first.")
        return HttpResponseRedirect(target)
    data = BulkMoveInput(
        data={
            "applications": ids,
            "status": request.POST.get("status", ""),
            "note": request.POST.get("note", ""),
        }
    )
    try:
        data.is_valid(raise_exception=True)
        moved = services.applications_bulk_move(
            scope=applications_for(request.user).filter(drive=drive),
            actor=request.user,
            ids=data.validated_data["applications"],
            status=data.validated_data["status"],
            note=data.validated_data["note"],
        )
    except (ValidationError, PlacemateError) as error:
        messages.error(request, f"Nobody was moved. {error_text(error)}")
    else:
        label = LABELS[data.validated_data["status"]].lower()
        messages.success(
            request, f"{len(moved)} applicant{'s' if len(moved) != 1 else ''} {label}."
        )
    return HttpResponseRedirect(target)


@page(roles=RECRUITER)
@require_http_methods(["GET", "HEAD"])
def applicant(request, pk: int):
    application = get_object_or_404(
        applications_for(request.user).alive().select_related("drive__company"), pk=pk
    )
    (row,) = APPLICATION_READ_MODEL.rows([application.pk])
    student = get_object_or_404(students_for(request.user), pk=application.student_id)
    (student_row,) = STUDENT_READ_MODEL.rows([student.pk])
    interview_ids = list(
        interviews_for(request.user)
        .alive()
        .filter(application=application)
        .order_by("scheduled_at", "id")
        .values_list("pk", flat=True)
    )
    rounds = agenda_rows(
        INTERVIEW_READ_MODEL.rows(interview_ids), ics="recruiter:interview-ics", with_feedback=True
    )
    for interview in rounds:
        interview["form"] = ResultForm(
            initial={"status": interview["status"], "feedback": interview["feedback"]},
            prefix=f"i{interview['id']}",
        )
    context = {
        "application": application,
        "label": LABELS[application.status],
        "stages": [{**stage, "label": LABELS[stage["status"]]} for stage in timeline(row)],
        "profile": student_output(student_row),
        "rounds": rounds,
    }
    return render(request, "applications/recruiter/applicant.html", context)
