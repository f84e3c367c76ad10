from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from django.dispatch import receiver

from core.audit.context import current_actor, current_ip


@receiver(pre_save, sender=LogEntry)
def stamp_actor_and_ip(sender, instance: LogEntry, **kwargs) -> None:
    if instance.actor_id is None:
        actor = current_actor()
        if actor is not None:
            instance.actor = actor
            instance.actor_email = actor.email
    if instance.remote_addr is None:
        instance.remote_addr = current_ip()
