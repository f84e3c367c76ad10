"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from tenant_apps.administration import pages

office_urlpatterns: list = [
    path("settings/", pages.settings_page, name="settings"),
    path("settings/offer-tiers/", pages.offer_tiers_page, name="offer-tiers"),
    path("members/", pages.members, name="members"),
    path("members/invite/", pages.member_invite, name="member-invite"),
    path("members/<int:pk>/", pages.member_update, name="member-update"),
    path(
        "members/invitations/<int:pk>/revoke/",
        pages.invitation_revoke,
        name="invitation-revoke",
    ),
    path("audit/", pages.audit, name="audit"),
]
student_urlpatterns: list = []
recruiter_urlpatterns: list = []
