"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.announcements import pages, student_pages

office_urlpatterns: list = [
    path("announcements/", pages.announcements, name="announcements"),
    path("announcements/new/", pages.announcement_new, name="announcement-new"),
    path("announcements/<int:pk>/", pages.announcement, name="announcement"),
]
student_urlpatterns: list = [
    path("announcements/", student_pages.announcements, name="announcements"),
    path("announcements/<int:pk>/", student_pages.announcement, name="announcement"),
]
recruiter_urlpatterns: list = []
