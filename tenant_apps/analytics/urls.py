from django.urls import path

from tenant_apps.analytics import apis

urlpatterns = [
    path("dashboard/stats/", apis.DashboardStatsApi.as_view(), name="dashboard-stats"),
    path("drives/<int:pk>/funnel/", apis.DriveFunnelApi.as_view(), name="drive-funnel"),
    path(
        "drives/<int:pk>/recommendations/",
        apis.DriveRecommendationsApi.as_view(),
        name="drive-recommendations",
    ),
    path(
        "students/me/recommended-drives/",
        apis.StudentRecommendedDrivesApi.as_view(),
        name="student-recommended-drives",
    ),
    path("reports/placements/", apis.PlacementReportApi.as_view(), name="report-placements"),
    path(
        "reports/placements/export/",
        apis.PlacementReportExportApi.as_view(),
        name="report-placements-export",
    ),
]
