"""The college's identity policies, read on every authenticated request (so cached)."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core.accounts.errors import OtpRequired
from core.accounts.models import STAFF_ROLES, CollegeSettings

SETTINGS_CACHE_KEY = "college-settings"  # prefixed with the schema by the cache


def college_settings() -> CollegeSettings:
    cached = cache.get(SETTINGS_CACHE_KEY)
    if cached is None:
        cached = CollegeSettings.load()
        cache.set(SETTINGS_CACHE_KEY, cached, 300)
    return cached


def forget_college_settings() -> None:
    cache.delete(SETTINGS_CACHE_KEY)


def second_factor_required(user) -> bool:
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return True  # platform operators, always
    return user.role in STAFF_ROLES and college_settings().require_2fa_for_staff


def ensure_second_factor(user) -> None:
    if second_factor_required(user):
        raise OtpRequired()
