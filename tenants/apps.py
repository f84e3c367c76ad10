from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Colleges"

    def ready(self) -> None:
        from tenants import signals  # noqa: F401
