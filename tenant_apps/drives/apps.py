from django.apps import AppConfig


class DrivesConfig(AppConfig):
    name = "tenant_apps.drives"
    label = "drives"
    verbose_name = "Drives"
