from django.db import models
from django.db.models import Q
from django.utils import timezone

PENDING = Q(sent_at__isnull=True, failed_at__isnull=True)


class OutboxQuerySet(models.QuerySet):
    def due(self):
        return self.filter(PENDING, next_attempt_at__lte=timezone.now())


class OutboxMessage(models.Model):
    """A mail waiting to be handed to the mail server (see core/outbox/__init__.py)."""

    created_at = models.DateTimeField(auto_now_add=True)
    # The serialised EmailMessage; only the subject is kept once sent.
    message = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due_idx", condition=PENDING),
        ]

    def __str__(self) -> str:
        return f"{self.message.get('subject', '')} ({'sent' if self.sent_at else 'pending'})"
