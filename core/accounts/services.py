"""Identity: logins with lockout and 2FA, TOTP devices and recovery codes, self sign-up,
invitations. Every write is here; views only validate input and shape output."""

import contextlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context as allauth_context
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.exceptions import ValidationError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.accounts import crypto, security
from core.accounts.adapter import college_link
from core.accounts.errors import (
    AccountLocked,
    AuthenticationFailed,
    EmailNotVerified,
    PermissionDenied,
    TokenInvalid,
)
from core.accounts.models import (
    STAFF_ROLES,
    CollegeSettings,
    Invitation,
    LoginChallenge,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    TOTPDevice,
    User,
)
from core.accounts.tokens import current_host
from core.api.errors import Conflict
from shared_apps.billing import limits as plan_limits

# --- Login, lockout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginStart:
    user: User
    otp_token: str | None  # set when the login needs a second factor


def email_is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()


def email_mark_verified(*, user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def login_start(*, request, email: str, password: str) -> LoginStart:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        User().set_password(password)  # the hasher's work anyway: no timing oracle
        security.record("login_failed", request=request, email=email)
        raise AuthenticationFailed()
    if user.is_locked:
        security.record("login_refused_locked", request=request, user=user)
        raise AccountLocked()
    if not (user.is_active and user.check_password(password)):
        security.record("login_failed", request=request, user=user)
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


def login_failure_register(*, user: User, request) -> None:
    """Counts a failed password or code; the limit-th consecutive one locks the account."""
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count"])
    if user.failed_login_count >= settings.ACCOUNT_LOCKOUT_FAILURES:
        locked_until = timezone.now() + timedelta(minutes=settings.ACCOUNT_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=locked_until, failed_login_count=0)
        security.record("account_locked", request=request, user=user)
        raise AccountLocked()


def login_failures_reset(*, user: User) -> None:
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)


def login_challenge_create(*, user: User) -> str:
    token = crypto.new_token()
    LoginChallenge.objects.create(
        user=user,
        token_hash=crypto.hash_token(token),
        expires_at=timezone.now() + timedelta(seconds=settings.OTP_TOKEN_LIFETIME_SECONDS),
    )
    return token


def login_challenge_complete(*, request, otp_token: str, code: str) -> User:
    """The second step: a TOTP or recovery code against a live, unused challenge."""
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
        raise TokenInvalid("The otp_token is invalid, used or expired: log in again.")
    user = challenge.user
    if user.is_locked:
        raise AccountLocked()
    device = second_factor_match(user=user, code=code)
    if device is None:
        security.record("2fa_failed", request=request, user=user)
        login_failure_register(user=user, request=request)
        raise AuthenticationFailed("Invalid code.")
    used = LoginChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:  # a concurrent request spent it first
        raise TokenInvalid("The otp_token is invalid, used or expired: log in again.")
    method = "recovery_code" if isinstance(device, RecoveryCodeDevice) else "totp"
    login_succeeded(request=request, user=user, method=method)
    return user


# --- Two-factor devices -----------------------------------------------------------------------


def second_factor_match(*, user: User, code: str) -> TOTPDevice | RecoveryCodeDevice | None:
    """The device that accepts `code`: six digits are a TOTP code, anything else a recovery
    code. Only that device is tried (and spends the code)."""
    code = code.strip()
    model = TOTPDevice if code.isdigit() and len(code) == 6 else RecoveryCodeDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def otpauth_uri(*, device: TOTPDevice, issuer: str) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    label = quote(f"{issuer}:{device.user.email}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": device.digits, "period": device.step}
    )
    return f"otpauth://totp/{label}?{query}"


@transaction.atomic
def totp_setup(*, user: User) -> TOTPDevice:
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict("Two-factor authentication is already on: disable it first.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.for_new_secret(user=user, hex_key=secrets.token_hex(20))
    device.save()
    return device


@transaction.atomic
def totp_confirm(*, request, user: User, code: str) -> list[str]:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise ValidationError({"code": ["Start the setup first (2fa/totp/setup/)."]})
    if not device.verify_token(code):
        raise ValidationError({"code": ["The code is not valid: check your device's clock."]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=user)
    security.record("2fa_enabled", request=request, user=user)
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [crypto.new_recovery_code() for _ in range(settings.OTP_RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=crypto.hash_code(crypto.normalize_code(code)))
        for code in codes
    )
    return codes


@transaction.atomic
def two_factor_disable(*, request, user: User, code: str) -> None:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"code": ["Two-factor authentication is not on."]})
    if second_factor_match(user=user, code=code) is None:
        raise ValidationError({"code": ["Invalid code."]})
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    security.record("2fa_disabled", request=request, user=user)


# --- Tokens --------------------------------------------------------------------------------------


def refresh_tokens_revoke_all(*, user: User) -> None:
    """Blacklist every outstanding refresh token of `user` (password changed or reset)."""
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now())
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


# --- Self sign-up and e-mail verification --------------------------------------------------------


def password_validate(
    password: str, *, email: str, first_name: str = "", last_name: str = "", field: str
) -> None:
    """Django's validators (length, common, numeric, similarity to the person's details)."""
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from exc


