"""The root domain: onboarding, plans, billing webhook, operator console and platform API."""

from django.contrib import admin
from django.urls import include, path

from config.urls_common import (  # noqa: F401
    common_urlpatterns,
    fallback_urlpatterns,
    handler400,
    handler403,
    handler404,
    handler500,
)
from core.accounts import pages
from core.accounts.urls import auth_urlpatterns
from shared_apps.billing.apis import PlanListApi, WebhookApi
from shared_apps.console import views as console_views
from shared_apps.onboarding.urls import api_urlpatterns as onboarding_api
from shared_apps.onboarding.urls import page_urlpatterns as onboarding_pages
from tenants.apis import ExportDownloadApi

api_v1 = [
    *auth_urlpatterns,
    path("plans/", PlanListApi.as_view(), name="plans"),
    path("billing/webhook/", WebhookApi.as_view(), name="stripe-webhook"),
    *onboarding_api,
    path("exports/<str:token>/", ExportDownloadApi.as_view(), name="college-export"),
    path("", include("shared_apps.console.urls")),
]

urlpatterns = [
    path("admin/metrics/", admin.site.admin_view(console_views.metrics), name="console-metrics"),
    *common_urlpatterns(urlconf="config.urls_public", title="Placemate platform API"),
    path("api/v1/", include(api_v1)),
    *onboarding_pages,
    path("reset-password/", pages.reset_password, name="page-reset-password"),
    *fallback_urlpatterns,  # last
]
