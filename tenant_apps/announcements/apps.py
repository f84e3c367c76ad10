from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "tenant_apps.announcements"
    label = "announcements"
    verbose_name = "Announcements"
