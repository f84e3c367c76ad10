import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connection
from django.http.request import split_domain_port
from django.urls import set_urlconf

from core.api.codes import ErrorCode
from core.api.envelope import error_response
from core.api.fallback import error_page
from tenants.models import CollegeStatus
from tenants.resolution import resolve_host

security_logger = logging.getLogger("django.security.DisallowedHost")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
# A read-only college can still sign in and out, and pay.
READ_ONLY_WRITABLE_PREFIXES = (
    "/api/v1/auth/",
    "/api/v1/billing/",
    "/admin/login/",
    "/admin/logout/",
    # the workspace's sign-in (and its code step), sign-out, password pages and billing
    "/sign-in/",
    "/sign-out/",
    "/forgot-password/",
    "/reset-password/",
    "/office/billing/",
)


def tenant_not_found():
    return error_response(
        404, ErrorCode.TENANT_NOT_FOUND, "No college is served on this host.", type_="NotFound"
    )


class TenantResolutionMiddleware:
    """Selects the college (schema and URL set) from the Host header; first in the stack.

    Unlike django-tenants' TenantMainMiddleware, the lookup is cached (zero queries when warm)
    and an unknown or cancelled college answers the `tenant_not_found` envelope.
    `SET search_path` is issued lazily by the backend, so a request that never touches the
    database pays nothing for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection.set_schema_to_public()
        try:
            hostname, _port = split_domain_port(request.get_host())
        except DisallowedHost as exc:  # answered here: Django's DEBUG page would list settings
            security_logger.error(str(exc))
            return error_page(request, 400, exc, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        try:
            tenant = resolve_host(hostname)
        except DatabaseError:
            return error_response(
                503, ErrorCode.SERVICE_UNAVAILABLE, "The database is unavailable; retry shortly.",
                type_="ServiceUnavailable",
            )  # fmt: skip
        if tenant is None or tenant.status == CollegeStatus.CANCELLED:
            return tenant_not_found()
        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        request.urlconf = (
            settings.PUBLIC_SCHEMA_URLCONF if tenant.is_public else settings.ROOT_URLCONF
        )
        set_urlconf(request.urlconf)
        return self.get_response(request)


class TenantStatusMiddleware:
    """docs/api.md's status table for college hosts: suspended → 403 everywhere, read-only → 402 on
    writes (but auth and billing), past due → a header. After CORS, so browsers see the error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            return self.get_response(request)
        status = tenant.status
        refusal = self.refusal(status, request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if status == CollegeStatus.PAST_DUE:
            # a plain str: WSGI servers (the development server's wsgiref) refuse str subclasses
            response["X-Billing-Status"] = CollegeStatus.PAST_DUE.value
        return response

    @staticmethod
    def refusal(status: str, request):
        if request.path in HEALTH_PATHS:
            return None
        if status == CollegeStatus.SUSPENDED:
            return error_response(
                403, ErrorCode.TENANT_SUSPENDED, "This workspace is suspended: contact Placemate.",
                type_="TenantSuspended",
            )  # fmt: skip
        if (
            status == CollegeStatus.READ_ONLY
            and request.method not in SAFE_METHODS
            and not request.path.startswith(READ_ONLY_WRITABLE_PREFIXES)
        ):
            return error_response(
                402, ErrorCode.SUBSCRIPTION_INACTIVE,
                "This workspace is read-only: renew the subscription to make changes.",
                type_="SubscriptionInactive",
            )  # fmt: skip
        return None
