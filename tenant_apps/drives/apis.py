from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tenant_apps.access import drives_for
from tenant_apps.drives import services
from tenant_apps.drives.eligibility import drive_eligible_students
from tenant_apps.drives.filters import (
    DRIVE_ORDERING_FIELDS,
    DRIVE_SEARCH_FIELDS,
    DriveFilter,
    EligibleStudentFilter,
)
from tenant_apps.drives.models import Drive, DriveStudentListEntry
from tenant_apps.drives.selectors import (
    DRIVE_READ_MODEL,
    LIST_ENTRY_READ_MODEL,
    drive_output,
    list_entry_output,
)
from tenant_apps.drives.serializers import (
    DriveInput,
    DriveOutput,
    StudentListInput,
    StudentListOutput,
)
from tenant_apps.kit.permissions import ALL, STAFF, ActionRoles
from tenant_apps.kit.viewsets import FILTER_BACKENDS, ReadModelViewSet, paginated_rows
from tenant_apps.students.filters import STUDENT_ORDERING_FIELDS, STUDENT_SEARCH_FIELDS
from tenant_apps.students.models import Student
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_output
from tenant_apps.students.serializers import StudentOutput


@extend_schema_view(
    list=extend_schema(responses=DriveOutput(many=True)),
    retrieve=extend_schema(responses=DriveOutput),
    create=extend_schema(request=DriveInput, responses={201: DriveOutput}),
    partial_update=extend_schema(request=DriveInput, responses=DriveOutput),
    restore=extend_schema(responses=DriveOutput),
)
class DriveViewSet(ReadModelViewSet):
    """Placement drives. Staff manage all; a recruiter sees their company's; a student sees the
    open drives they are eligible for (and those they applied to)."""

    queryset = Drive.objects.all()
    serializer_class = DriveOutput  # documents the output; rows are shaped in selectors
    filterset_class = DriveFilter
    search_fields = DRIVE_SEARCH_FIELDS
    ordering_fields = DRIVE_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    action_roles = {"list": ALL, "retrieve": ALL, "*": STAFF}

    def get_base_queryset(self):
        return drives_for(self.request.user)

    read_model = DRIVE_READ_MODEL
    datacache_models = (
        "drives.DriveSkill",
        "drives.DriveRound",
        "students.Skill",
        "accounts.CollegeSettings",
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
        # the eligibility rules read the offer tiers and the drives' named lists
        "applications.OfferTier",
        "drives.DriveStudentListEntry",
    )

    def to_output(self, row):
        return drive_output(row)

    def create(self, request, *args, **kwargs):
        data = DriveInput(data=request.data)
        data.is_valid(raise_exception=True)
        drive = services.drive_create(**data.validated_data)
        return Response(self.output_for(drive.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        drive = self.get_object()
        data = DriveInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.drive_update(drive=drive, **data.validated_data)
        return Response(self.output_for(drive.pk))


class DriveEligibleStudentsApi(generics.ListAPIView):
    """Staff: the students eligible for the drive, decided in the database by the same rules
    that refuse an application (`not_eligible`)."""

    queryset = Student.objects.none()
    permission_classes = [ActionRoles]
    filter_backends = FILTER_BACKENDS
    action_roles = {"*": ALL}  # scope first (404), then staff only (403)
    filterset_class = EligibleStudentFilter
    search_fields = STUDENT_SEARCH_FIELDS
    ordering_fields = STUDENT_ORDERING_FIELDS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        drive = get_object_or_404(drives_for(self.request.user).alive(), pk=self.kwargs["pk"])
        if not self.request.user.is_college_staff:
            raise PermissionDenied("Only the placement office lists eligible students.")
        return drive_eligible_students(drive=drive)

    @extend_schema(responses=StudentOutput(many=True))
    def get(self, request, *args, **kwargs):
        page = paginated_rows(self, self.filter_queryset(self.get_queryset()), STUDENT_READ_MODEL)
        return self.get_paginated_response([student_output(row) for row in page])


def _entry_output(entry: DriveStudentListEntry) -> dict:
    """One entry as the list shows it (through its read model)."""
    return list_entry_output(LIST_ENTRY_READ_MODEL.rows([entry.pk])[0])


class DriveStudentListApi(generics.ListAPIView):
    """Staff: the students named on the drive, included (eligible whatever the criteria) or
    excluded (never eligible), each with its reason. `POST` names one (again: changes the list
    or the reason); `DELETE .../student-list/{entry}/` removes the name."""

    queryset = DriveStudentListEntry.objects.none()
    permission_classes = [ActionRoles]
    filter_backends = FILTER_BACKENDS
    action_roles = {"*": ALL}  # scope first (404), then staff only (403)
    filterset_fields = ["kind"]
    ordering_fields = ["created_at", "kind"]

    def drive(self) -> Drive:
        drive = get_object_or_404(drives_for(self.request.user).alive(), pk=self.kwargs["pk"])
        if not self.request.user.is_college_staff:
            raise PermissionDenied("Only the placement office names students on a drive.")
        return drive

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            DriveStudentListEntry.objects.filter(drive=self.drive())
            .select_related("student__user")
            .order_by("kind", "id")
        )

    @extend_schema(responses=StudentListOutput(many=True))
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset()).select_related(None)
        page = paginated_rows(self, queryset, LIST_ENTRY_READ_MODEL)
        return self.get_paginated_response([list_entry_output(row) for row in page])

    @extend_schema(request=StudentListInput, responses={201: StudentListOutput})
    def post(self, request, *args, **kwargs):
        drive = self.drive()
        data = StudentListInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.drive_student_list_set(drive=drive, **data.validated_data)
        return Response(_entry_output(entry), status=status.HTTP_201_CREATED)


class DriveStudentListEntryApi(DriveStudentListApi):
    http_method_names = ["get", "delete", "options"]

    @extend_schema(responses={204: None})
    def delete(self, request, *args, **kwargs):
        entry = get_object_or_404(self.get_queryset(), pk=self.kwargs["entry"])
        services.drive_student_list_remove(entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=StudentListOutput, operation_id="drives_student_list_entry")
    def get(self, request, *args, **kwargs):
        entry = get_object_or_404(self.get_queryset(), pk=self.kwargs["entry"])
        return Response(_entry_output(entry))
