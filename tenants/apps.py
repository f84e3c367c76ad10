from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Colleges"

    def ready(self) -> None:
        from tenants import contenttypes, signals  # noqa: F401

        contenttypes.install()
        from tenants.fleet import mark_after_migrate

        post_migrate.connect(mark_after_migrate, sender=self, dispatch_uid="tenants.mark_migrated")
