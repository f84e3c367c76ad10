"""The student's assessments: those open to them and those taken; taking one, ONE question at a
time with the time left (the server's count; a small deferred script counts it down and submits
at zero, and without it the server closes the attempt at its deadline all the same, as the
attempts services do); the result once the attempt has ended."""

import math

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.api.errors import Conflict, PlacemateError
from core.web.decorators import STUDENT, page
from tenant_apps.access import assessments_for, attempts_for
from tenant_apps.assessments import services
from tenant_apps.assessments.errors import AttemptClosed
from tenant_apps.assessments.models import AttemptStatus, SubmittedBy
from tenant_apps.assessments.selectors import (
    ASSESSMENT_READ_MODEL,
    ATTEMPT_READ_MODEL,
    assessment_output,
    attempt_current_question,
    attempt_output,
    attempt_review,
)
from tenant_apps.assessments.serializers import AnswerInput
from tenant_apps.kit.viewsets import PageRows
from tenant_apps.students.selectors import student_of


def _taken(row: dict) -> bool:
    return row["attempt"] is not None and row["attempt"]["status"] == AttemptStatus.SUBMITTED


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def assessments(request):
    queryset = assessments_for(request.user).alive().order_by("-id")
    page_obj = Paginator(PageRows(queryset, ASSESSMENT_READ_MODEL), 20).get_page(
        request.GET.get("page")
    )
    rows = [assessment_output(row, with_questions=False) for row in page_obj]
    attempts = dict(
        attempts_for(request.user)
        .alive()
        .filter(assessment_id__in=[row["id"] for row in rows])
        .values_list("assessment_id", "pk")
    )
    outputs = {
        row["assessment_ref"]: attempt_output(row)
        for row in ATTEMPT_READ_MODEL.rows(list(attempts.values()))
    }
    for row in rows:
        row["attempt"] = outputs.get(row["id"])
    context = {
        "page_obj": page_obj,
        "available": [row for row in rows if not _taken(row)],
        "taken": [row for row in rows if _taken(row)],
    }
    return render(request, "assessments/student/assessments.html", context)


@page(roles=STUDENT)
@require_POST
def assessment_start(request, pk: int):
    assessment = get_object_or_404(assessments_for(request.user).alive(), pk=pk)
    student = student_of(request.user)
    if student is None:
        messages.error(request, "Create your profile first: then you can take assessments.")
        return HttpResponseRedirect(reverse("student:profile-details"))
    try:
        attempt, _created = services.attempt_start(assessment=assessment, student=student)
    except Conflict as error:
        messages.info(request, error.message)
        return HttpResponseRedirect(
            reverse("student:attempt-result", args=[error.details["attempt"]])
        )
    except PlacemateError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("student:assessments"))
    return HttpResponseRedirect(reverse("student:attempt", args=[attempt.pk]))


def _attempt(request, pk: int):
    attempt = get_object_or_404(attempts_for(request.user).alive(), pk=pk)
    return services.attempt_refresh(attempt=attempt)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def attempt(request, pk: int):
    attempt = _attempt(request, pk)
    if not attempt.is_running:
        return HttpResponseRedirect(reverse("student:attempt-result", args=[attempt.pk]))
    (row,) = ATTEMPT_READ_MODEL.rows([attempt.pk])
    seconds = math.ceil(attempt.remaining().total_seconds())
    context = {
        "attempt": attempt_output(row),
        "question": attempt_current_question(attempt),
        "seconds_left": seconds,
        "time_left": f"{seconds // 60}:{seconds % 60:02d}",
    }
    return render(request, "assessments/student/attempt.html", context)


@page(roles=STUDENT)
@require_POST
def attempt_answer(request, pk: int):
    attempt = get_object_or_404(attempts_for(request.user).alive(), pk=pk)
    data = AnswerInput(
        data={"question": request.POST.get("question"), "choices": request.POST.getlist("choices")}
    )
    try:
        data.is_valid(raise_exception=True)
        services.attempt_answer(
            attempt=attempt,
            question_id=data.validated_data["question"],
            choice_ids=data.validated_data["choices"],
        )
    except AttemptClosed:
        messages.info(request, "Time is up: your attempt was submitted at its deadline.")
        return HttpResponseRedirect(reverse("student:attempt-result", args=[attempt.pk]))
    except (ValidationError, PlacemateError):
        messages.error(request, "That answer was not saved: answer the question shown.")
    return HttpResponseRedirect(reverse("student:attempt", args=[attempt.pk]))


@page(roles=STUDENT)
@require_POST
def attempt_submit(request, pk: int):
    attempt = get_object_or_404(attempts_for(request.user).alive(), pk=pk)
    attempt = services.attempt_submit(attempt=attempt)
    if attempt.submitted_by == SubmittedBy.DEADLINE:
        messages.info(request, "Time is up: your attempt was submitted at its deadline.")
    else:
        messages.success(request, "Your attempt is submitted.")
    return HttpResponseRedirect(reverse("student:attempt-result", args=[attempt.pk]))


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def attempt_result(request, pk: int):
    attempt = _attempt(request, pk)
    if attempt.is_running:
        return HttpResponseRedirect(reverse("student:attempt", args=[attempt.pk]))
    (row,) = ATTEMPT_READ_MODEL.rows([attempt.pk])
    review = attempt_review(attempt)
    for question in review:
        selected = set(question["selected"])
        question["choices"] = [
            {**choice, "selected": choice["id"] in selected} for choice in question["choices"]
        ]
    context = {"attempt": attempt_output(row), "review": review}
    return render(request, "assessments/student/result.html", context)
