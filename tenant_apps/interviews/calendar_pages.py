"""“Add to calendar”: an interview as an `.ics` file, for whoever may see the interview."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from core.links import workspace_url
from core.web.decorators import MEMBERS, page
from tenant_apps.access import interviews_for
from tenant_apps.interviews import ics


@page(roles=MEMBERS)
def interview_calendar(request, pk: int):
    interview = get_object_or_404(
        interviews_for(request.user)
        .filter(deleted_at__isnull=True)
        .select_related("student__user", "round", "application__drive__company"),
        pk=pk,
    )
    host = request.get_host().split(":", 1)[0]
    body = ics.interview_calendar(
        interview, host=host, url=workspace_url(request.path, request=request)
    )
    response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(interview)}"'
    return response
