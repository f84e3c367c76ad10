from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "tenant_apps.kit"
    label = "kit"
    verbose_name = "Placement kit"
