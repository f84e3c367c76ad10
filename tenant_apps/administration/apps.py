from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """The placement head's pages over the college itself: settings, members, audit log."""

    name = "tenant_apps.administration"
    label = "administration"
