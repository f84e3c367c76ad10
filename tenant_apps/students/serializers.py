from rest_framework import serializers

from tenant_apps.kit.jobs import JobOutput
from tenant_apps.students.models import (
    CGPA_VALIDATORS,
    YEAR_VALIDATORS,
    PlacementStatus,
    Skill,
    TwelfthBoard,
    VerificationStatus,
)


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "name", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        clash = Skill.objects.filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("A skill with this name already exists.")
        return value


# --- Input --------------------------------------------------------------------------------------


class SkillRatingInput(serializers.Serializer):
    skill = serializers.PrimaryKeyRelatedField(queryset=Skill.objects.all())
    rating = serializers.IntegerField(min_value=1, max_value=10)


class EducationEntry(serializers.Serializer):
    institution = serializers.CharField(max_length=200)
    degree = serializers.CharField(max_length=100)
    field_of_study = serializers.CharField(max_length=100, required=False, allow_blank=True)
    start_year = serializers.IntegerField(min_value=1950, max_value=2100, required=False)
    end_year = serializers.IntegerField(
        min_value=1950, max_value=2100, required=False, allow_null=True
    )
    score = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="e.g. `8.7 CGPA`, `92%`"
    )

    def validate(self, attrs):
        start, end = attrs.get("start_year"), attrs.get("end_year")
        if start and end and end < start:
            raise serializers.ValidationError({"end_year": ["Ends before it starts."]})
        return attrs


class ExperienceEntry(serializers.Serializer):
    organization = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Ends before it starts."]})
        return attrs


def _as_json(entry_serializer: type[serializers.Serializer], entries: list[dict]) -> list[dict]:
    """Validated entries as JSON-ready dicts (dates as ISO strings)."""
    return [entry_serializer().to_representation(entry) for entry in entries]


class ProfileInput(serializers.Serializer):
    """The profile fields; staff and the student write them (academic ones only while the
    profile is not verified)."""

    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150, allow_blank=True)
    roll_number = serializers.RegexField(r"^[A-Za-z0-9/_.-]+$", max_length=50)
    department = serializers.CharField(max_length=100)
    graduation_year = serializers.IntegerField(validators=YEAR_VALIDATORS)
    cgpa = serializers.DecimalField(max_digits=4, decimal_places=2, validators=CGPA_VALIDATORS)
    backlogs = serializers.IntegerField(min_value=0, max_value=100, default=0)
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{6,20}$", allow_blank=True, required=False)
    tenth_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, allow_null=True,
        required=False, help_text="10th marks, in percent.",
    )  # fmt: skip
    twelfth_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, allow_null=True,
        required=False, help_text="12th (or diploma, see twelfth_board) marks, in percent.",
    )  # fmt: skip
    twelfth_board = serializers.ChoiceField(choices=TwelfthBoard.choices, required=False)
    skills = SkillRatingInput(many=True, required=False, help_text="Replaces the whole list.")
    education = EducationEntry(many=True, required=False)
    experience = ExperienceEntry(many=True, required=False)

    def validate_roll_number(self, value: str) -> str:
        return value.strip().upper()

    def validate_department(self, value: str) -> str:
        return value.strip()

    def validate_skills(self, value: list[dict]) -> list[dict]:
        ids = [item["skill"].pk for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A skill appears twice.")
        return value

    def validate_education(self, value: list[dict]) -> list[dict]:
        return _as_json(EducationEntry, value)

    def validate_experience(self, value: list[dict]) -> list[dict]:
        return _as_json(ExperienceEntry, value)


class StudentCreateInput(ProfileInput):
    email = serializers.EmailField()


class ResumeInput(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF (checked by content), within RESUME_MAX_BYTES.")


# --- Output (documentation of the read model built in selectors.py) -------------------------------


class SkillRatingOutput(serializers.Serializer):
    skill = serializers.IntegerField()
    name = serializers.CharField()
    rating = serializers.IntegerField()


class ResumeOutput(serializers.Serializer):
    url = serializers.CharField(help_text="Download through the API (authorised), never public.")
    uploaded_at = serializers.DateTimeField()


class VerificationOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=VerificationStatus.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(help_text="Why the office sent the profile back.")


class StudentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    roll_number = serializers.CharField()
    department = serializers.CharField()
    graduation_year = serializers.IntegerField()
    cgpa = serializers.DecimalField(max_digits=4, decimal_places=2)
    backlogs = serializers.IntegerField()
    phone = serializers.CharField()
    skills = SkillRatingOutput(many=True)
    education = EducationEntry(many=True)
    experience = ExperienceEntry(many=True)
    is_verified = serializers.BooleanField()
    verified_at = serializers.DateTimeField(allow_null=True)
    verified_by = serializers.IntegerField(allow_null=True)
    placement_status = serializers.ChoiceField(choices=PlacementStatus.choices)
    tenth_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    twelfth_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    twelfth_board = serializers.ChoiceField(choices=TwelfthBoard.choices)
    verification = VerificationOutput()
    resume = ResumeOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# --- Import and export ----------------------------------------------------------------------------


class StudentImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8, `,` or `;`) or XLSX, by content; at most IMPORT_MAX_BYTES."
    )
    dry_run = serializers.BooleanField(
        default=True, help_text="Only check and report (the default); `false` imports."
    )
    invite = serializers.BooleanField(
        default=True,
        help_text="Mail each new account its set-your-password link (after the import).",
    )


class ImportErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="As the spreadsheet numbers it: the header is 1.")
    field = serializers.CharField()
    message = serializers.CharField()


class StudentImportResultOutput(serializers.Serializer):
    dry_run = serializers.BooleanField()
    total_rows = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Created (a dry run: would be).")
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="Rows refused: nothing was done with them.")
    errors = ImportErrorOutput(many=True)
    unknown_columns = serializers.ListField(child=serializers.CharField())


class StudentImportJobOutput(JobOutput):
    result = StudentImportResultOutput(allow_null=True)


# --- The verification queue -----------------------------------------------------------------------


class VerificationReturnInput(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, help_text="What the student should change.")


class VerifyBulkInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000
    )


class VerifyBulkOutput(serializers.Serializer):
    verified = serializers.ListField(child=serializers.IntegerField(), help_text="Newly verified.")
    already_verified = serializers.IntegerField()


class MyVerificationOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=VerificationStatus.choices)
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()
    drives_waiting = serializers.IntegerField(
        help_text="Open drives the student could apply to once verified."
    )
