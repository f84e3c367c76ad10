from django.apps import AppConfig, apps


class AuditConfig(AppConfig):
    name = "core.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core.audit import receivers  # noqa: F401
        from core.audit.models import AUDIT_EXCLUDED_FIELDS, AuditedModel

        # Every concrete audited model is registered: no model can forget to be audited.
        for model in apps.get_models():
            if issubclass(model, AuditedModel) and not auditlog.contains(model):
                auditlog.register(model, exclude_fields=list(AUDIT_EXCLUDED_FIELDS))
