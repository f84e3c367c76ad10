"""Links into a college's workspace, for mails and invitations: scheme, host and port of the
workspace, from a request when there is one (what the browser used), else from the settings
(`WORKSPACE_URL_SCHEME`, `WORKSPACE_URL_PORT`), so that tasks with no request link right too."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

DEFAULT_PORTS = {"http": "80", "https": "443"}


def workspace_base(host: str | None = None, *, request=None) -> str:
    """`https://alpha.placemate.app`, `http://alpha.localhost:8000` in development."""
    host = host or getattr(connection.tenant, "domain_url", "") or _primary_host()
    if request is not None:
        scheme, port = request.scheme, request.get_port()
    else:
        scheme, port = settings.WORKSPACE_URL_SCHEME, str(settings.WORKSPACE_URL_PORT or "")
    suffix = f":{port}" if port and port != DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{host}{suffix}"


def workspace_url(path: str, *, host: str | None = None, request=None, **params) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{workspace_base(host, request=request)}{path}{query}"


def _primary_host() -> str:
    """The current college's host when no request resolved it (a task)."""
    tenant = connection.tenant
    return f"{tenant.subdomain}.{settings.PLATFORM_DOMAIN}"
