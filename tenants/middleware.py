from django.conf import settings
from django.db import connection
from django.http.request import split_domain_port
from django.urls import set_urlconf

from core.api.envelope import error_response
from tenants.resolution import resolve_host


class TenantResolutionMiddleware:
    """Selects the college (schema and URL set) from the Host header; first in the stack.

    Unlike django-tenants' TenantMainMiddleware, the lookup is cached (zero queries when warm)
    and an unknown host answers the `tenant_not_found` envelope. `SET search_path` is issued
    lazily by the backend, so a request that never touches the database pays nothing for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection.set_schema_to_public()
        hostname, _port = split_domain_port(request.get_host())  # DisallowedHost → 400
        tenant = resolve_host(hostname)
        if tenant is None:
            return error_response(
                404, "tenant_not_found", "No college is served on this host.", type_="NotFound"
            )
        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        request.urlconf = (
            settings.PUBLIC_SCHEMA_URLCONF if tenant.is_public else settings.ROOT_URLCONF
        )
        set_urlconf(request.urlconf)
        return self.get_response(request)
