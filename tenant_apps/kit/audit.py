"""Audit entries for writes that bypass `save()` (one UPDATE for many rows): the same entries
django-auditlog writes for a saved row, created in one INSERT."""

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from core.audit.context import current_ip


def audit_bulk_update(*, model, changes: dict[int, dict[str, list]], actor) -> None:
    """`changes`: `{pk: {field: [old, new]}}`, values as strings like auditlog's."""
    content_type = ContentType.objects.get_for_model(model)
    ip, cid = current_ip(), get_cid()
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(pk),
            object_id=pk,
            object_repr=f"{model._meta.verbose_name.capitalize()} {pk}",
            action=LogEntry.Action.UPDATE,
            changes=fields,
            actor=actor,
            actor_email=getattr(actor, "email", None),
            remote_addr=ip,
            cid=cid,
        )
        for pk, fields in changes.items()
    )
