"""Plan limits, checked where rows are created: `402 plan_limit_reached` beyond the plan.

A downgrade below current usage keeps every existing row and only blocks new ones: limits are
checked when something is added, never enforced on what is there."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from core.accounts.models import STAFF_ROLES, User
from core.api.codes import ErrorCode
from core.api.errors import PlacemateError
from shared_apps.billing.models import Plan

LIMIT_LABELS = {
    "max_students": "students",
    "max_active_drives": "active drives",
    "max_staff": "staff members",
    "storage_mb": "MB of storage",
}


class PlanLimitReached(PlacemateError):
    code = ErrorCode.PLAN_LIMIT_REACHED
    message = "Your plan's limit is reached: upgrade to add more."


def current_plan() -> Plan | None:
    tenant = getattr(connection, "tenant", None)
    plan_id = getattr(tenant, "plan_id", None)
    return Plan.objects.filter(pk=plan_id).first() if plan_id else None


def _count(app_label: str, model: str, **filters) -> int:
    try:
        return apps.get_model(app_label, model).objects.filter(**filters).count()
    except LookupError:  # the app is not installed
        return 0


def _staff() -> int:
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).count()


USAGE = {
    "max_students": lambda: _count("students", "Student"),
    "max_active_drives": lambda: _count("drives", "Drive", status="open"),
    "max_staff": _staff,
    "storage_mb": lambda: storage_used_mb(),
}


def usage() -> dict[str, int]:
    """What the current college uses of every limit (in its own schema)."""
    return {limit: count() for limit, count in USAGE.items()}


def storage_used_mb() -> int:

    root = Path(settings.MEDIA_ROOT) / connection.schema_name
    if not root.exists():
        return 0
    total = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return -(-total // (1024 * 1024))


def ensure_room_for(limit: str, *, adding: int = 1, used: int | None = None) -> None:
    """Raise PlanLimitReached unless `adding` more fit under the plan's `limit`."""
    plan = current_plan()
    maximum = (plan.limits if plan else {}).get(limit)
    if maximum is None:
        return
    used = USAGE[limit]() if used is None else used
    if used + adding > maximum:
        raise PlanLimitReached(
            f"Your plan allows {maximum} {LIMIT_LABELS.get(limit, limit)}: upgrade to add more.",
            details={"limit": limit, "allowed": maximum, "used": used, "adding": adding},
        )


def ensure_feature(feature: str) -> None:
    plan = current_plan()
    if plan is not None and not plan.features.get(feature, False):
        raise PlanLimitReached(
            f"Your plan does not include {feature.replace('_', ' ')}: upgrade to use it.",
            details={"feature": feature, "plan": plan.code},
        )
