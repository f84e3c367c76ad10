from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "tenant_apps.applications"
    label = "applications"
    verbose_name = "Applications and offers"

    def ready(self) -> None:
        from core.accounts.hooks import register
        from tenant_apps.applications import tiers

        register(placement_policy=tiers.derived_policy, placement_policy_set=tiers.policy_set)
