"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.notifications import student_pages

office_urlpatterns: list = []
student_urlpatterns: list = [
    path("notifications/", student_pages.notifications, name="notifications"),
]
recruiter_urlpatterns: list = []
