"""Analytics endpoints: the dashboard's stats, a drive's funnel, the placement report (JSON, CSV,
XLSX), a drive's recommended students and a student's recommended drives."""

from django.db.models import Value
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.models import Role
from shared_apps.billing.limits import ensure_feature
from tenant_apps.access import drives_for
from tenant_apps.analytics import exports
from tenant_apps.analytics.selectors import (
    RECOMMENDATION_PARTS,
    RECOMMENDATION_SCORE_DOC,
    ScoredRows,
    dashboard_stats,
    drive_funnel,
    drive_recommendations,
    placement_report,
    recommendation_output,
    student_recommended_drives,
)
from tenant_apps.analytics.serializers import (
    DashboardStatsOutput,
    FunnelOutput,
    PlacementReportOutput,
    RecommendationOutput,
    RecommendedDriveOutput,
    ReportQuery,
    SeasonQuery,
)
from tenant_apps.drives.filters import EligibleStudentFilter
from tenant_apps.drives.models import Drive
from tenant_apps.drives.selectors import DRIVE_READ_MODEL, drive_output
from tenant_apps.kit.filters import QuietDjangoFilterBackend
from tenant_apps.kit.permissions import ALL, STAFF, STUDENT, ActionRoles
from tenant_apps.students.filters import STUDENT_SEARCH_FIELDS
from tenant_apps.students.models import Student
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_of, student_output


def _drive_in_scope(user, pk) -> Drive:
    """The drive if the caller may see it (404 otherwise, whatever the action)."""
    return get_object_or_404(drives_for(user).alive().select_related("company"), pk=pk)


def _season(request):
    query = SeasonQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.season()


class DashboardStatsApi(APIView):
    """Staff: the college's placement figures, for the whole season or a batch, a job type and
    a period. Cached per college; any committed write to the college's data refreshes them."""

    permission_classes = [ActionRoles]
    action_roles = {"*": STAFF}

    @extend_schema(parameters=[SeasonQuery], responses=DashboardStatsOutput)
    def get(self, request):
        return Response(dashboard_stats(season=_season(request)))


class DriveFunnelApi(APIView):
    """Staff, and the drive's company's recruiters: how many applications reached each stage
    (applied → shortlisted → in process → offered → accepted) and how many left, and how."""

    permission_classes = [ActionRoles]
    action_roles = {"*": ALL}  # scope first (404), then the role (403)

    @extend_schema(responses=FunnelOutput)
    def get(self, request, pk: int):
        drive = _drive_in_scope(request.user, pk)
        if not (request.user.is_college_staff or request.user.role == Role.RECRUITER):
            raise PermissionDenied("Only the placement office and the drive's recruiters.")
        return Response(drive_funnel(drive=drive))


class PlacementReportApi(APIView):
    """Staff: placements by department, company and CTC band, for the whole season or a part
    of it (the file of the same report: `reports/placements/export/`)."""

    permission_classes = [ActionRoles]
    action_roles = {"*": STAFF}

    @extend_schema(parameters=[SeasonQuery], responses=PlacementReportOutput)
    def get(self, request):
        return Response(placement_report(season=_season(request)))


class PlacementReportExportApi(APIView):
    """Staff, on plans with exports: the placement report as a file. `format=csv` (default):
    one table whose `group` column tells departments, companies and CTC bands apart;
    `format=xlsx`: a workbook with a sheet per group."""

    permission_classes = [ActionRoles]
    action_roles = {"*": STAFF}
    schema = exports.ReportFileSchema()

    def perform_content_negotiation(self, request, force=False):
        # `format` picks the file here, not a DRF renderer; errors stay JSON envelopes.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[ReportQuery],
        responses={200: OpenApiResponse(description="The file (see ReportFileSchema).")},
    )
    def get(self, request):
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ensure_feature("exports")
        report = placement_report(season=query.season())
        if query.validated_data["format"] == "csv":
            return exports.attachment(exports.report_csv(report), extension="csv")
        return exports.attachment(exports.report_xlsx(report), extension="xlsx")


class DriveRecommendationsApi(generics.ListAPIView):
    __doc__ = (
        "Staff: the students eligible for the drive, ranked by a score computed in the "
        "database, with its parts. " + RECOMMENDATION_SCORE_DOC
    )

    queryset = Student.objects.none()
    permission_classes = [ActionRoles]
    action_roles = {"*": ALL}  # scope first (404), then staff only (403)
    filter_backends = [QuietDjangoFilterBackend, SearchFilter]
    filterset_class = EligibleStudentFilter
    search_fields = STUDENT_SEARCH_FIELDS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        drive = _drive_in_scope(self.request.user, self.kwargs["pk"])
        if not self.request.user.is_college_staff:
            raise PermissionDenied("Only the placement office sees recommendations.")
        ensure_feature("recommendations")
        return drive_recommendations(drive=drive)

    @extend_schema(responses=RecommendationOutput(many=True))
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(
            ScoredRows(
                queryset,
                STUDENT_READ_MODEL,
                RECOMMENDATION_PARTS,
                lambda scored, row: recommendation_output(scored, student_output(row)),
            )
        )
        return self.get_paginated_response(page)


class StudentRecommendedDrivesApi(generics.ListAPIView):
    """A student: the open drives they may apply to (eligible, not applied yet), best skill
    match first (the match of their skill ratings against each drive's skill weights, from 0
    to 1, as in a drive's recommendations), then the nearest deadline."""

    queryset = Drive.objects.none()
    permission_classes = [ActionRoles]
    action_roles = {"*": STUDENT}
    filter_backends = [SearchFilter]
    search_fields = ["title", "company__name", "location"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        ensure_feature("recommendations")
        student = student_of(self.request.user)
        if student is None:  # no profile yet: nothing to match
            return Drive.objects.none().annotate(skill_match=Value(0.0))
        return student_recommended_drives(student=student)

    @extend_schema(responses=RecommendedDriveOutput(many=True))
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(
            ScoredRows(
                queryset,
                DRIVE_READ_MODEL,
                ("skill_match",),
                lambda scored, row: {
                    "drive": drive_output(row),
                    "skill_match": round(scored["skill_match"], 4),
                },
            )
        )
        return self.get_paginated_response(page)
