from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from shared_apps.billing.models import Subscription, SubscriptionStatusChange
from tenants.models import College, CollegeStatus

PAYING = ("active", "past_due")


def colleges():
    """Colleges as the console lists them: plan and usage snapshot joined, no schema scans."""
    return (
        College.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .select_related("plan", "usage")
        .order_by("-created_at", "-id")
    )


def platform_metrics(*, now=None, weeks: int = 12) -> dict:
    now = now or timezone.now()
    base = College.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
    by_status = dict.fromkeys(CollegeStatus.values, 0)
    for row in base.values("status").annotate(n=Count("id")):
        by_status[row["status"]] = row["n"]

    start = (now - timedelta(weeks=weeks - 1)).date()
    start -= timedelta(days=start.weekday())
    counts = {
        row["week"].date(): row["n"]
        for row in base.filter(created_at__date__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
    }
    signups = [
        {
            "week": (start + timedelta(weeks=i)).isoformat(),
            "count": counts.get(start + timedelta(weeks=i), 0),
        }
        for i in range(weeks)
    ]

    month_ago = now - timedelta(days=30)
    paying = Subscription.objects.filter(status__in=PAYING).select_related("plan")
    mrr = sum((s.plan.price_monthly for s in paying if s.plan), Decimal("0"))
    started_ids = (
        SubscriptionStatusChange.objects.filter(to_status="active", created_at__gte=month_ago)
        .exclude(from_status__in=PAYING)
        .values_list("subscription_id", flat=True)
    )
    new_mrr = sum(
        (s.plan.price_monthly for s in paying.filter(pk__in=started_ids) if s.plan), Decimal("0")
    )
    churned = Subscription.objects.filter(
        status="canceled", ended_at__gte=month_ago
    ).select_related("plan")
    churned_mrr = sum((s.plan.price_monthly for s in churned if s.plan), Decimal("0"))
    paying_count = paying.count()
    churned_count = churned.count()

    trials_over = base.filter(trial_ends_at__lt=now, trial_ends_at__gte=now - timedelta(days=90))
    converted = trials_over.filter(Q(subscription__status__in=PAYING)).count()
    trials_ended = trials_over.count()
    return {
        "tenants_by_status": by_status,
        "signups_per_week": signups,
        "mrr": f"{mrr:.2f}",
        "mrr_change_30d": f"{new_mrr - churned_mrr:.2f}",
        "new_mrr_30d": f"{new_mrr:.2f}",
        "churned_mrr_30d": f"{churned_mrr:.2f}",
        "paying_colleges": paying_count,
        "trials_ended_90d": trials_ended,
        "trials_converted_90d": converted,
        "trial_conversion_rate": round(converted / trials_ended, 3) if trials_ended else None,
        "churn_rate_30d": round(churned_count / (paying_count + churned_count), 3)
        if paying_count + churned_count
        else None,
    }
