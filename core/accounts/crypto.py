"""Secrets at rest: TOTP keys encrypted (Fernet), codes and one-time keys stored as hashes."""

import base64
import hashlib
import hmac
import secrets
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _derive(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(
        settings.SECRET_KEY.encode()
    )


@cache
def _fernet(configured_key: str) -> Fernet:
    key = configured_key.encode() if configured_key else base64.urlsafe_b64encode(_derive(b"otp"))
    return Fernet(key)


def encrypt(plaintext: str) -> str:
    return _fernet(settings.OTP_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.OTP_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def new_token() -> str:
    """A random, URL-safe one-time key (invitations, login challenges)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def hash_code(normalized_code: str) -> str:
    return hmac.new(
        _derive(b"recovery-codes"), normalized_code.encode(), hashlib.sha256
    ).hexdigest()
