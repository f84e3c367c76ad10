from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "tenant_apps.companies"
    label = "companies"
    verbose_name = "Companies"

    def ready(self) -> None:
        from core.accounts.hooks import register
        from tenant_apps.companies import models

        def company_exists(company_id: int) -> bool:
            return models.Company.objects.filter(pk=company_id).exists()

        def recruiter_attach(*, user, company_id: int) -> None:
            models.Recruiter.objects.create(user=user, company_id=company_id)

        # an invitation of a recruiter names one of the college's companies (core/accounts)
        register(company_exists=company_exists, recruiter_attach=recruiter_attach)
