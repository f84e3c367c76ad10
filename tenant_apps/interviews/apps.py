from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "tenant_apps.interviews"
    label = "interviews"
    verbose_name = "Interviews"
