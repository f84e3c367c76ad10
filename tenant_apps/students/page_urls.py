"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.students import pages, student_pages

office_urlpatterns: list = [
    path("students/", pages.students, name="students"),
    path("students/new/", pages.student_new, name="student-new"),
    path("students/bulk/", pages.students_bulk, name="students-bulk"),
    path("students/export/", pages.students_export, name="students-export"),
    path("students/import/", pages.students_import, name="students-import"),
    path(
        "students/import/confirm/",
        pages.students_import_confirm,
        name="students-import-confirm",
    ),
    path("students/import/<int:pk>/", pages.students_import_job, name="students-import-job"),
    path("students/<int:pk>/", pages.student, name="student"),
    path("students/<int:pk>/edit/", pages.student_edit, name="student-edit"),
    path("students/<int:pk>/verify/", pages.student_verify, name="student-verify"),
    path("students/<int:pk>/unverify/", pages.student_unverify, name="student-unverify"),
    path("students/verification/", pages.verification_queue, name="verification-queue"),
    path("students/<int:pk>/send-back/", pages.student_send_back, name="student-send-back"),
]
student_urlpatterns: list = [
    path("", student_pages.home, name="home"),
    path("profile/", student_pages.profile, name="profile"),
    path("profile/details/", student_pages.profile_details, name="profile-details"),
    path("profile/education/", student_pages.profile_education, name="profile-education"),
    path("profile/experience/", student_pages.profile_experience, name="profile-experience"),
    path("profile/skills/", student_pages.profile_skills, name="profile-skills"),
    path("profile/resume/", student_pages.profile_resume, name="profile-resume"),
    path("profile/verification/", student_pages.profile_verification, name="profile-verification"),
]
recruiter_urlpatterns: list = []
