"""Routes served on every host: health, the OpenAPI schema of the host's own URL set, and on
the root domain the Django admin, which is the operators' console (it requires OTP)."""

from django.contrib import admin
from django.urls import path, re_path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from core.accounts.forms import AdminLoginForm
from core.api.fallback import unknown_path
from core.api.views import healthz, readyz

admin.site.__class__ = OTPAdminSite  # admin login asks for a TOTP code; no device, no admin
admin.site.login_form = AdminLoginForm


def common_urlpatterns(*, urlconf: str, title: str, with_admin: bool = True) -> list:
    schema = SpectacularAPIView.as_view(urlconf=urlconf, custom_settings={"TITLE": title})
    patterns = [
        path("healthz", healthz, name="healthz"),
        path("readyz", readyz, name="readyz"),
        path("api/schema/", schema, name="schema"),
        path(
            "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"
        ),
        path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    ]
    if with_admin:
        patterns.append(path("admin/", admin.site.urls))
    return patterns


# The last route of each URL set: an unknown path answers handler404, never a debug page.
fallback_urlpatterns = [re_path(r"^(?P<path>.*)$", unknown_path, name="unknown-path")]

handler400 = "core.api.views.bad_request"
handler403 = "core.api.views.permission_denied"
handler404 = "core.api.views.page_not_found"
handler500 = "core.api.views.server_error"
