from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "shared_apps.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from core.accounts.hooks import register
        from shared_apps.billing import limits

        # identity (in core) asks the plan about staff seats and branding through these
        register(ensure_room_for=limits.ensure_room_for, ensure_feature=limits.ensure_feature)
