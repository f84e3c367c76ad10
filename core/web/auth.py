"""One sign-in for pages and API on a college host: pages read the same `access_token` cookie as
the API, through the same authentication (tenant binding, cached user, deactivation, 2FA policy).

An expired access token is renewed from the `refresh_token` cookie (rotated and blacklisted like
`POST auth/token/refresh/`), so a person stays signed in for the refresh token's lifetime."""

from dataclasses import dataclass

from dj_rest_auth.jwt_auth import set_jwt_cookies, unset_jwt_cookies
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.exceptions import TokenError

from core import datacache
from core.accounts import policies, services
from core.accounts.authentication import TenantJWTAuthentication
from core.accounts.models import User
from core.accounts.tokens import OTP_CLAIM, tokens_for
from core.api.errors import PlacemateError

ACCESS_COOKIE = settings.REST_AUTH["JWT_AUTH_COOKIE"]
REFRESH_COOKIE = settings.REST_AUTH["JWT_AUTH_REFRESH_COOKIE"]


@dataclass
class PageIdentity:
    user: User | AnonymousUser
    otp_verified: bool = False
    renewed: tuple[str, str] | None = None  # (access, refresh) to set on the response


class _PageAuthentication(TenantJWTAuthentication):
    """The API's authentication without DRF's request: no view, so no per-view cache keys."""

    def _view(self):
        return None


def _user_from_access(request, raw: str) -> tuple[User, bool]:
    authentication = _PageAuthentication()
    authentication.request = request
    token = authentication.get_validated_token(raw.encode())
    return authentication.get_user(token), bool(token.get(OTP_CLAIM, False))


def _renew(request, raw_refresh: str) -> PageIdentity:
    """The API's refresh: the refresh token rotated (a replayed one ends its whole family),
    its claims (2FA, token version) carried over to the new access token."""
    access, refresh = services.session_refresh(request=request, refresh=raw_refresh)
    user, otp_verified = _user_from_access(request, access)
    return PageIdentity(user, otp_verified, renewed=(access, refresh))


def identify(request) -> PageIdentity:
    """The signed-in person of a page request, or an anonymous one (never raises)."""
    raw = request.COOKIES.get(ACCESS_COOKIE)
    if raw:
        try:
            user, otp_verified = _user_from_access(request, raw)
            return PageIdentity(user, otp_verified)
        except (APIException, TokenError):
            pass  # expired, revoked, foreign or inactive: try the refresh token
    raw_refresh = request.COOKIES.get(REFRESH_COOKIE)
    if raw_refresh:
        try:
            return _renew(request, raw_refresh)
        except (APIException, PlacemateError, TokenError):
            pass  # expired, revoked, replayed or foreign: signed out
    if not hasattr(request, "datacache"):
        request.datacache = datacache.read({policies.SETTINGS_CACHE_KEY: policies.SETTINGS_TABLES})
    return PageIdentity(AnonymousUser())


def sign_in_response(request, response, user: User, *, otp_verified: bool):
    """Set the same cookies as the API's login on `response`."""
    refresh = tokens_for(user, otp_verified=otp_verified)
    set_jwt_cookies(response, str(refresh.access_token), str(refresh))
    get_token(request)
    return response


def finish(identity: PageIdentity, response):
    """Put renewed tokens on the response of the page that renewed them."""
    if identity.renewed is not None:
        set_jwt_cookies(response, *identity.renewed)
    return response


def sign_out_response(response):
    unset_jwt_cookies(response)
    return response
