"""A college's life after sign-up: status changes, trial expiry, cancellation with a data
export, and the purge of its schema and files once the retention period is over."""

import csv
import io
import json
import logging
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from core import due
from core.accounts.models import Role, User
from core.spreadsheet import safe_text
from tenants.fleet import schema_forget
from tenants.models import College, CollegeStatus, Domain

logger = logging.getLogger("placemate.tenancy")

EXPORT_SALT = "placemate.college-export"
# Secrets and machinery that a college's export never contains.
EXPORT_EXCLUDED = frozenset(
    {
        "accounts.loginchallenge", "accounts.totpdevice",
        "accounts.recoverycodedevice", "accounts.recoverycode", "account.emailconfirmation",
        "token_blacklist.outstandingtoken", "token_blacklist.blacklistedtoken",
        "sessions.session", "contenttypes.contenttype", "auth.permission", "auth.group",
        "admin.logentry",
    }
)  # fmt: skip
EXPORT_FIELDS = {"accounts.user": ["id", "email", "first_name", "last_name", "role", "is_active",
                                   "date_joined", "last_login"]}  # fmt: skip


class LifecycleError(Exception):
    pass


def college_set_status(
    *, college: College, status: str, reason: str = "", also: tuple[str, ...] = ()
) -> College:
    """Change a college's status (and the fields named in `also`); its cached host resolution
    is dropped at once (signals)."""
    college.status = status
    college.status_reason = reason[:300]
    college.save(update_fields=["status", "status_reason", "updated_at", *also])
    logger.info("college %s is now %s (%s)", college.schema_name, status, reason or "-")
    return college


def trials_expire(*, now=None) -> int:
    """Trials past their end become read-only. Returns how many."""
    now = now or timezone.now()
    expired = College.objects.filter(status=CollegeStatus.TRIALING, trial_ends_at__lt=now).exclude(
        schema_name=settings.PUBLIC_SCHEMA_NAME
    )
    count = 0
    for college in expired:
        college_set_status(college=college, status=CollegeStatus.READ_ONLY, reason="Trial ended")
        count += 1
    return count


# --- Export ------------------------------------------------------------------------------------


def _college_models():
    labels = set()
    for app in settings.TENANT_APPS:
        for config in apps.get_app_configs():
            if config.name == app:
                labels.add(config.label)
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in labels and model._meta.label_lower not in EXPORT_EXCLUDED
    ]


def college_export(*, college: College) -> str:
    """A zip with one JSON and one CSV file per resource of the college (soft-deleted rows
    included); returns its name in the `exports` storage."""
    buffer = io.BytesIO()
    with tenant_context(college), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for model in _college_models():
            label = model._meta.label_lower
            fields = EXPORT_FIELDS.get(label) or [f.attname for f in model._meta.concrete_fields]
            rows = list(model._base_manager.order_by("pk").values(*fields))
            archive.writestr(f"{label}.json", json.dumps(rows, cls=DjangoJSONEncoder, indent=1))
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=fields)
            writer.writeheader()
            writer.writerows(
                {name: safe_text(v) if isinstance(v, str) else v for name, v in row.items()}
                for row in rows
            )
            archive.writestr(f"{label}.csv", text.getvalue())
        archive.writestr(
            "README.txt",
            f"Data of {college.name} ({college.subdomain}), exported "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC. One JSON and one CSV file per resource.\n",
        )
    name = f"{college.schema_name}/{timezone.now():%Y%m%dT%H%M%S}.zip"
    return storages["exports"].save(name, ContentFile(buffer.getvalue()))


def export_token(college: College) -> str:
    return signing.dumps({"college": college.pk, "file": college.export_file}, salt=EXPORT_SALT)


def export_from_token(token: str) -> College | None:
    max_age = timedelta(days=settings.COLLEGE_DATA_RETENTION_DAYS)
    try:
        data = signing.loads(token, salt=EXPORT_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    college = College.objects.filter(pk=data.get("college"), purged_at__isnull=True).first()
    if college is None or college.export_file != data.get("file"):
        return None
    return college


# --- Cancellation and purge --------------------------------------------------------------------


def college_cancel(*, college: College, immediately: bool = False, link_base: str = "") -> College:
    """Cancel: export the data, mail its link to the admins, take the host down at once.
    The schema and files are dropped after the retention period, or now if `immediately`."""
    if college.is_public:
        raise LifecycleError("The platform itself cannot be cancelled.")
    if college.status == CollegeStatus.CANCELLED:
        raise LifecycleError("This college is already cancelled.")
    with tenant_context(college):
        admins = list(
            User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True)
        )
    college.export_file = college_export(college=college)
    college.cancelled_at = timezone.now()
    college_set_status(
        college=college,
        status=CollegeStatus.CANCELLED,
        reason="Cancelled",
        also=("export_file", "cancelled_at"),
    )
    if admins and link_base:
        days = settings.COLLEGE_DATA_RETENTION_DAYS
        link = f"{link_base}/api/v1/exports/{export_token(college)}/"
        send_mail(
            subject=f"{college.name} on Placemate is cancelled",
            message=(
                f"The workspace of {college.name} is cancelled. Download all its data within "
                f"{days} days, after which it is deleted for good:\n\n{link}\n"
            ),
            from_email=None,
            recipient_list=admins,
        )
    if immediately:
        college_purge(college=college)
    return college


def college_purge(*, college: College) -> None:
    """Drop the schema, the college's files and its export; keep the row as a tombstone."""
    if college.is_public or college.status != CollegeStatus.CANCELLED:
        raise LifecycleError("Only a cancelled college can be purged.")
    with transaction.atomic():
        Domain.objects.filter(tenant=college).delete()
        if schema_exists(college.schema_name):
            with connection.cursor() as cursor:
                # deferred FK checks still pending in this transaction would block the drop
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'DROP SCHEMA "{college.schema_name}" CASCADE')
        schema_forget(college.schema_name)
        due.forget(college.schema_name)
        College.objects.filter(pk=college.pk).update(purged_at=timezone.now(), export_file="")
    media = Path(settings.MEDIA_ROOT) / college.schema_name
    shutil.rmtree(media, ignore_errors=True)
    if college.export_file:
        storages["exports"].delete(college.export_file)
    logger.info("college %s purged", college.schema_name)


def colleges_purge_due(*, now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COLLEGE_DATA_RETENTION_DAYS)
    due = College.objects.filter(
        status=CollegeStatus.CANCELLED, purged_at__isnull=True, cancelled_at__lt=cutoff
    )
    count = 0
    for college in due:
        college_purge(college=college)
        count += 1
    return count
