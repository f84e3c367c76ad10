from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.accounts.models import CollegeSettings
from core.accounts.policies import forget_college_settings


@receiver(post_save, sender=CollegeSettings)
def college_settings_saved(sender, **kwargs) -> None:
    forget_college_settings()
    transaction.on_commit(forget_college_settings)
