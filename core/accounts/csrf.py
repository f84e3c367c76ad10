"""Cross-site checks for the cookie flows that have no authentication class to run DRF's CSRF
check: login and the 2FA step (which set the cookies), refresh and logout (which read them).

Browsers send `Origin` on every cross-origin POST, and `Sec-Fetch-Site` says `same-site` for a
sibling college's sub-domain, which `SameSite=Lax` cookies do not tell apart from our own host.
Clients that are not browsers send neither and pass; they cannot be made to carry a victim's
cookies anyway."""

from django.conf import settings
from rest_framework.authentication import CSRFCheck

from core.accounts.errors import PermissionDenied

CROSS_SITE = frozenset({"cross-site", "same-site"})
REFUSED = "Cross-site request refused: sign in from this college's own pages."


def ensure_same_origin(request) -> None:
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        own = f"{request.scheme}://{request.get_host()}"
        if origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS:
            raise PermissionDenied(REFUSED)
    elif request.META.get("HTTP_SEC_FETCH_SITE") in CROSS_SITE:
        raise PermissionDenied(REFUSED)


def ensure_csrf_token(request) -> None:
    """The check of cookie-authenticated writes (the `csrftoken` cookie echoed in
    `X-CSRFToken`), for a view that reads a token cookie itself."""
    django_request = getattr(request, "_request", request)
    check = CSRFCheck(lambda _request: None)
    check.process_request(django_request)
    reason = check.process_view(django_request, None, (), {})
    if reason:
        raise PermissionDenied(f"CSRF check failed: send the X-CSRFToken header ({reason}).")