def college_admin_create(
    *, request, email: str, password: str, first_name: str, last_name: str, verified: bool
) -> User:
    """The first admin of a new college (called inside the college's schema)."""
    user = User.objects.create_user(
        email=email.strip().lower(),
        password=password,
        role=Role.ADMIN,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=True,
    )
    address = EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=verified
    )
    if not verified:
        college = connection.tenant
        transaction.on_commit(lambda: _send_verification(request, address, college=college))
    return user


@transaction.atomic
def student_register(
    *, request, email: str, password: str, first_name: str, last_name: str
) -> User:
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise PermissionDenied("Sign-up happens on a college's own host.")
    college_settings = CollegeSettings.load()
    if not college_settings.self_signup_enabled:
        raise PermissionDenied("This college does not allow students to sign up themselves.")
    email = email.strip().lower()
    if not college_settings.allows_student_email(email):
        domains = ", ".join(college_settings.student_email_domains) or "none"
        raise ValidationError({"email": [f"Use your college e-mail address ({domains})."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["An account with this e-mail address already exists."]})
    password_validate(
        password, email=email, first_name=first_name, last_name=last_name, field="password1"
    )
    user = User.objects.create_user(
        email=email,
        password=password,
        role=Role.STUDENT,
        first_name=first_name,
        last_name=last_name,
    )
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    transaction.on_commit(lambda: _send_verification(request, address))
    security.record("registered", request=request, user=user)
    return user


def _send_verification(request, address: EmailAddress, *, college=None) -> None:
    # allauth renders its mails within its per-request context, which is gone if the commit
    # happens after the request (a task, a test's transaction): set it up again, in the
    # college's schema when the request was served elsewhere (a sign-up on the root domain).
    with contextlib.ExitStack() as stack:
        if college is not None:
            stack.enter_context(tenant_context(college))
        if request is None:  # provisioned from a command or task: links still need a host
            request = RequestFactory().get("/", secure=not settings.DEBUG, HTTP_HOST=current_host())
        stack.enter_context(allauth_context.request_context(request))
        address.send_confirmation(request, signup=True)


@transaction.atomic
def email_verify(*, request, key: str) -> None:
    confirmation = (
        EmailConfirmation.objects.all_valid()
        .select_related("email_address")
        .filter(key=key)
        .first()
    )
    if confirmation is None:
        raise ValidationError({"key": ["This link is invalid or has expired."]})
    confirmation.confirm(request)


# --- Invitations -------------------------------------------------------------------------------


def _company_exists(company_id: int) -> bool:
    # companies live in college schemas only; looked up by name to keep core free of tenant apps
    return apps.get_model("companies", "Company").objects.filter(pk=company_id).exists()


@transaction.atomic
def invitation_create(
    *, request, email: str, role: str, company_id: int | None, invited_by: User
) -> Invitation:
    email = email.strip().lower()
    if role == Role.RECRUITER:
        if company_id is None or not _company_exists(company_id):
            raise ValidationError(
                {"company": ["A recruiter needs one of this college's companies."]}
            )
    else:
        company_id = None
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("Somebody with this e-mail address already has an account.")
    Invitation.objects.filter(email=email, accepted_at__isnull=True).delete()
    if role in STAFF_ROLES:  # pending staff invitations hold a seat of the plan
        pending = Invitation.objects.filter(
            role__in=STAFF_ROLES, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).count()
        plan_limits.ensure_room_for("max_staff", used=plan_limits.USAGE["max_staff"]() + pending)
    key = crypto.new_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        company_id=company_id,
        key_hash=crypto.hash_token(key),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    link = college_link(request, "invitation", key=key)
    college = connection.tenant
    context = {"invitation": invitation, "link": link, "college": college, "inviter": invited_by}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {college.name} on Placemate",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    security.record("invitation_sent", request=request, user=invited_by, email=email, role=role)
    return invitation


@transaction.atomic
def invitation_accept(*, request, key: str, password: str, first_name: str, last_name: str) -> User:
    invitation = (
        Invitation.objects.select_for_update().filter(key_hash=crypto.hash_token(key)).first()
    )
    if invitation is None or not invitation.is_usable:
        raise ValidationError({"key": ["This invitation is invalid, used or expired."]})
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict("Somebody with this e-mail address already has an account.")
    if invitation.role in STAFF_ROLES:
        plan_limits.ensure_room_for("max_staff")
    password_validate(
        password,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        field="password",
    )
    is_admin = invitation.role == Role.ADMIN
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        role=invitation.role,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    email_mark_verified(user=user)  # the key came to this address
    if invitation.role == Role.RECRUITER:
        apps.get_model("companies", "Recruiter").objects.create(
            user=user, company_id=invitation.company_id
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    security.record("invitation_accepted", request=request, user=user)
    return user


# --- Settings ----------------------------------------------------------------------------------

BRANDING_FIELDS = ("brand_name", "brand_color", "email_footer")


@transaction.atomic
def college_settings_update(*, college_settings: CollegeSettings, **changes) -> CollegeSettings:
    """The admin changes the college's settings. Setting a custom branding needs the plan
    feature `custom_branding` (`402 plan_limit_reached`); clearing it, or sending the stored
    value again, does not (a downgrade keeps what exists)."""
    if any(
        changes[name] and changes[name] != getattr(college_settings, name)
        for name in BRANDING_FIELDS
        if name in changes
    ):
        plan_limits.ensure_feature("custom_branding")
    for name, value in changes.items():
        setattr(college_settings, name, value)
    college_settings.save()
    return college_settings
