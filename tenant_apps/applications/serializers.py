from rest_framework import serializers

from tenant_apps.access import InScope, applications_alive_for, drives_to_apply_to
from tenant_apps.applications.models import Application, ApplicationStatus, OfferStatus
from tenant_apps.drives.models import Drive
from tenant_apps.drives.serializers import CompanyRef
from tenant_apps.interviews.serializers import DriveRef, StudentRef


class ApplicationCreateInput(serializers.Serializer):
    drive = InScope(Drive, drives_to_apply_to, help_text="One of the drives you can see.")


class MoveInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BulkMoveInput(MoveInput):
    applications = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000
    )


class BulkMoveOutput(serializers.Serializer):
    moved = serializers.ListField(child=serializers.IntegerField())
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)


class OfferInput(serializers.Serializer):
    application = InScope(Application, applications_alive_for)
    ctc = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    joining_date = serializers.DateField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField()
    letter = serializers.FileField(required=False, help_text="Optional PDF offer letter.")


class OfferChangeInput(serializers.Serializer):
    ctc = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    joining_date = serializers.DateField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False)
    letter = serializers.FileField(required=False)


# --- Output (documentation of the read models built in selectors.py) ------------------------------


class ApplicantRef(serializers.Serializer):
    id = serializers.IntegerField()
    roll_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    department = serializers.CharField()


class StageOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    at = serializers.DateTimeField()
    by = serializers.IntegerField(allow_null=True, help_text="The user who made the move.")


class ApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    drive = DriveRef()
    student = ApplicantRef()
    note = serializers.CharField()
    applied_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    timeline = StageOutput(many=True)
    updated_at = serializers.DateTimeField()


class DriveBrief(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class LetterOutput(serializers.Serializer):
    url = serializers.CharField()


class OfferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField()
    drive = DriveBrief()
    company = CompanyRef()
    student = StudentRef()
    ctc = serializers.DecimalField(max_digits=12, decimal_places=2)
    joining_date = serializers.DateField(allow_null=True)
    expires_at = serializers.DateTimeField()
    is_expired = serializers.BooleanField()
    status = serializers.ChoiceField(choices=OfferStatus.choices)
    responded_at = serializers.DateTimeField(allow_null=True)
    letter = LetterOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
