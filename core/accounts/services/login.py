"""Sign-in: the password step with its lockout, and the second step of a login with 2FA.

A drive's opening brings a college's students to sign in within a minute, so a successful
sign-in costs the password hash and little else: one Redis round trip for its throttles, one
query for the account with what is decided after the password (the address verified, a second
factor on), and its writes (last_login, the security log, the session's token) in one
transaction."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.accounts import crypto, security, throttling
from core.accounts.errors import AccountLocked, AuthenticationFailed, EmailNotVerified, TokenInvalid
from core.accounts.models import LoginChallenge, RecoveryCodeDevice, TOTPDevice, User
from core.accounts.services.lockout import login_failure_register, login_failures_reset
from core.accounts.services.two_factor import second_factor_match
from core.accounts.tokens import TenantRefreshToken, tokens_for


@dataclass(frozen=True)
class LoginStart:
    user: User
    otp_token: str | None  # set when the login needs a second factor
    # the session's tokens, when the caller asked for them and no second factor is needed
    refresh: TenantRefreshToken | None = None


def _account(email: str) -> User | None:
    """The account of `email`, with whether its address is verified (`email_verified`) and
    whether it has a second factor (`is_2fa_enabled`, the model's cached property, filled here)
    read in the same query. Both are used only once the password is right."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), email=OuterRef("email"))
    second_factor = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        User.objects.filter(email__iexact=email.strip())
        .annotate(
            email_verified=Exists(verified.filter(verified=True)),
            is_2fa_enabled=Exists(second_factor),
        )
        .first()
    )


def login_start(*, request, email: str, password: str, session: bool = False) -> LoginStart:
    """The password step of every sign-in (API, pages, the Django admin): throttles, then the
    account's lockout, then the password; every failure answers alike. With `session`, a
    sign-in that needs no second factor also mints the session's tokens (`refresh`), in the
    transaction of its other writes."""
    throttling.sign_in_attempt(request=request, account=email)
    user = _account(email)
    if user is None:
        User().set_password(password)  # the hasher's work anyway: no timing oracle
        security.record("login_failed", request=request, email=email)
        throttling.failure(request=request)
        raise AuthenticationFailed()
    if user.is_locked:
        security.record("login_refused_locked", request=request, user=user)
        raise AccountLocked()
    if not (user.is_active and user.check_password(password)):
        security.record("login_failed", request=request, user=user)
        throttling.failure(request=request)
        login_failure_register(user=user, request=request)
        raise AuthenticationFailed()
    if not user.email_verified:
        raise EmailNotVerified()
    if user.is_2fa_enabled:  # failures keep counting until the second factor is right too
        return LoginStart(user=user, otp_token=login_challenge_create(user=user))
    refresh = login_succeeded(request=request, user=user, method="password", session=session)
    return LoginStart(user=user, otp_token=None, refresh=refresh)


def login_succeeded(
    *, request, user: User, method: str, session: bool = False, otp_verified: bool = False
) -> TenantRefreshToken | None:
    """The sign-in's writes, committed together: the failures start again, `last_login` (which
    also voids the reset links mailed before), the security log and, with `session`, the
    session's tokens (their outstanding row), which are returned.

    `last_login` is written by an UPDATE of that column alone, not `save()`: no receiver of
    the users' saves has anything to do with a sign-in (the usage snapshot counts users), and
    the data cache counts it as a write of `last_login`, not of the users (core/datacache.py)."""
    with transaction.atomic():
        login_failures_reset(user=user)
        user.last_login = timezone.now()
        User.objects.filter(pk=user.pk).update(last_login=user.last_login)
        security.record("login", request=request, user=user, method=method)
        return tokens_for(user, otp_verified=otp_verified) if session else None


def login_challenge_create(*, user: User) -> str:
    token = crypto.new_token()
    LoginChallenge.objects.create(
        user=user,
        token_hash=crypto.hash_token(token),
        expires_at=timezone.now() + timedelta(seconds=settings.OTP_TOKEN_LIFETIME_SECONDS),
    )
    return token


def login_challenge_complete(*, request, otp_token: str, code: str) -> User:
    """The second step: a TOTP or recovery code against a live, unused challenge. Codes are
    throttled like passwords and their failures count toward the lockout."""
    throttling.failure_budget_check(request=request)
    challenge = (
        LoginChallenge.objects.select_related("user")
        .filter(
            token_hash=crypto.hash_token(otp_token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if challenge is None:
        throttling.failure(request=request)
        raise TokenInvalid("The otp_token is invalid, used or expired: log in again.")
    user = challenge.user
    throttling.sign_in_attempt(request=request, account=user.email)
    if user.is_locked:
        raise AccountLocked()
    device = second_factor_match(user=user, code=code)
    if device is None:
        security.record("2fa_failed", request=request, user=user)
        throttling.failure(request=request)
        login_failure_register(user=user, request=request)
        raise AuthenticationFailed("Invalid code.")
    used = LoginChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:  # a concurrent request spent it first
        raise TokenInvalid("The otp_token is invalid, used or expired: log in again.")
    method = "recovery_code" if isinstance(device, RecoveryCodeDevice) else "totp"
    login_succeeded(request=request, user=user, method=method)
    user.otp_device = device  # the proof django-otp keeps in an admin session
    return user
