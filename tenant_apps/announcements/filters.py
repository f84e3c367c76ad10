import django_filters

from tenant_apps.announcements.models import Announcement, Audience


class AnnouncementFilter(django_filters.FilterSet):
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    drive = django_filters.NumberFilter(field_name="drive_id")
    graduation_year = django_filters.NumberFilter()
    department = django_filters.CharFilter(lookup_expr="iexact")
    posted_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    posted_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Announcement
        fields = [
            "audience", "drive", "graduation_year", "department", "posted_after", "posted_before",
        ]  # fmt: skip


ANNOUNCEMENT_SEARCH_FIELDS = ["title", "body"]
ANNOUNCEMENT_ORDERING_FIELDS = ["created_at", "title"]
