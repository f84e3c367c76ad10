from decimal import Decimal

from django.conf import settings
from django.db import models


class PlanQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True).order_by("sort_order")


class Plan(models.Model):
    """What a college pays for: price, limits and feature flags. Plans are data, seeded by a
    migration; their Stripe price ids come from settings (STRIPE_PRICES)."""

    TRIAL = "trial"

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    price_monthly = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="usd")
    limits = models.JSONField(default=dict, blank=True)
    features = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def stripe_price_id(self) -> str | None:
        return settings.STRIPE_PRICES.get(self.code)

    @property
    def is_paid(self) -> bool:
        return self.stripe_price_id is not None and self.price_monthly > 0


class Subscription(models.Model):
    """A college's Stripe subscription (one per college), as the webhooks last described it."""

    college = models.OneToOneField(
        "tenants.College", on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    status = models.CharField(max_length=30, blank=True)  # Stripe's own status
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Stripe's `created` time of the newest event applied: older events arriving late are
    # recorded but change nothing (Stripe does not deliver in order).
    state_as_of = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.college} ({self.status or 'no subscription yet'})"


class SubscriptionStatusChange(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    college_status = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class StripeEvent(models.Model):
    """Every webhook event, stored by Stripe's id: a redelivery is processed once."""

    id = models.CharField(max_length=100, primary_key=True)
    type = models.CharField(max_length=100, db_index=True)
    created = models.DateTimeField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
