from rest_framework import serializers

from tenant_apps.applications.models import Application
from tenant_apps.drives.models import DriveRound, RoundKind
from tenant_apps.drives.serializers import CompanyRef
from tenant_apps.interviews.models import InterviewStatus


class InterviewInput(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), help_text="One of the applications you can see."
    )
    round = serializers.PrimaryKeyRelatedField(queryset=DriveRound.objects.all())
    scheduled_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600, default=60)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    meeting_link = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    interviewer = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )

    def __init__(self, *args, applications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if applications is not None:
            self.fields["application"].queryset = applications


class InterviewChangeInput(serializers.Serializer):
    round = serializers.PrimaryKeyRelatedField(queryset=DriveRound.objects.all(), required=False)
    scheduled_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600, required=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    meeting_link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    interviewer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=InterviewStatus.choices, required=False)
    feedback = serializers.CharField(max_length=5000, required=False, allow_blank=True)


# --- Output (documentation of the read model built in selectors.py) -------------------------------


class StudentRef(serializers.Serializer):
    id = serializers.IntegerField()
    roll_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class DriveRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    company = CompanyRef()


class RoundRef(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RoundKind.choices)
    name = serializers.CharField()


class InterviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField()
    student = StudentRef()
    drive = DriveRef()
    round = RoundRef()
    scheduled_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    ends_at = serializers.DateTimeField()
    venue = serializers.CharField()
    meeting_link = serializers.CharField()
    interviewer = serializers.CharField()
    status = serializers.ChoiceField(choices=InterviewStatus.choices)
    feedback = serializers.CharField(required=False, help_text="Not shown to students.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
