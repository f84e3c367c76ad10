from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tenant_apps.assessments"
    label = "assessments"
    verbose_name = "Assessments"
