from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.accounts.models import Role
from tenant_apps.access import applications_for, drives_for, interviews_for, slots_for
from tenant_apps.applications.models import Application
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews import services
from tenant_apps.interviews.filters import (
    INTERVIEW_ORDERING_FIELDS,
    INTERVIEW_SEARCH_FIELDS,
    SLOT_ORDERING_FIELDS,
    SLOT_SEARCH_FIELDS,
    InterviewFilter,
    SlotFilter,
)
from tenant_apps.interviews.models import Interview, InterviewSlot
from tenant_apps.interviews.selectors import (
    INTERVIEW_READ_MODEL,
    SLOT_READ_MODEL,
    interview_output,
    slot_output,
)
from tenant_apps.interviews.serializers import (
    AssignOutput,
    InterviewChangeInput,
    InterviewInput,
    InterviewOutput,
    ResultsInput,
    ResultsOutput,
    SchedulingInput,
    SlotAssignInput,
    SlotBookInput,
    SlotInput,
    SlotOutput,
)
from tenant_apps.kit.permissions import ALL, STAFF, STAFF_AND_RECRUITER, STUDENT
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
        "results": STAFF_AND_RECRUITER,
        "*": STAFF,
    }

    def get_base_queryset(self):
        return interviews_for(self.request.user)

    read_model = INTERVIEW_READ_MODEL
    datacache_models = (
        "interviews.Interview",
        "drives.DriveRound",
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
    )

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
        services.interview_update(interview=interview, actor=request.user, **data.validated_data)
        return Response(self.output_for(interview.pk))

    def perform_destroy(self, instance) -> None:
        services.interview_cancel(interview=instance)

    @extend_schema(request=ResultsInput, responses=ResultsOutput)
    @action(detail=False, methods=["post"])
    def results(self, request, *args, **kwargs):
        """Records the results of many interviews at once, all or nothing, and moves their
        applications: cleared the last round → `offered`; another → `in_process`; rejected →
        `rejected`."""
        data = ResultsInput(data=request.data)
        data.is_valid(raise_exception=True)
        recorded = services.interview_results_record(
            scope=interviews_for(request.user),
            results=data.validated_data["results"],
            actor=request.user,
        )
        statuses = Interview.objects.filter(pk__in=recorded).values_list(
            "application_id", "application__status"
        )
        return Response({"recorded": recorded, "applications": {str(pk): s for pk, s in statuses}})


def _rounds_for(user):
    return DriveRound.objects.filter(drive__in=drives_for(user).alive().values("pk"))


def _interview_out(pk: int, user) -> dict:
    (row,) = INTERVIEW_READ_MODEL.rows([pk])
    return interview_output(row, with_feedback=user.role != Role.STUDENT)


@extend_schema_view(
    list=extend_schema(responses=SlotOutput(many=True)),
    retrieve=extend_schema(responses=SlotOutput),
    create=extend_schema(request=SlotInput, responses={201: SlotOutput}),
    destroy=extend_schema(responses={204: None}),
    restore=extend_schema(exclude=True),
)
class InterviewSlotViewSet(ReadModelViewSet):
    """Interview slots of a round, each with its panel and capacity. Staff define them, fill
    them in shortlist order (`assign`) or let students pick (`scheduling`); a student lists the
    slots still to come that they may pick and books one (`book`); recruiters read their
    company's. Times are ISO 8601 with their offset."""

    queryset = InterviewSlot.objects.all()
    serializer_class = SlotOutput
    filterset_class = SlotFilter
    search_fields = SLOT_SEARCH_FIELDS
    ordering_fields = SLOT_ORDERING_FIELDS
    ordering = ["starts_at", "id"]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "delete", "options"]
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "book": STAFF | STUDENT,
        "*": STAFF,
    }
    read_model = SLOT_READ_MODEL

    def get_base_queryset(self):
        queryset = slots_for(self.request.user)
        if self.request.user.role == Role.STUDENT:
            queryset = queryset.filter(starts_at__gt=timezone.now())
        return queryset

    def to_output(self, row):
        return slot_output(row, for_student=self.request.user.role == Role.STUDENT)

    def create(self, request, *args, **kwargs):
        data = SlotInput(data=request.data, rounds=_rounds_for(request.user))
        data.is_valid(raise_exception=True)
        slot = services.slot_create(**data.validated_data)
        return Response(self.output_for(slot.pk), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance) -> None:
        services.slot_delete(slot=instance)

    @extend_schema(request=SlotBookInput, responses={201: InterviewOutput})
    @action(detail=True, methods=["post"])
    def book(self, request, *args, **kwargs):
        slot = self.get_object()
        user = request.user
        if user.role == Role.STUDENT:
            application = (
                Application.objects.filter(
                    student__user_id=user.pk,
                    drive_id=slot.round.drive_id,
                    status__in=services.SCHEDULABLE,
                )
                .select_related("student")
                .first()
            )
            if application is None:
                raise ValidationError({"slot": ["You have no application this slot is for."]})
        else:
            data = SlotBookInput(data=request.data, applications=applications_for(user).alive())
            data.is_valid(raise_exception=True)
            application = data.validated_data.get("application")
            if application is None:
                raise ValidationError({"application": ["Name the application to book."]})
        interview = services.slot_book(slot=slot, application=application, actor=user)
        return Response(_interview_out(interview.pk, user), status=status.HTTP_201_CREATED)

    @extend_schema(request=SlotAssignInput, responses=AssignOutput)
    @action(detail=False, methods=["post"])
    def assign(self, request, *args, **kwargs):
        data = SlotAssignInput(data=request.data, rounds=_rounds_for(request.user))
        data.is_valid(raise_exception=True)
        done = services.slots_assign(
            round=data.validated_data["round"], scope=applications_for(request.user)
        )
        return Response(
            {
                "interviews": [interview.pk for interview in done["interviews"]],
                "unassigned": [application.pk for application in done["unassigned"]],
            }
        )

    @extend_schema(request=SchedulingInput, responses=SchedulingInput)
    @action(detail=False, methods=["post"])
    def scheduling(self, request, *args, **kwargs):
        data = SchedulingInput(data=request.data, rounds=_rounds_for(request.user))
        data.is_valid(raise_exception=True)
        scheduling = services.round_scheduling_set(**data.validated_data)
        return Response({"round": scheduling.round_id, "students_pick": scheduling.students_pick})
