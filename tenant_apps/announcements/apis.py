from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from core.accounts.models import Role
from tenant_apps.access import announcements_for, drives_for
from tenant_apps.announcements import services
from tenant_apps.announcements.filters import (
    ANNOUNCEMENT_ORDERING_FIELDS,
    ANNOUNCEMENT_SEARCH_FIELDS,
    AnnouncementFilter,
)
from tenant_apps.announcements.models import Announcement
from tenant_apps.announcements.selectors import (
    ANNOUNCEMENT_READ_MODEL,
    announcement_output,
    read_marks,
)
from tenant_apps.announcements.serializers import AnnouncementInput, AnnouncementOutput
from tenant_apps.kit.permissions import STAFF, STUDENT
from tenant_apps.kit.viewsets import ReadModelViewSet
from tenant_apps.students.selectors import student_of


@extend_schema_view(
    list=extend_schema(responses=AnnouncementOutput(many=True)),
    retrieve=extend_schema(
        responses=AnnouncementOutput,
        description="A student reading one marks it read (the first time counts).",
    ),
    create=extend_schema(request=AnnouncementInput, responses={201: AnnouncementOutput}),
    restore=extend_schema(responses=AnnouncementOutput),
)
class AnnouncementViewSet(ReadModelViewSet):
    """Notices of the placement office to a batch, a department or a drive's applicants. Staff
    post them and see how many of their recipients read them (`read_total` of
    `recipients_total`); a student lists those posted to them, with when they read each."""

    queryset = Announcement.objects.all()
    serializer_class = AnnouncementOutput
    filterset_class = AnnouncementFilter
    search_fields = ANNOUNCEMENT_SEARCH_FIELDS
    ordering_fields = ANNOUNCEMENT_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "delete", "options"]
    action_roles = {"list": STAFF | STUDENT, "retrieve": STAFF | STUDENT, "*": STAFF}
    read_model = ANNOUNCEMENT_READ_MODEL

    def get_base_queryset(self):
        return announcements_for(self.request.user)

    def _for_student(self) -> bool:
        return self.request.user.role == Role.STUDENT

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self._for_student() and page and isinstance(page[0], dict):
            self._read = read_marks(user=self.request.user, ids=[row["id"] for row in page])
        return page

    def to_output(self, row):
        if self._for_student():
            return announcement_output(
                row, read_at=getattr(self, "_read", {}).get(row["id"]), for_student=True
            )
        return announcement_output(row)

    def retrieve(self, request, *args, **kwargs):
        announcement = self.get_object()
        if self._for_student():
            student = student_of(request.user)
            if student is not None:
                services.announcement_mark_read(announcement=announcement, student=student)
            self._read = read_marks(user=request.user, ids=[announcement.pk])
        return Response(self.output_for(announcement.pk))

    def create(self, request, *args, **kwargs):
        data = AnnouncementInput(data=request.data)
        data.fields["drive"].queryset = drives_for(request.user).alive()
        data.is_valid(raise_exception=True)
        announcement = services.announcement_post(**data.validated_data)
        return Response(self.output_for(announcement.pk), status=status.HTTP_201_CREATED)
