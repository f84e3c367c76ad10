from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from core.accounts.models import Role
from tenant_apps.access import applications_for, interviews_for
from tenant_apps.interviews import services
from tenant_apps.interviews.filters import (
    INTERVIEW_ORDERING_FIELDS,
    INTERVIEW_SEARCH_FIELDS,
    InterviewFilter,
)
from tenant_apps.interviews.models import Interview
from tenant_apps.interviews.selectors import INTERVIEW_READ_MODEL, interview_output
from tenant_apps.interviews.serializers import (
    InterviewChangeInput,
    InterviewInput,
    InterviewOutput,
)
from tenant_apps.kit.permissions import ALL, STAFF, STAFF_AND_RECRUITER
from tenant_apps.kit.viewsets import ReadModelViewSet


@extend_schema_view(
    list=extend_schema(responses=InterviewOutput(many=True)),
    retrieve=extend_schema(responses=InterviewOutput),
    create=extend_schema(request=InterviewInput, responses={201: InterviewOutput}),
    partial_update=extend_schema(request=InterviewChangeInput, responses=InterviewOutput),
    restore=extend_schema(responses=InterviewOutput),
)
class InterviewViewSet(ReadModelViewSet):
    """Interview rounds. Staff and recruiters (their company's applicants) schedule them and
    record results; a student reads their own schedule (without the interviewers' feedback)."""

    queryset = Interview.objects.all()
    serializer_class = InterviewOutput  # documents the output; rows are shaped in selectors
    filterset_class = InterviewFilter
    search_fields = INTERVIEW_SEARCH_FIELDS
    ordering_fields = INTERVIEW_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "create": STAFF_AND_RECRUITER,
        "partial_update": STAFF_AND_RECRUITER,
        "destroy": STAFF_AND_RECRUITER,
        "*": STAFF,
    }

    def get_base_queryset(self):
        return interviews_for(self.request.user)

    read_model = INTERVIEW_READ_MODEL

    def to_output(self, row):
        return interview_output(row, with_feedback=self.request.user.role != Role.STUDENT)

    def create(self, request, *args, **kwargs):
        data = InterviewInput(
            data=request.data, applications=applications_for(request.user).alive()
        )
        data.is_valid(raise_exception=True)
        interview = services.interview_schedule(**data.validated_data)
        return Response(self.output_for(interview.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        interview = self.get_object()
        data = InterviewChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.interview_update(interview=interview, **data.validated_data)
        return Response(self.output_for(interview.pk))

    def perform_destroy(self, instance) -> None:
        services.interview_cancel(interview=instance)
