"""Creating colleges. (Sign-up and fast provisioning by schema cloning build on this.)"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_apps.billing.models import Plan
from tenants.models import College, CollegeStatus, Domain

TRIAL_DAYS = 30


def college_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"


@transaction.atomic
def public_tenant_ensure() -> College:
    """The public schema's own College row and the root domain; idempotent."""
    college, _ = College.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={"name": "Placemate", "subdomain": "public", "status": CollegeStatus.ACTIVE},
    )
    Domain.objects.get_or_create(
        domain=settings.PLATFORM_DOMAIN, defaults={"tenant": college, "is_primary": True}
    )
    return college


def college_ensure(*, subdomain: str, name: str) -> tuple[College, bool]:
    """The college on `<subdomain>.<PLATFORM_DOMAIN>`, created with its schema if missing."""
    college = College.objects.filter(subdomain=subdomain).first()
    created = college is None
    if created:
        college = College(
            name=name,
            subdomain=subdomain,
            schema_name=College.schema_name_for(subdomain),
            status=CollegeStatus.TRIALING,
            plan=Plan.objects.filter(code=Plan.TRIAL).first(),
            trial_ends_at=timezone.now() + timedelta(days=TRIAL_DAYS),
        )
        college.full_clean(exclude=["plan"])
        college.save(verbosity=0)  # creates and migrates the schema
    Domain.objects.get_or_create(
        domain=college_host(subdomain), defaults={"tenant": college, "is_primary": True}
    )
    return college, created
