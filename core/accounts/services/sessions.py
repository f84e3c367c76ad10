"""Sessions: the tokens a sign-in hands out, their rotation and their revocation.

Revocation is at once: every token carries the user's `token_version` (tokens.VERSION_CLAIM)
and authentication refuses a token minted under an older one. Raising the version ends the
access tokens, the refresh tokens and the Django admin sessions of the user together."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.accounts import security
from core.accounts.errors import TokenInvalid
from core.accounts.models import User
from core.accounts.tokens import (
    AUDIENCE_CLAIM,
    SCHEMA_CLAIM,
    TenantAccessToken,
    TenantRefreshToken,
    current_host,
    is_current,
)

SESSION_ENDED = "The session has ended: sign in again."


def refresh_tokens_revoke_all(*, user: User) -> None:
    """Blacklist every outstanding refresh token of `user`."""
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now())
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


def sessions_end_all(*, user: User) -> None:
    """Ends every session of `user` at once: access and refresh tokens, admin sessions."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    refresh_tokens_revoke_all(user=user)


def _user_of(raw: str, token_class) -> User | None:
    try:
        token = token_class(raw)
    except TokenError:
        return None
    user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).first()
    return user if user is not None and is_current(token, user) else None


def session_end(*, request, refresh: str | None) -> None:
    """Sign-out (the API's logout, the workspace's sign-out): the person's sessions end
    everywhere, access tokens included. The refresh token names the person; without a valid
    one, the request's own access token cookie does. Nothing valid: nothing to end."""
    user = _user_of(refresh, TenantRefreshToken) if refresh else None
    access = request.COOKIES.get("access_token")
    if user is None and access:
        user = _user_of(access, TenantAccessToken)
    if user is None:
        return
    sessions_end_all(user=user)
    security.record("logout", request=request, user=user)


def _replayed_user(raw: str) -> User | None:
    """The user of a genuine refresh token of this host that was rotated already (signature
    and expiry checked: a forged token cannot end anybody's sessions). A token of a session
    that was ended since (an older version) is merely dead, not replayed."""
    try:
        payload = token_backend.decode(raw, verify=True)
    except TokenBackendError:
        return None
    if (
        payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh"
        or payload.get(SCHEMA_CLAIM) != connection.schema_name
        or payload.get(AUDIENCE_CLAIM) != current_host()
    ):
        return None
    jti = payload.get(api_settings.JTI_CLAIM)
    if not BlacklistedToken.objects.filter(token__jti=jti).exists():
        return None
    user = User.objects.filter(pk=payload.get(api_settings.USER_ID_CLAIM)).first()
    return user if user is not None and is_current(payload, user) else None


def session_refresh(*, request, refresh: str) -> tuple[str, str]:
    """`(access, refresh)`: a new access token and the rotated refresh token, the old one
    blacklisted. A refresh token presented again after its rotation was copied: the whole
    family, that is every session of its user, ends (the thief's successor token too)."""
    try:
        token = TenantRefreshToken(refresh)
    except TokenError as exc:
        user = _replayed_user(refresh)
        if user is not None:
            sessions_end_all(user=user)
            security.record("refresh_token_reused", request=request, user=user)
            raise TokenInvalid(
                "This refresh token was used already: every session of the account has ended."
            ) from exc
        raise TokenInvalid(str(exc)) from exc
    user = get_user_model().objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active or not is_current(token, user):
        raise TokenInvalid(SESSION_ENDED)
    access = str(token.access_token)
    token.blacklist()
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token.outstand()
    return access, str(token)
