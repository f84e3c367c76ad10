"""Abstract bases for college models: who created and changed a row, and soft deletion.

Every concrete subclass of `AuditedModel` is registered with django-auditlog (see apps.py), so
creates and updates are logged with field-level changes; soft deletes and restores are logged
here as `delete` and `restore` entries.
"""

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from core.audit.context import current_actor

AUDIT_EXCLUDED_FIELDS = ("created_at", "updated_at", "created_by", "updated_by")
RESTORE_EVENT = "restore"


# The actor columns carry no index (db_index=False): no query filters or orders by them (they
# are only followed to the user), and users are deactivated, never deleted, so the foreign
# keys' SET NULL never searches them. Three indexes on each of twenty tables were a fifth of
# every college schema's relations (docs/scaling.md).
class AuditedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        actor = current_actor()
        if actor is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by = actor
            self.updated_by = actor
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at", "updated_by"}
        super().save(*args, **kwargs)


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def delete(self):
        """Soft-delete each row (one audit entry per row). `hard_delete()` really deletes."""
        with transaction.atomic():
            rows = list(self.alive())
            for row in rows:
                row.delete()
        return len(rows), {self.model._meta.label: len(rows)}

    def hard_delete(self):
        return super().delete()


class SoftDeleteManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """The default manager: deleted rows are invisible."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(AuditedModel):
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = SoftDeleteManager()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @transaction.atomic
    def delete(self, using=None, keep_parents=False):
        if self.is_deleted:
            return 0, {}
        self.deleted_at = timezone.now()
        self.deleted_by = current_actor()
        self._save_quietly(update_fields=["deleted_at", "deleted_by"])
        LogEntry.objects.log_create(
            self,
            action=LogEntry.Action.DELETE,
            changes={"deleted_at": ["None", str(self.deleted_at)]},
            force_log=True,
        )
        return 1, {self._meta.label: 1}

    @transaction.atomic
    def restore(self) -> None:
        if not self.is_deleted:
            return
        deleted_at = self.deleted_at
        self.deleted_at = None
        self.deleted_by = None
        self._save_quietly(update_fields=["deleted_at", "deleted_by"])
        LogEntry.objects.log_create(
            self,
            action=LogEntry.Action.UPDATE,
            changes={"deleted_at": [str(deleted_at), "None"]},
            additional_data={"event": RESTORE_EVENT},
            force_log=True,
        )

    def hard_delete(self):
        return super().delete()

    def _save_quietly(self, **kwargs) -> None:
        # The generic update entry would say "update"; we write the precise entry ourselves.
        with disable_auditlog():
            self.save(**kwargs)
