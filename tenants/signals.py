from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from tenants.models import College, Domain
from tenants.resolution import forget_hosts


def _forget_now_and_on_commit(hostnames) -> None:
    hostnames = list(hostnames)
    forget_hosts(hostnames)
    transaction.on_commit(lambda: forget_hosts(hostnames))


@receiver(post_save, sender=College)
def college_saved(sender, instance: College, **kwargs) -> None:
    _forget_now_and_on_commit(instance.domains.values_list("domain", flat=True))


@receiver(pre_delete, sender=College)
def college_deleted(sender, instance: College, **kwargs) -> None:
    _forget_now_and_on_commit(instance.domains.values_list("domain", flat=True))


@receiver(pre_save, sender=Domain)
def domain_renamed(sender, instance: Domain, **kwargs) -> None:
    if instance.pk:
        old = Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        if old and old != instance.domain:
            _forget_now_and_on_commit([old])


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def domain_changed(sender, instance: Domain, **kwargs) -> None:
    _forget_now_and_on_commit([instance.domain])
