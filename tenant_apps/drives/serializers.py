from rest_framework import serializers

from tenant_apps.applications.models import OfferTier
from tenant_apps.companies.models import Company
from tenant_apps.drives.models import DriveStatus, JobType, ListKind, RoundKind
from tenant_apps.students.models import CGPA_VALIDATORS, Skill, Student


class DriveSkillInput(serializers.Serializer):
    skill = serializers.PrimaryKeyRelatedField(queryset=Skill.objects.all())
    weight = serializers.IntegerField(min_value=1, max_value=10)


class DriveRoundInput(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text="An existing round of this drive, to keep it (and its interviews)"
    )
    kind = serializers.ChoiceField(choices=RoundKind.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DriveInput(serializers.Serializer):
    company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    job_type = serializers.ChoiceField(choices=JobType.choices)
    ctc = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    min_cgpa = serializers.DecimalField(
        max_digits=4, decimal_places=2, validators=CGPA_VALIDATORS, required=False
    )
    max_backlogs = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, help_text="null: no limit"
    )
    departments = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=100,
        help_text="Department codes; empty: every department",
    )
    graduation_years = serializers.ListField(
        child=serializers.IntegerField(min_value=1950, max_value=2100),
        required=False,
        max_length=20,
        help_text="Empty: every batch",
    )
    min_tenth_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
        allow_null=True, help_text="10th marks, in percent; null: no minimum",
    )  # fmt: skip
    min_twelfth_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
        allow_null=True, help_text="12th or diploma marks, in percent; null: no minimum",
    )  # fmt: skip
    offer_tier = serializers.PrimaryKeyRelatedField(
        queryset=OfferTier.objects.all(), required=False, allow_null=True,
        help_text="The offer tier the office puts the drive in; null: its CTC band's",
    )  # fmt: skip
    skills = DriveSkillInput(many=True, required=False, help_text="Replaces the whole list.")
    apply_by = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=DriveStatus.choices, required=False)
    rounds = DriveRoundInput(many=True, required=False, help_text="In order; replaces the list.")

    def validate_departments(self, value: list[str]) -> list[str]:
        return sorted({department.strip().upper() for department in value if department.strip()})

    def validate_graduation_years(self, value: list[int]) -> list[int]:
        return sorted(set(value))

    def validate_skills(self, value: list[dict]) -> list[dict]:
        ids = [item["skill"].pk for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A skill appears twice.")
        return value

    def validate_rounds(self, value: list[dict]) -> list[dict]:
        ids = [item["id"] for item in value if item.get("id")]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A round appears twice.")
        return value


# --- Output (documentation of the read model built in selectors.py) -------------------------------


class CompanyRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DriveSkillOutput(serializers.Serializer):
    skill = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.IntegerField()


class DriveRoundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RoundKind.choices)
    name = serializers.CharField()


class DriveOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = CompanyRef()
    title = serializers.CharField()
    description = serializers.CharField()
    job_type = serializers.ChoiceField(choices=JobType.choices)
    ctc = serializers.DecimalField(max_digits=12, decimal_places=2)
    location = serializers.CharField()
    min_cgpa = serializers.DecimalField(max_digits=4, decimal_places=2)
    max_backlogs = serializers.IntegerField(allow_null=True)
    departments = serializers.ListField(child=serializers.CharField())
    graduation_years = serializers.ListField(child=serializers.IntegerField())
    min_tenth_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    min_twelfth_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    offer_tier = serializers.IntegerField(allow_null=True, help_text="The tier the office named")
    skills = DriveSkillOutput(many=True)
    apply_by = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=DriveStatus.choices)
    rounds = DriveRoundOutput(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EligibilityReason(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class StudentListInput(serializers.Serializer):
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    kind = serializers.ChoiceField(choices=ListKind.choices)
    reason = serializers.CharField(max_length=300)


class ListedStudentRef(serializers.Serializer):
    id = serializers.IntegerField()
    roll_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class StudentListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    student = ListedStudentRef()
    kind = serializers.ChoiceField(choices=ListKind.choices)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
