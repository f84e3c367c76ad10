import django_filters

from tenant_apps.drives.models import RoundKind
from tenant_apps.interviews.models import Interview, InterviewSlot, InterviewStatus


class InterviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InterviewStatus.choices)
    application = django_filters.NumberFilter(field_name="application_id")
    student = django_filters.NumberFilter(field_name="student_id")
    drive = django_filters.NumberFilter(field_name="application__drive_id")
    round = django_filters.NumberFilter(field_name="round_id")
    round_kind = django_filters.ChoiceFilter(field_name="round__kind", choices=RoundKind.choices)
    scheduled_after = django_filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    scheduled_before = django_filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt")

    class Meta:
        model = Interview
        fields = [
            "status", "application", "student", "drive", "round", "round_kind",
            "scheduled_after", "scheduled_before",
        ]  # fmt: skip


INTERVIEW_SEARCH_FIELDS = [
    "student__roll_number", "student__user__first_name", "student__user__last_name",
    "application__drive__title", "application__drive__company__name", "interviewer", "venue",
]  # fmt: skip
INTERVIEW_ORDERING_FIELDS = ["scheduled_at", "status", "created_at"]


class SlotFilter(django_filters.FilterSet):
    drive = django_filters.NumberFilter(field_name="round__drive_id")
    round = django_filters.NumberFilter(field_name="round_id")
    panelist = django_filters.NumberFilter(method="filter_panelist", label="A panel member (user)")
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = InterviewSlot
        fields = ["drive", "round", "panelist", "starts_after", "starts_before"]

    def filter_panelist(self, queryset, name, value):
        return queryset.filter(
            panelists__user_id=value, panelists__deleted_at__isnull=True
        ).distinct()


SLOT_SEARCH_FIELDS = ["round__drive__title", "round__drive__company__name", "venue"]
SLOT_ORDERING_FIELDS = ["starts_at", "capacity", "created_at"]
