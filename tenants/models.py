from zoneinfo import available_timezones

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

SUBDOMAIN_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$",
    "Use 3-30 characters of a-z, 0-9 and '-', not starting or ending with '-'.",
)


DEFAULT_TIME_ZONE = "Asia/Kolkata"


def time_zone_problem(name: str) -> str:
    """Why `name` is not a time zone a college can use ("" if it is one)."""
    if name not in available_timezones():
        return f"{name!r} is not a known time zone (use an IANA name such as Asia/Kolkata)."
    return ""


class CollegeStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    READ_ONLY = "read_only", "Read only"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


class College(TenantMixin):
    """A college workspace: one PostgreSQL schema, served on `<subdomain>.<PLATFORM_DOMAIN>`.

    The public schema itself is a College row too (subdomain `public`, a reserved name)."""

    name = models.CharField(max_length=200)
    subdomain = models.CharField(max_length=30, unique=True, validators=[SUBDOMAIN_VALIDATOR])
    status = models.CharField(
        max_length=20, choices=CollegeStatus.choices, default=CollegeStatus.TRIALING, db_index=True
    )
    plan = models.ForeignKey(
        "billing.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="colleges"
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    # Every date on the college's pages, mails, invitations and exports is in this zone.
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    # Amounts (CTC, stipends) are in this currency; INR ones read in lakhs and crores.
    currency = models.CharField(max_length=3, default="INR")
    status_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The zip of all its data produced on cancellation, kept for the retention period.
    export_file = models.CharField(max_length=300, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        # the console's list pages through the fleet by name (the admin adds -id to be total):
        # read from the index, not sorted from every college on each page
        indexes = [models.Index(fields=["name", "-id"], name="college_name_id_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    @staticmethod
    def schema_name_for(subdomain: str) -> str:
        # Sub-domains never contain '_', so the mapping is one-to-one.
        return "c_" + subdomain.replace("-", "_")


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]


class SchemaMigrations(models.Model):
    """What a college (or template, or pooled) schema had applied when it was last migrated or
    cloned: a digest of its tenant migrations, kept in public so that `migrate_fleet` finds the
    schemas behind the code in one indexed query instead of reading every schema's own table."""

    schema_name = models.CharField(max_length=63, unique=True)
    digest = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "schema migrations"

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.digest[:12]}"


class PooledSchema(models.Model):
    """A clone of the template made ahead of time, waiting to become a college's schema: a
    sign-up takes one (SKIP LOCKED, so two sign-ups never take the same) and renames it, which
    costs milliseconds instead of a clone (`tenants.pool`)."""

    schema_name = models.CharField(max_length=63, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.schema_name


class DueWork(models.Model):
    """A college (or public) schema that may hold work for a fleet sweep (`kind`: mail in the
    outbox, running assessment attempts) from `due_at` on, so that a sweep reads these rows in
    one indexed query instead of every schema. Written in the transaction that creates the
    work; `version` lets a sweep drop the row only if nothing was noted since. Read and written
    by `core.due`, by table name (`core` is below `tenants`)."""

    schema_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=30)
    due_at = models.DateTimeField()
    version = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "kind"], name="duework_schema_kind_uniq")
        ]
        indexes = [models.Index(fields=["kind", "due_at"], name="duework_kind_due_idx")]

    def __str__(self) -> str:
        return f"{self.schema_name} {self.kind} from {self.due_at:%Y-%m-%d %H:%M}"
