from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
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


# The distinct kinds of record in the log by a loose index scan (one probe of the content type's
# index per kind), not a DISTINCT over every entry of a season.
_LOGGED_CONTENT_TYPES = """
WITH RECURSIVE kinds AS (
    SELECT MIN(content_type_id) AS id FROM auditlog_logentry
    UNION ALL
    SELECT (SELECT MIN(content_type_id) FROM auditlog_logentry WHERE content_type_id > kinds.id)
    FROM kinds WHERE kinds.id IS NOT NULL
)
SELECT id FROM kinds WHERE id IS NOT NULL
"""


def logged_models() -> list[str]:
    """The model names of the kinds of record the log has entries for, in order."""
    with connection.cursor() as cursor:
        cursor.execute(_LOGGED_CONTENT_TYPES)
        ids = [row[0] for row in cursor.fetchall()]
    return list(
        ContentType.objects.filter(pk__in=ids).order_by("model").values_list("model", flat=True)
    )


def action_name(entry: LogEntry) -> str:
    """`create`/`update`/`delete`/`restore`, or the security event (`login_failed`, ...)."""
    event = (entry.additional_data or {}).get("event")
    if entry.action == LogEntry.Action.UPDATE and event == RESTORE_EVENT:
        return "restore"
    if entry.action == LogEntry.Action.ACCESS and event:
        return event
    return ACTION_NAMES.get(entry.action, "update")
