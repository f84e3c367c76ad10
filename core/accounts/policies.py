"""The college's identity policies, read on every authenticated request (so cached)."""

from django.conf import settings
from django.db import connection

from core import datacache
from core.accounts.errors import OtpRequired
from core.accounts.models import STAFF_ROLES, CollegeSettings

SETTINGS_CACHE_KEY = "college-settings:versioned"  # a data cache entry (core/datacache.py)
SETTINGS_TABLES = (CollegeSettings._meta.db_table,)


def college_settings(snapshot: datacache.Snapshot | None = None) -> CollegeSettings:
    """The settings, from the college's data cache until they change."""
    return datacache.cached(SETTINGS_CACHE_KEY, _stored_settings, snapshot, SETTINGS_TABLES)


def _stored_settings() -> CollegeSettings:
    # A read only: creating the row here (`CollegeSettings.load()`) would be a write to the
    # settings, which would make the entry just computed stale at once. Until the college
    # saves its settings, the defaults apply.
    return CollegeSettings.objects.filter(pk=1).first() or CollegeSettings(pk=1)


def second_factor_required(user, snapshot: datacache.Snapshot | None = None) -> bool:
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return True  # platform operators, always
    return user.role in STAFF_ROLES and college_settings(snapshot).require_2fa_for_staff


def ensure_second_factor(user, snapshot: datacache.Snapshot | None = None) -> None:
    if second_factor_required(user, snapshot):
        raise OtpRequired()
