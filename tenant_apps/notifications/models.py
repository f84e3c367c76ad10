"""What a user wants to be mailed about.

Essential mail is always sent: offers (made, and the confirmation of accepting or declining one),
interviews (scheduled or moved), and the outcome of an application (`offered`, `rejected`), as
well as account mail (verification, password reset, invitations; core.accounts). Non-essential
mail can be turned off, by category: new drive openings a student is eligible for, and the
progress of an application (`shortlisted`, `in_process`, `withdrawn`)."""

from django.conf import settings
from django.db import models

from core.audit.models import SoftDeleteModel


class Category(models.TextChoices):
    DRIVE_OPENINGS = "drive_openings", "New drive openings"
    APPLICATION_UPDATES = "application_updates", "Application progress"


class NotificationPreference(SoftDeleteModel):
    """One row per user who changed a default (no row: every category on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    drive_openings = models.BooleanField(default=True)
    application_updates = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Notification preferences of user {self.user_id}"
