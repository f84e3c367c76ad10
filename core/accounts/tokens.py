"""JWTs bound to one college: each carries the schema and the host it was minted for, and is
refused anywhere else (`401 token_invalid`), even where a user has the same id."""

from django.db import connection
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

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


class TenantAccessToken(TenantBoundMixin, AccessToken):
    pass


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
