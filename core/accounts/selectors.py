from django.db.models import QuerySet
from django.utils import timezone

from core.accounts.models import Invitation


def pending_invitations() -> QuerySet[Invitation]:
    """Invitations not accepted yet and not expired, the newest first (with who sent them)."""
    return (
        Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )
