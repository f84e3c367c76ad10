"""Creating colleges: the public tenant, the template schema, and provisioning by cloning.

A college's schema is a copy of the template schema, which `migrate_fleet` keeps current, so a
sign-up costs one `clone_schema()` instead of every migration. Provisioning runs in one
transaction (PostgreSQL DDL is transactional): if any step fails, no schema, domain or row is
left behind, and the same sign-up can be retried.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context
from rest_framework.exceptions import ValidationError

from core.accounts import services as accounts
from core.queueing import publish
from tenants import cloning, fleet, pool
from tenants.hooks import hooks
from tenants.models import (
    DEFAULT_TIME_ZONE,
    College,
    CollegeStatus,
    Domain,
    time_zone_problem,
)
from tenants.tasks import refill_schema_pool

logger = logging.getLogger("placemate.tenancy")

SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    {
        "www", "api", "admin", "app", "mail", "static", "media", "public", "console",
        "assets", "auth", "billing", "blog", "cdn", "dashboard", "demo", "dev", "docs", "email",
        "ftp", "help", "imap", "login", "ns1", "ns2", "placemate", "pop", "pop3", "root",
        "signup", "smtp", "staging", "status", "support", "test", "webmail",
    }
)  # fmt: skip


def college_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"


# --- Sub-domains -------------------------------------------------------------------------------


def subdomain_problem(subdomain: str) -> str | None:
    """Why `subdomain` cannot be used, or None when it is free."""
    if not SUBDOMAIN_RE.match(subdomain):
        if not 3 <= len(subdomain) <= 30:
            return "Use between 3 and 30 characters."
        if subdomain.startswith("-") or subdomain.endswith("-"):
            return "It cannot start or end with '-'."
        return "Use only lower-case letters a-z, digits 0-9 and '-'."
    if subdomain[2:4] == "--":
        # "xn--" is punycode (a look-alike of another name in browsers' address bars, such as
        # Cyrillic "apple"); IDNA reserves every "??--" prefix for such encodings
        return "It cannot have '--' as its third and fourth characters (look-alike names)."
    if subdomain in RESERVED_SUBDOMAINS:
        return "This name is reserved."
    taken = (
        College.objects.filter(subdomain=subdomain).exists()
        or Domain.objects.filter(domain=college_host(subdomain)).exists()
    )
    return "This sub-domain is already taken." if taken else None


# --- Template schema ---------------------------------------------------------------------------


def template_schema() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


def template_ensure() -> None:
    """Create and migrate the template schema if it does not exist yet."""
    name = template_schema()
    if schema_exists(name):
        return
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{name}"')
    call_command("migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def schema_clone(*, schema_name: str) -> None:
    """A copy of the template, with the template's migrations marker (see tenants.fleet)."""
    cloning.clone_schema(template_schema(), schema_name)
    fleet.schema_mark_like(schema_name, template_schema())


# --- Colleges ----------------------------------------------------------------------------------


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


def _college_create(
    *, name: str, subdomain: str, plan, time_zone: str = DEFAULT_TIME_ZONE
) -> College:
    """Row, domain and cloned schema of a new trialing college, in the caller's transaction."""
    college = College(
        name=name.strip(),
        time_zone=time_zone,
        subdomain=subdomain,
        schema_name=College.schema_name_for(subdomain),
        status=CollegeStatus.TRIALING,
        plan=plan,
        trial_ends_at=timezone.now() + timedelta(days=settings.TRIAL_DAYS),
    )
    college.auto_create_schema = False  # cloned below, inside the same transaction
    college.save()
    college.domain_url = college_host(subdomain)
    Domain.objects.create(domain=college.domain_url, tenant=college, is_primary=True)
    if not pool.schema_take(college.schema_name):  # none cloned ahead: clone now
        schema_clone(schema_name=college.schema_name)
    transaction.on_commit(pool_refill_soon)
    return college


def pool_refill_soon() -> None:
    """Ask a worker to top the schema pool up; with the broker down, beat does it later."""
    if settings.TENANT_SCHEMA_POOL_SIZE <= 0:
        return
    try:
        publish(refill_schema_pool, args=[])
    except Exception as exc:  # broker unreachable: the periodic refill covers it
        logger.warning("schema pool: refill not queued (%s)", type(exc).__name__)


@dataclass(frozen=True)
class AdminAccount:
    email: str
    password: str
    first_name: str
    last_name: str


def college_provision(
    *,
    name: str,
    subdomain: str,
    admin: AdminAccount | None = None,
    plan_code: str | None = None,
    request=None,
    verified_admin: bool = False,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> College:
    """Create a college with its domain, schema (cloned) and admin user, all or nothing.

    The admin is unverified unless `verified_admin`; a verification mail goes to the college's
    host once the transaction commits."""
    subdomain = subdomain.strip().lower()
    problem = subdomain_problem(subdomain)
    if problem:
        raise ValidationError({"subdomain": [problem]})
    plan = hooks.plan_for(plan_code)
    if plan is None:
        raise ValidationError({"plan": ["Unknown plan."]})
    if problem := time_zone_problem(time_zone):
        raise ValidationError({"time_zone": [problem]})
    if admin is not None:
        accounts.password_validate(
            admin.password,
            email=admin.email,
            first_name=admin.first_name,
            last_name=admin.last_name,
            field="admin_password",
        )
    template_ensure()  # no-op once it exists (DDL outside the sign-up's transaction)

    try:
        with transaction.atomic():
            college = _college_create(
                name=name, subdomain=subdomain, plan=plan, time_zone=time_zone
            )
            if admin is not None:
                with tenant_context(college):
                    accounts.college_admin_create(
                        request=request,
                        email=admin.email,
                        password=admin.password,
                        first_name=admin.first_name,
                        last_name=admin.last_name,
                        verified=verified_admin,
                    )
    except IntegrityError as exc:  # a concurrent sign-up took the name first
        raise ValidationError({"subdomain": ["This sub-domain is already taken."]}) from exc
    return college


def college_signup(*, fields: dict, request) -> College:
    """The sign-up of docs/api.md (API and page alike): `fields` as named there."""
    plan = fields.get("plan")
    return college_provision(
        name=fields["college_name"],
        subdomain=fields["subdomain"],
        admin=AdminAccount(
            email=fields["admin_email"],
            password=fields["admin_password"],
            first_name=fields["admin_first_name"],
            last_name=fields.get("admin_last_name", ""),
        ),
        plan_code=plan.code if plan else None,
        request=request,
        time_zone=fields.get("time_zone") or DEFAULT_TIME_ZONE,
    )


def college_time_zone_set(*, college: College, time_zone: str) -> College:
    """The college's time zone, for every page, mail, invitation and export from now on."""
    if problem := time_zone_problem(time_zone):
        raise ValidationError({"time_zone": [problem]})
    college.time_zone = time_zone
    college.save(update_fields=["time_zone", "updated_at"])  # signals drop the cached host
    return college


def college_ensure(*, subdomain: str, name: str) -> tuple[College, bool]:
    """The college on `<subdomain>.<PLATFORM_DOMAIN>` (seeds and tests), created if missing.

    Reserved names are allowed here: the demo college lives on `demo`."""
    college = College.objects.filter(subdomain=subdomain).first()
    if college is not None:
        return college, False
    template_ensure()
    with transaction.atomic():
        plan = hooks.plan_for(None, public_only=False)
        college = _college_create(name=name, subdomain=subdomain, plan=plan)
    return college, True
