"""Sign-in: the password step with its lockout, and the second step of a login with 2FA."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.utils import timezone

from core.accounts import crypto, security, throttling
from core.accounts.errors import AccountLocked, AuthenticationFailed, EmailNotVerified, TokenInvalid
from core.accounts.models import LoginChallenge, RecoveryCodeDevice, User
from core.accounts.services.lockout import login_failure_register, login_failures_reset
from core.accounts.services.registration import email_is_verified
from core.accounts.services.two_factor import second_factor_match


@dataclass(frozen=True)
class LoginStart:
    user: User
    otp_token: str | None  # set when the login needs a second factor


def login_start(*, request, email: str, password: str) -> LoginStart:
    """The password step of every sign-in (API, pages, the Django admin): throttles, then the
    account's lockout, then the password; every failure answers alike."""
    throttling.sign_in_attempt(request=request, account=email)
    user = User.objects.filter(email__iexact=email.strip()).first()
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
    if not email_is_verified(user):
        raise EmailNotVerified()
    if user.is_2fa_enabled:  # failures keep counting until the second factor is right too
        return LoginStart(user=user, otp_token=login_challenge_create(user=user))
    login_succeeded(request=request, user=user, method="password")
    return LoginStart(user=user, otp_token=None)


def login_succeeded(*, request, user: User, method: str) -> None:
    login_failures_reset(user=user)
    update_last_login(None, user)
    security.record("login", request=request, user=user, method=method)


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
