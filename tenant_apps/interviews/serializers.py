from rest_framework import serializers

from core.accounts.models import User
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


# --- Slots and results ---------------------------------------------------------------------------


class SlotInput(serializers.Serializer):
    round = serializers.PrimaryKeyRelatedField(queryset=DriveRound.objects.none())
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with its offset.")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    meeting_link = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    capacity = serializers.IntegerField(min_value=1, max_value=500, default=1)
    panel = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        default=list,
        help_text="Users: the placement office or recruiters of the drive's company.",
    )

    def __init__(self, *args, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rounds is not None:
            self.fields["round"].queryset = rounds


class SlotBookInput(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(),
        required=False,
        help_text="Staff: the application to book. A student books their own (leave it out).",
    )

    def __init__(self, *args, applications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if applications is not None:
            self.fields["application"].queryset = applications


class SlotAssignInput(serializers.Serializer):
    round = serializers.PrimaryKeyRelatedField(queryset=DriveRound.objects.none())

    def __init__(self, *args, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rounds is not None:
            self.fields["round"].queryset = rounds


class SchedulingInput(SlotAssignInput):
    students_pick = serializers.BooleanField()


class AssignOutput(serializers.Serializer):
    interviews = serializers.ListField(child=serializers.IntegerField())
    unassigned = serializers.ListField(child=serializers.IntegerField(), help_text="Applications.")


class PanelMemberRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookingRef(serializers.Serializer):
    interview = serializers.IntegerField()
    application = serializers.IntegerField()
    student = serializers.IntegerField()
    roll_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    status = serializers.ChoiceField(choices=InterviewStatus.choices)


class SlotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    drive = DriveRef()
    round = RoundRef()
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    ends_at = serializers.DateTimeField()
    venue = serializers.CharField()
    meeting_link = serializers.CharField()
    capacity = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    students_pick = serializers.BooleanField()
    panel = PanelMemberRef(many=True)
    bookings = BookingRef(many=True, required=False, help_text="Not shown to students.")
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)


RESULT_CHOICES = [
    (InterviewStatus.CLEARED.value, "Cleared"),
    (InterviewStatus.REJECTED.value, "Rejected"),
    (InterviewStatus.NO_SHOW.value, "No show"),
]


class ResultItem(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, help_text="An interview.")
    status = serializers.ChoiceField(choices=RESULT_CHOICES)
    feedback = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ResultsInput(serializers.Serializer):
    results = ResultItem(many=True, allow_empty=False, max_length=500)


class ResultsOutput(serializers.Serializer):
    recorded = serializers.ListField(child=serializers.IntegerField())
    applications = serializers.DictField(
        child=serializers.CharField(), help_text="Each application's status after the results."
    )
