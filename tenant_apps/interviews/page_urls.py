"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.interviews import (
    calendar_pages,
    pages,
    recruiter_pages,
    slot_pages,
    student_pages,
)

office_urlpatterns: list = [
    path("interviews/", pages.agenda, name="interviews"),
    path("interviews/slots/", slot_pages.slots, name="interview-slots"),
    path("interviews/results/", slot_pages.results, name="interview-results"),
    path("interviews/schedule/", pages.schedule, name="interviews-schedule"),
    path("interviews/<int:pk>/", pages.interview, name="interview"),
]
student_urlpatterns: list = [
    path(
        "interviews/<int:pk>/calendar.ics",
        calendar_pages.interview_calendar,
        name="interview-ics",
    ),
    path("interviews/", student_pages.interviews, name="interviews"),
    path("interviews/slots/", student_pages.slots, name="interview-slots"),
]
recruiter_urlpatterns: list = [
    path(
        "interviews/<int:pk>/calendar.ics",
        calendar_pages.interview_calendar,
        name="interview-ics",
    ),
    path("interviews/", recruiter_pages.interviews, name="interviews"),
    path("interviews/<int:pk>/result/", recruiter_pages.interview_result, name="interview-result"),
]
