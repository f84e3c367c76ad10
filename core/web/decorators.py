"""`@page(roles=...)`: a workspace page. Signs the person in from the API's cookies (renewing an
expired access token), sends the signed-out to the sign-in page and people of another role to a
403 page, enforces the college's 2FA policy like the API, and applies the strict CSP."""

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from core.accounts import policies
from core.accounts.models import STAFF_ROLES, Role
from core.web import auth
from core.web.errors import STRICT_CSP, error_page

OFFICE = STAFF_ROLES
ADMIN = frozenset({Role.ADMIN})
STUDENT = frozenset({Role.STUDENT})
RECRUITER = frozenset({Role.RECRUITER})
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MEMBERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.RECRUITER, Role.STUDENT})


def college_time_zone() -> str:
    """The college's time zone: every date on its pages is in it."""
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "time_zone", "") or settings.WORKSPACE_TIME_ZONE


def strict_csp(response):
    response._csp_replace = STRICT_CSP
    return response


def sign_in_redirect(request):
    target = reverse("web:sign-in") + "?" + urlencode({"next": request.get_full_path()})
    if getattr(request, "htmx", False):
        response = HttpResponseRedirect(target)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def page(*, roles: Iterable[str] = MEMBERS, otp_setup: bool = False) -> Callable:
    """A page for `roles`. `otp_setup` pages stay reachable to staff who must still set up 2FA
    (as the API's `otp_setup_allowed` views)."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            identity = auth.identify(request)
            request.user = identity.user
            request.otp_verified = identity.otp_verified
            if not identity.user.is_authenticated:
                return strict_csp(sign_in_redirect(request))
            if identity.user.role == Role.SUPPORT and allowed & OFFICE:
                if request.method not in SAFE_METHODS:  # Placemate support reads, never writes
                    response = error_page(
                        request,
                        403,
                        "This is a read-only support session: nothing can be changed from it.",
                        code="permission_denied",
                    )
                    return strict_csp(auth.finish(identity, response))
            elif identity.user.role not in allowed:
                response = error_page(
                    request,
                    403,
                    "This page is not part of your workspace.",
                    code="permission_denied",
                )
                return strict_csp(auth.finish(identity, response))
            if (
                not otp_setup
                and not identity.otp_verified
                and policies.second_factor_required(identity.user, request.datacache)
            ):
                response = HttpResponseRedirect(reverse("web:account-security"))
                return strict_csp(auth.finish(identity, response))
            with timezone.override(college_time_zone()):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):  # a TemplateResponse renders in this zone too
                    response.render()
            return strict_csp(auth.finish(identity, response))

        wrapped.workspace_roles = allowed
        return wrapped

    return decorator


def public_page(view: Callable) -> Callable:
    """A page for anyone (sign-in, password reset...), under the same strict CSP."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return strict_csp(view(request, *args, **kwargs))

    return wrapped
