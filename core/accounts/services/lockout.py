"""The account lockout: consecutive failed passwords or codes, from any address, lock an
account for a while. It lives in the database, so it holds when Redis is down."""

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from core.accounts import security
from core.accounts.errors import AccountLocked
from core.accounts.models import User


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
