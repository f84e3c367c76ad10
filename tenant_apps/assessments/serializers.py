from decimal import Decimal

from rest_framework import serializers

from tenant_apps.applications.models import ApplicationStatus
from tenant_apps.assessments.models import (
    AssessmentStatus,
    AttemptStatus,
    Question,
    QuestionBank,
    QuestionKind,
    SubmittedBy,
)
from tenant_apps.assessments.services import ADVANCE_TARGETS
from tenant_apps.drives.models import Drive, DriveRound
from tenant_apps.interviews.serializers import RoundRef, StudentRef

ADVANCE_CHOICES = [(status.value, status.label) for status in ADVANCE_TARGETS]
MARKS = {"max_digits": 6, "decimal_places": 2}


class QuestionBankInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ChoiceInput(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    is_correct = serializers.BooleanField(default=False)


class QuestionInput(serializers.Serializer):
    bank = serializers.PrimaryKeyRelatedField(queryset=QuestionBank.objects.all())
    text = serializers.CharField(max_length=5000)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    marks = serializers.DecimalField(
        **MARKS, min_value=Decimal("0.01"), max_value=1000, default="1"
    )
    negative_marks = serializers.DecimalField(
        **MARKS, min_value=0, max_value=1000, default="0", help_text="At most `marks`."
    )
    choices = ChoiceInput(
        many=True, help_text="2 to 10; a single-choice question has exactly one correct."
    )


class QuestionChangeInput(QuestionInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class AssessmentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    drive = serializers.PrimaryKeyRelatedField(
        queryset=Drive.objects.all(), required=False, allow_null=True
    )
    round = serializers.PrimaryKeyRelatedField(
        queryset=DriveRound.objects.all(),
        required=False,
        allow_null=True,
        help_text="A round of `drive`.",
    )
    time_limit_minutes = serializers.IntegerField(min_value=1, max_value=600)
    pass_marks = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, default="0")
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, default="draft")
    questions = serializers.PrimaryKeyRelatedField(
        queryset=Question.objects.all(),
        many=True,
        required=False,
        help_text="Question ids, in order (fixed once a student has started).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.partial:  # no default may overwrite what is stored
            for field in self.fields.values():
                field.default = serializers.empty


class AdvanceInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ADVANCE_CHOICES, default="shortlisted")
    cutoff = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Lowest qualifying score; default: the assessment's pass marks.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AnswerInput(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, help_text="The current question's id.")
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=10,
        allow_empty=True,
        help_text="The selected choice ids; empty leaves the question blank.",
    )


# --- Output (documentation of the rows built in selectors.py) -------------------------------------


class QuestionBankOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    question_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class BankRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    is_correct = serializers.BooleanField()


class QuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    bank = BankRef()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    marks = serializers.DecimalField(**MARKS)
    negative_marks = serializers.DecimalField(**MARKS)
    choices = ChoiceOutput(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TitleRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class AssessmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    drive = TitleRef(allow_null=True)
    round = RoundRef(allow_null=True)
    time_limit_minutes = serializers.IntegerField()
    pass_marks = serializers.DecimalField(max_digits=8, decimal_places=2)
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    question_count = serializers.IntegerField()
    total_marks = serializers.DecimalField(max_digits=10, decimal_places=2)
    questions = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Staff only."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AttemptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    assessment = TitleRef()
    student = StudentRef()
    status = serializers.ChoiceField(choices=AttemptStatus.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    remaining_seconds = serializers.IntegerField()
    answered = serializers.IntegerField()
    question_count = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.ChoiceField(choices=SubmittedBy.choices, allow_null=True)
    score = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)


class StudentChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class CurrentQuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="1 for the first question of the attempt.")
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    marks = serializers.DecimalField(**MARKS)
    negative_marks = serializers.DecimalField(**MARKS)
    choices = StudentChoiceOutput(many=True)


class NextOutput(serializers.Serializer):
    attempt = AttemptOutput()
    question = CurrentQuestionOutput(
        allow_null=True, help_text="null: every question answered, or the attempt ended."
    )


class ReviewItemOutput(serializers.Serializer):
    number = serializers.IntegerField()
    question = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    marks = serializers.DecimalField(**MARKS)
    negative_marks = serializers.DecimalField(**MARKS)
    choices = ChoiceOutput(many=True)
    selected = serializers.ListField(child=serializers.IntegerField())
    marks_awarded = serializers.DecimalField(max_digits=8, decimal_places=2)


class ResultOutput(serializers.Serializer):
    attempt = AttemptOutput()
    review = ReviewItemOutput(many=True)


class AdvanceOutput(serializers.Serializer):
    moved = serializers.ListField(child=serializers.IntegerField(), help_text="Application ids.")
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    cutoff = serializers.DecimalField(max_digits=8, decimal_places=2)
