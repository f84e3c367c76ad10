from auditlog.models import LogEntry
from django.db.models import QuerySet

from core.audit.models import RESTORE_EVENT

ACTION_NAMES = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "security",
}


def audit_entries() -> QuerySet[LogEntry]:
    return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")


def action_name(entry: LogEntry) -> str:
    """`create`/`update`/`delete`/`restore`, or the security event (`login_failed`, ...)."""
    event = (entry.additional_data or {}).get("event")
    if entry.action == LogEntry.Action.UPDATE and event == RESTORE_EVENT:
        return "restore"
    if entry.action == LogEntry.Action.ACCESS and event:
        return event
    return ACTION_NAMES.get(entry.action, "update")
