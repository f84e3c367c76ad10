"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.drives import pages, recruiter_pages, student_pages

office_urlpatterns: list = [
    path("drives/", pages.drive_list, name="drives"),
    path("drives/new/", pages.drive_new, name="drive-new"),
    path("drives/<int:pk>/", pages.drive_detail, name="drive"),
    path("drives/<int:pk>/edit/", pages.drive_edit, name="drive-edit"),
    path("drives/<int:pk>/status/", pages.drive_status, name="drive-status"),
    path("drives/<int:pk>/applicants/export/", pages.drive_export, name="drive-export"),
    path("drives/<int:pk>/eligible/", pages.drive_eligible, name="drive-eligible"),
    path(
        "drives/<int:pk>/recommendations/",
        pages.drive_recommendations_page,
        name="drive-recommendations",
    ),
]
student_urlpatterns: list = [
    path("drives/", student_pages.drives, name="drives"),
    path("drives/<int:pk>/", student_pages.drive, name="drive"),
    path("drives/<int:pk>/apply/", student_pages.drive_apply, name="drive-apply"),
]
recruiter_urlpatterns: list = [
    path("", recruiter_pages.drives, name="drives"),
    path("drives/<int:pk>/", recruiter_pages.drive, name="drive"),
]
