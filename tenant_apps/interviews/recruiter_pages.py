"""The recruiter's interview agenda (their company's interviews only) and the results of rounds,
recorded through the interviews service as the API's partial update does."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import RECRUITER, page
from tenant_apps.access import interviews_for
from tenant_apps.interviews import services
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.interviews.selectors import INTERVIEW_READ_MODEL
from tenant_apps.interviews.serializers import InterviewChangeInput
from tenant_apps.interviews.student_pages import agenda_queryset, agenda_rows
from tenant_apps.kit.viewsets import PageRows


class ResultForm(forms.Form):
    status = forms.ChoiceField(label="Result", choices=InterviewStatus.choices)
    feedback = forms.CharField(
        label="Feedback (not shown to the student)",
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
    )


@page(roles=RECRUITER)
@require_http_methods(["GET", "HEAD"])
def interviews(request):
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    page_obj = Paginator(
        PageRows(agenda_queryset(request.user, when), INTERVIEW_READ_MODEL), 20
    ).get_page(request.GET.get("page"))
    rows = agenda_rows(list(page_obj), ics="recruiter:interview-ics", with_feedback=True)
    for row in rows:
        row["form"] = ResultForm(
            initial={"status": row["status"], "feedback": row["feedback"]},
            prefix=f"i{row['id']}",
        )
    context = {
        "page_obj": page_obj,
        "rows": rows,
        "when": when,
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "interviews/recruiter/interviews.html", context)


@page(roles=RECRUITER)
@require_POST
def interview_result(request, pk: int):
    interview = get_object_or_404(interviews_for(request.user).alive(), pk=pk)
    form = ResultForm(request.POST, prefix=f"i{pk}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("recruiter:interviews")
    if not form.is_valid():
        messages.error(request, "Choose a result: scheduled, cleared, rejected or no show.")
        return HttpResponseRedirect(target)
    data = InterviewChangeInput(data=form.cleaned_data)
    try:
        data.is_valid(raise_exception=True)
        services.interview_update(interview=interview, actor=request.user, **data.validated_data)
    except (ValidationError, PlacemateError) as error:
        detail = getattr(error, "message", None) or "; ".join(
            str(m) for messages_ in error.detail.values() for m in messages_
        )
        messages.error(request, f"The result was not saved: {detail}")
    else:
        label = InterviewStatus(form.cleaned_data["status"]).label
        messages.success(request, f"Round result saved: {label.lower()}.")
    return HttpResponseRedirect(target)
