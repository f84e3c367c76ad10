"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.companies import pages

office_urlpatterns: list = [
    path("companies/", pages.companies, name="companies"),
    path("companies/new/", pages.company_new, name="company-new"),
    path("companies/<int:pk>/", pages.company, name="company"),
    path("companies/<int:pk>/edit/", pages.company_edit, name="company-edit"),
]
student_urlpatterns: list = []
recruiter_urlpatterns: list = []
