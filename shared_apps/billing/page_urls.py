"""Workspace pages of this app, by namespace (config/urls_workspace.py mounts them)."""

from django.urls import path

from shared_apps.billing import pages

office_urlpatterns: list = [
    path("billing/", pages.billing, name="billing"),
    path("billing/checkout/", pages.billing_checkout, name="billing-checkout"),
    path("billing/portal/", pages.billing_portal, name="billing-portal"),
]
