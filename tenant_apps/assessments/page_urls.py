"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.assessments import pages, student_pages

office_urlpatterns: list = [
    path("assessments/", pages.assessment_list, name="assessments"),
    path("assessments/new/", pages.assessment_new, name="assessment-new"),
    path("assessments/<int:pk>/", pages.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", pages.assessment_edit, name="assessment-edit"),
    path("assessments/banks/", pages.bank_list, name="banks"),
    path("assessments/banks/<int:pk>/", pages.bank_detail, name="bank"),
    path("assessments/banks/<int:pk>/questions/new/", pages.question_new, name="question-new"),
    path("assessments/questions/<int:pk>/edit/", pages.question_edit, name="question-edit"),
]
student_urlpatterns: list = [
    path("assessments/", student_pages.assessments, name="assessments"),
    path("assessments/<int:pk>/start/", student_pages.assessment_start, name="assessment-start"),
    path("attempts/<int:pk>/", student_pages.attempt, name="attempt"),
    path("attempts/<int:pk>/answer/", student_pages.attempt_answer, name="attempt-answer"),
    path("attempts/<int:pk>/submit/", student_pages.attempt_submit, name="attempt-submit"),
    path("attempts/<int:pk>/result/", student_pages.attempt_result, name="attempt-result"),
]
recruiter_urlpatterns: list = []
