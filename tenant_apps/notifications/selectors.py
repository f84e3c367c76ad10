"""Reads of notification preferences."""

from collections.abc import Iterable

from core.accounts.models import User
from tenant_apps.notifications.models import NotificationPreference


def preference_of(user: User) -> NotificationPreference:
    """The user's preferences: their row, or the defaults (everything on) when they have none."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def opted_out(*, user_ids: Iterable[int], category: str) -> set[int]:
    """Those of `user_ids` who turned `category` off."""
    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), **{category: False}
        ).values_list("user_id", flat=True)
    )
