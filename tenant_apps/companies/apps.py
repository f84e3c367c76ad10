from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "tenant_apps.companies"
    label = "companies"
    verbose_name = "Companies"
