from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "shared_apps.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from core.accounts.hooks import register
        from shared_apps.billing import limits, services
        from tenants.hooks import register as register_for_colleges

        # identity (in core) asks the plan about staff seats and branding through these
        register(ensure_room_for=limits.ensure_room_for, ensure_feature=limits.ensure_feature)
        # a new college (tenants) starts on a plan
        register_for_colleges(plan_for=services.plan_for)
