from decimal import Decimal

from django.db import models


class PlanQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True).order_by("sort_order")


class Plan(models.Model):
    """What a college pays for: price, limits and feature flags. Plans are data, seeded by a
    migration; Stripe price ids come from settings."""

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
