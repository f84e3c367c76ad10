"""What platform operators do to colleges; every action is written to the operator audit log
(public schema) in the same transaction as its effect."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.exceptions import ValidationError

from core import datacache
from core.accounts.models import STAFF_ROLES, Role, User
from core.http import client_ip
from shared_apps.billing import limits
from shared_apps.billing.models import Plan
from shared_apps.billing.services import COLLEGE_STATUS_FOR, plan_change
from shared_apps.console.models import OperatorAction, UsageSnapshot
from tenants.lifecycle import LifecycleError, college_cancel, college_set_status
from tenants.models import College, CollegeStatus


def operator_action_record(
    *, request, operator, college: College, action: str, reason: str = "", **details
) -> OperatorAction:
    return OperatorAction.objects.create(
        operator=operator,
        operator_email=operator.email,
        action=action,
        college=college,
        college_name=college.name,
        reason=reason,
        details=details,
        ip=client_ip(request) if request is not None else None,
    )


def _editable(college: College) -> None:
    if college.is_public:
        raise ValidationError({"college": ["The platform itself is not a college."]})
    if college.status == CollegeStatus.CANCELLED:
        raise ValidationError({"college": ["This college is cancelled."]})


@transaction.atomic
def college_suspend(*, request, operator, college: College, reason: str) -> College:
    _editable(college)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the college is suspended."]})
    if college.status == CollegeStatus.SUSPENDED:
        raise ValidationError({"college": ["This college is already suspended."]})
    previous = college.status
    college_set_status(college=college, status=CollegeStatus.SUSPENDED, reason=reason)
    operator_action_record(
        request=request, operator=operator, college=college, action="suspend",
        reason=reason, previous_status=previous,
    )  # fmt: skip
    return college


def _status_to_return_to(college: College) -> str:
    """After a suspension: what billing says (subscription) or the trial's state."""
    subscription = getattr(college, "subscription", None)
    if subscription is not None and subscription.status:
        return COLLEGE_STATUS_FOR.get(subscription.status, CollegeStatus.ACTIVE)
    if college.trial_ends_at and college.trial_ends_at < timezone.now():
        return CollegeStatus.READ_ONLY
    return CollegeStatus.TRIALING


@transaction.atomic
def college_reactivate(*, request, operator, college: College, reason: str = "") -> College:
    _editable(college)
    if college.status != CollegeStatus.SUSPENDED:
        raise ValidationError({"college": ["Only a suspended college can be reactivated."]})
    status = _status_to_return_to(college)
    college_set_status(college=college, status=status, reason=reason or "Reactivated")
    operator_action_record(
        request=request, operator=operator, college=college, action="reactivate",
        reason=reason, new_status=status,
    )  # fmt: skip
    return college


@transaction.atomic
def trial_extend(*, request, operator, college: College, days: int, reason: str = "") -> College:
    _editable(college)
    if not 1 <= days <= 365:
        raise ValidationError({"days": ["Between 1 and 365 days."]})
    if college.status not in (CollegeStatus.TRIALING, CollegeStatus.READ_ONLY):
        raise ValidationError({"college": ["Only a trial can be extended."]})
    if hasattr(college, "subscription") and college.subscription.stripe_subscription_id:
        raise ValidationError({"college": ["This college pays: it has no trial to extend."]})
    start = max(college.trial_ends_at or timezone.now(), timezone.now())
    college.trial_ends_at = start + timedelta(days=days)
    college.status = CollegeStatus.TRIALING
    college.save(update_fields=["trial_ends_at", "status", "updated_at"])
    operator_action_record(
        request=request, operator=operator, college=college, action="extend_trial",
        reason=reason, days=days, trial_ends_at=college.trial_ends_at.isoformat(),
    )  # fmt: skip
    return college


@transaction.atomic
def college_plan_change(*, request, operator, college: College, plan: Plan, reason: str = ""):
    _editable(college)
    previous = college.plan.code if college.plan else None
    plan_change(college=college, plan=plan)
    operator_action_record(
        request=request, operator=operator, college=college, action="change_plan",
        reason=reason, previous_plan=previous, plan=plan.code,
    )  # fmt: skip
    return college


def college_cancel_by_operator(
    *, request, operator, college: College, reason: str, drop_now: bool = False
) -> College:
    _editable(college)
    try:
        college_cancel(
            college=college,
            immediately=drop_now,
            link_base=f"{request.scheme}://{settings.PLATFORM_DOMAIN}" if request else "",
        )
    except LifecycleError as exc:
        raise ValidationError({"college": [str(exc)]}) from exc
    operator_action_record(
        request=request, operator=operator, college=college,
        action="drop_now" if drop_now else "cancel", reason=reason,
    )  # fmt: skip
    return college


# --- Usage snapshots ---------------------------------------------------------------------------


def _count(app_label: str, model: str, **filters) -> int:
    try:
        return apps.get_model(app_label, model).objects.filter(**filters).count()
    except LookupError:
        return 0


def usage_refresh(*, college: College) -> UsageSnapshot:
    """Count what the college uses, inside its schema, and keep it in the public schema with
    the college's data version read before counting (what `usage_refresh_all` compares)."""

    with tenant_context(college):
        version = datacache.college_version()
        staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").values_list("email", flat=True)
        figures = {
            "students": _count("students", "Student"),
            "staff": staff.count(),
            "drives": _count("drives", "Drive"),
            "applications": _count("applications", "Application"),
            "storage_mb": limits.storage_used_mb(),
            "admin_email": admin.first() or "",
            "last_activity_at": LogEntry.objects.aggregate(at=Max("timestamp"))["at"],
            "data_version": version or "",
        }
    snapshot, _ = UsageSnapshot.objects.update_or_create(college=college, defaults=figures)
    return snapshot


def usage_refresh_all(*, changed_only: bool = True) -> int:
    """Refresh the snapshots of the colleges written to since theirs was taken (all of them
    with `changed_only=False`). Which colleges changed is read from their data versions (any
    committed write to a college replaces its version, bulk writes and raw SQL included), a
    few Redis round trips for the whole fleet, so an hour with no writes reads no schema. A
    college whose version is unknown (Redis lost it, or is unreachable) is counted again."""
    colleges = College.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(
        purged_at__isnull=True
    )
    seen = dict(colleges.values_list("schema_name", "usage__data_version"))
    if changed_only:
        current = datacache.college_versions(list(seen))
        due = [name for name, version in seen.items() if not version or current[name] != version]
    else:
        due = list(seen)
    count = 0
    for college in colleges.filter(schema_name__in=due).iterator(chunk_size=500):
        usage_refresh(college=college)
        count += 1
    return count
