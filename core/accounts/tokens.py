"""JWTs bound to one college: each carries the schema and the host it was minted for, and is
refused anywhere else (`401 token_invalid`), even where a user has the same id."""

from django.db import connection
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import aware_utcnow

SCHEMA_CLAIM = "schema"
AUDIENCE_CLAIM = "aud"
OTP_CLAIM = "otp"  # the login went through a second factor
VERSION_CLAIM = "ver"  # the user's token_version when the token was minted (see User)


def current_host() -> str:
    return getattr(connection.tenant, "domain_url", "")


class TenantBoundMixin:
    def verify(self) -> None:
        super().verify()
        if self.payload.get(SCHEMA_CLAIM) != connection.schema_name:
            raise TokenError("Token was issued for another host.")
        if self.payload.get(AUDIENCE_CLAIM) != current_host():
            raise TokenError("Token was issued for another host.")


# Raw access tokens whose signature this process checked, with their payloads: a token's
# signature is a function of the token and the signing key alone, so checking it again on every
# request (base64, JSON and HMAC: a tenth of a cached `auth/user`) proves nothing new. The
# claims are checked on every request (`verify`: expiry, type, college, host); revocation is the
# user's `token_version` (`is_current`), read with the user.
_SIGNATURE_CHECKED: dict[bytes | str, dict] = {}
SIGNATURE_CHECKED_SIZE = 4096  # about 2 MB at most; emptied when full


class TenantAccessToken(TenantBoundMixin, AccessToken):
    def __init__(self, token=None, verify: bool = True) -> None:
        """simplejwt's, except that a raw token whose signature this process checked already is
        not decoded again: its payload is taken as remembered and its claims verified."""
        payload = _SIGNATURE_CHECKED.get(token) if token is not None and verify else None
        if payload is None:
            super().__init__(token, verify)  # decodes, checks the signature, then verify()
            if token is not None and verify:
                if len(_SIGNATURE_CHECKED) >= SIGNATURE_CHECKED_SIZE:
                    _SIGNATURE_CHECKED.clear()
                _SIGNATURE_CHECKED[token] = dict(self.payload)
            return
        self.token = token
        self.current_time = aware_utcnow()
        self.payload = dict(payload)  # a Token's payload may be changed by its holder
        self.verify()


class TenantRefreshToken(TenantBoundMixin, RefreshToken):
    access_token_class = TenantAccessToken


def tokens_for(user, *, otp_verified: bool) -> TenantRefreshToken:
    refresh = TenantRefreshToken.for_user(user)
    refresh[SCHEMA_CLAIM] = connection.schema_name
    refresh[AUDIENCE_CLAIM] = current_host()
    refresh[OTP_CLAIM] = otp_verified
    refresh[VERSION_CLAIM] = user.token_version
    return refresh


def is_current(token, user) -> bool:
    """Whether `token` was minted after the last revocation of `user`'s sessions."""
    return token.get(VERSION_CLAIM) == user.token_version
