"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.applications import pages, recruiter_pages, student_pages

office_urlpatterns: list = [
    path("offers/", pages.offer_list, name="offers"),
    path("offers/new/", pages.offer_new, name="offer-new"),
    path("offers/<int:pk>/", pages.offer_detail, name="offer"),
    path("offers/<int:pk>/letter/", pages.offer_letter, name="offer-letter"),
]
student_urlpatterns: list = [
    path("applications/", student_pages.applications, name="applications"),
    path(
        "applications/<int:pk>/withdraw/",
        student_pages.application_withdraw,
        name="application-withdraw",
    ),
    path("offers/", student_pages.offers, name="offers"),
    path("offers/<int:pk>/accept/", student_pages.offer_accept, name="offer-accept"),
    path("offers/<int:pk>/decline/", student_pages.offer_decline, name="offer-decline"),
]
recruiter_urlpatterns: list = [
    path(
        "drives/<int:pk>/applicants/move/",
        recruiter_pages.applicants_move,
        name="applicants-move",
    ),
    path("applicants/<int:pk>/", recruiter_pages.applicant, name="applicant"),
]
