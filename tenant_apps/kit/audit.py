"""Audit entries for writes that bypass `save()` (one UPDATE for many rows): the same entries
django-auditlog writes for a saved row, created in one INSERT."""

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from core.audit.context import current_ip


def audit_bulk_update(*, model, changes: dict[int, dict[str, list]], actor) -> None:
    """`changes`: `{pk: {field: [old, new]}}`, values as strings like auditlog's."""
    audit_bulk(
        model=model,
        action=LogEntry.Action.UPDATE,
        entries={pk: (None, fields) for pk, fields in changes.items()},
        actor=actor,
    )


def audit_bulk(
    *,
    model,
    action: int,
    entries: dict[int, tuple[str | None, dict[str, list]]],
    actor,
    additional_data: dict | None = None,
) -> None:
    """`entries`: `{pk: (representation or None, {field: [old, new]})}`."""
    content_type = ContentType.objects.get_for_model(model)
    ip, cid = current_ip(), get_cid()
    label = model._meta.verbose_name.capitalize()
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(pk),
            object_id=pk,
            object_repr=representation or f"{label} {pk}",
            action=action,
            changes=fields,
            actor=actor,
            actor_email=getattr(actor, "email", None),
            remote_addr=ip,
            cid=cid,
            additional_data=additional_data,
        )
        for pk, (representation, fields) in entries.items()
    )
