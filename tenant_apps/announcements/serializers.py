from rest_framework import serializers

from tenant_apps.announcements.models import Audience
from tenant_apps.drives.models import Drive


class AnnouncementInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10_000)
    audience = serializers.ChoiceField(choices=Audience.choices)
    graduation_year = serializers.IntegerField(
        min_value=1950, max_value=2100, required=False, allow_null=True, default=None,
        help_text="For `batch`.",
    )  # fmt: skip
    department = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="For `department`."
    )
    drive = serializers.PrimaryKeyRelatedField(
        queryset=Drive.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="For `drive`: its applicants.",
    )


class AnnouncementDriveRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    company = serializers.CharField()


class AnnouncementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    audience = serializers.ChoiceField(choices=Audience.choices)
    graduation_year = serializers.IntegerField(allow_null=True)
    department = serializers.CharField()
    drive = AnnouncementDriveRef(allow_null=True)
    posted_at = serializers.DateTimeField()
    author = serializers.CharField(required=False, help_text="Staff only.")
    recipients_total = serializers.IntegerField(required=False, help_text="Staff only.")
    read_total = serializers.IntegerField(required=False, help_text="Staff only.")
    read_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Students: when they first opened it."
    )
