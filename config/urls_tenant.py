"""A college's host: its API under /api/ and its workspace everywhere else."""

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
from core.accounts.urls import auth_urlpatterns, college_urlpatterns
from shared_apps.billing import apis as billing
from shared_apps.console.support import support_session_open
from tenant_apps.notifications.urls import page_urlpatterns as notification_pages
from tenants.apis import WorkspaceCancelApi

api_v1 = [
    *auth_urlpatterns,
    *college_urlpatterns,
    path("", include("core.audit.urls")),
    path("workspace/cancel/", WorkspaceCancelApi.as_view(), name="workspace-cancel"),
    path("billing/", billing.BillingApi.as_view(), name="billing"),
    path("billing/checkout/", billing.CheckoutApi.as_view(), name="billing-checkout"),
    path("billing/portal/", billing.PortalApi.as_view(), name="billing-portal"),
    path("", include("tenant_apps.companies.urls")),
    path("", include("tenant_apps.students.urls")),
    path("", include("tenant_apps.drives.urls")),
    path("", include("tenant_apps.applications.urls")),
    path("", include("tenant_apps.interviews.urls")),
    path("", include("tenant_apps.analytics.urls")),
    path("", include("tenant_apps.assessments.urls")),
    path("", include("tenant_apps.notifications.urls")),
    path("", include("tenant_apps.announcements.urls")),
]

urlpatterns = [
    # no Django admin on a college host: the workspace is where a college works, and support
    # sessions open it read-only
    path("support/<str:token>/", support_session_open, name="support-session"),
    *common_urlpatterns(
        urlconf="config.urls_tenant", title="Placemate college API", with_admin=False
    ),
    path("api/v1/", include(api_v1)),
    # the pages that e-mailed links open (settings.FRONTEND_PATHS)
    path("verify-email/", pages.verify_email, name="page-verify-email"),
    path("reset-password/", pages.reset_password, name="page-reset-password"),
    path("accept-invitation/", pages.accept_invitation, name="page-accept-invitation"),
    *notification_pages,
    path("", include("config.urls_workspace")),
    *fallback_urlpatterns,  # last
]
