"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.analytics import pages

office_urlpatterns: list = [
    path("", pages.home, name="home"),
    path("reports/", pages.reports, name="reports"),
    path("reports/export/", pages.reports_export, name="reports-export"),
]
student_urlpatterns: list = []
recruiter_urlpatterns: list = []
