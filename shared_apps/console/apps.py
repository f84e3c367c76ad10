from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "shared_apps.console"
    label = "console"
    verbose_name = "Placemate console"

    def ready(self) -> None:
        from shared_apps.console import signals  # noqa: F401
