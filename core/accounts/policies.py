"""The college's identity policies, read on every authenticated request (so cached)."""

from django.conf import settings
from django.db import connection

from core import datacache
from core.accounts.errors import OtpRequired
from core.accounts.models import STAFF_ROLES, CollegeSettings
from core.compiled import CompiledQuery

SETTINGS_CACHE_KEY = "college-settings:versioned"  # a data cache entry (core/datacache.py)
SETTINGS_TABLES = (CollegeSettings._meta.db_table,)
SETTINGS_FIELDS = tuple(field.attname for field in CollegeSettings._meta.concrete_fields)
# compiled once (core/compiled.py): read on the cold path of every authenticated request
_STORED_SETTINGS = CompiledQuery(
    lambda pk: CollegeSettings.objects.filter(pk=pk).values_list(*SETTINGS_FIELDS), 1
)


def college_settings(snapshot: datacache.Snapshot | None = None) -> CollegeSettings:
    """The settings, from the college's data cache until they change."""
    return datacache.cached(SETTINGS_CACHE_KEY, _stored_settings, snapshot, SETTINGS_TABLES)


def _stored_settings() -> CollegeSettings:
    # A read only: creating the row here (`CollegeSettings.load()`) would be a write to the
    # settings, which would make the entry just computed stale at once. Until the college
    # saves its settings, the defaults apply.
    values = _STORED_SETTINGS.first(1)
    if values is None:
        return CollegeSettings(pk=1)
    return CollegeSettings.from_db("default", SETTINGS_FIELDS, values)


def second_factor_required(user, snapshot: datacache.Snapshot | None = None) -> bool:
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return True  # platform operators, always
    return user.role in STAFF_ROLES and college_settings(snapshot).require_2fa_for_staff


def ensure_second_factor(user, snapshot: datacache.Snapshot | None = None) -> None:
    if second_factor_required(user, snapshot):
        raise OtpRequired()
