"""Sessions: the refresh tokens a sign-in hands out, and their revocation."""

from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.accounts.models import User


def refresh_tokens_revoke_all(*, user: User) -> None:
    """Blacklist every outstanding refresh token of `user` (password changed or reset)."""
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now())
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
