"""What every workspace template may use: the college, the navigation, the branding."""

from django.db import connection
from django.utils.functional import SimpleLazyObject

from core.accounts import policies
from core.web import nav


def workspace(request) -> dict:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        return {}
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)

    def settings_():
        return policies.college_settings(getattr(request, "datacache", None))

    return {
        "college": tenant,
        "college_settings": SimpleLazyObject(settings_),
        "nav_links": SimpleLazyObject(lambda: nav.links(request)) if signed_in else [],
    }
