"""Writes of notification preferences: the user's own changes, and one-click unsubscribing."""

from django.db import transaction
from rest_framework.exceptions import ValidationError

from core.accounts.models import User
from tenant_apps.notifications.models import Category, NotificationPreference
from tenant_apps.notifications.tokens import unsubscribe_target


@transaction.atomic
def preference_update(*, user: User, **changes: bool) -> NotificationPreference:
    """Turns categories of non-essential mail on or off (`drive_openings`,
    `application_updates`)."""
    preference, _ = NotificationPreference.all_objects.select_for_update().get_or_create(user=user)
    if preference.is_deleted:
        preference.restore()
    fields = [name for name in Category.values if name in changes]
    for name in fields:
        setattr(preference, name, bool(changes[name]))
    if fields:
        preference.save(update_fields=fields)
    return preference


def unsubscribe_user(token: str) -> tuple[User, str]:
    """The active user of this college and the category an unsubscribe token names
    (`400 validation_error` for a forged, expired or other college's token)."""
    target = unsubscribe_target(token)
    user = None
    if target is not None:
        user = User.objects.filter(pk=target[0], is_active=True).first()
    if user is None:
        raise ValidationError({"token": ["This unsubscribe link is invalid or has expired."]})
    return user, target[1]


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turns off the category the token names, for the user it names."""
    user, category = unsubscribe_user(token)
    preference_update(user=user, **{category: False})
    return user, category
