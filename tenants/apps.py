from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Colleges"

    def ready(self) -> None:
        from tenants import contenttypes, signals  # noqa: F401

        contenttypes.install()
