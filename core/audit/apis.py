import django_filters
from auditlog.models import LogEntry
from rest_framework import mixins, serializers, viewsets

from core.api.permissions import IsCollegeAdmin
from core.audit.models import RESTORE_EVENT
from core.audit.selectors import action_name, audit_entries

ACTION_FILTERS = {
    "create": {"action": LogEntry.Action.CREATE},
    "update": {"action": LogEntry.Action.UPDATE},
    "delete": {"action": LogEntry.Action.DELETE},
    "restore": {"action": LogEntry.Action.UPDATE, "additional_data__event": RESTORE_EVENT},
    "security": {"action": LogEntry.Action.ACCESS},
}


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()
    model = serializers.CharField(source="content_type.model")
    object_id = serializers.CharField(source="object_pk")
    changes = serializers.JSONField(source="changes_dict")
    ip = serializers.IPAddressField(source="remote_addr", allow_null=True)
    user_agent = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = [
            "id", "actor", "action", "model", "object_id", "object_repr", "changes",
            "timestamp", "ip", "user_agent",
        ]  # fmt: skip

    def get_actor(self, entry: LogEntry) -> dict | None:
        if entry.actor_id is None:
            return None
        return {"id": entry.actor_id, "email": entry.actor.email if entry.actor else None}

    def get_action(self, entry: LogEntry) -> str:
        return action_name(entry)

    def get_user_agent(self, entry: LogEntry) -> str:
        return (entry.additional_data or {}).get("user_agent", "")


class AuditEntryFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="content_type__model", lookup_expr="iexact")
    object_id = django_filters.CharFilter(field_name="object_pk")
    actor = django_filters.NumberFilter(field_name="actor_id")
    action = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ACTION_FILTERS], method="filter_action"
    )
    event = django_filters.CharFilter(field_name="additional_data__event")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")

    class Meta:
        model = LogEntry
        fields = ["model", "object_id", "actor", "action", "event", "since", "until"]

    def filter_action(self, queryset, name, value):
        return queryset.filter(**ACTION_FILTERS[value])


class AuditLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who created, changed, deleted or restored what, and the security events (logins,
    failures, lockouts, 2FA, passwords) with IP and user agent. Admins only; read-only."""

    serializer_class = AuditEntrySerializer
    permission_classes = [IsCollegeAdmin]
    filterset_class = AuditEntryFilter
    search_fields = ["object_repr"]
    ordering_fields = ["timestamp"]

    def get_queryset(self):
        return audit_entries()
