"""Two-factor devices: a TOTP authenticator and ten one-time recovery codes."""

import secrets
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from rest_framework.exceptions import ValidationError

from core.accounts import crypto, security
from core.accounts.models import RecoveryCode, RecoveryCodeDevice, TOTPDevice, User
from core.api.errors import Conflict


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
