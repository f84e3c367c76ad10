import django_filters
from django.db.models import F

from tenant_apps.assessments.models import (
    Assessment,
    AssessmentStatus,
    Attempt,
    AttemptStatus,
    Question,
    QuestionKind,
)


class QuestionFilter(django_filters.FilterSet):
    bank = django_filters.NumberFilter(field_name="bank_id")
    kind = django_filters.ChoiceFilter(choices=QuestionKind.choices)

    class Meta:
        model = Question
        fields = ["bank", "kind"]


BANK_SEARCH_FIELDS = ["name", "description"]
BANK_ORDERING_FIELDS = ["id", "name", "created_at"]
QUESTION_SEARCH_FIELDS = ["text"]
QUESTION_ORDERING_FIELDS = ["id", "marks", "created_at"]


class AssessmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    drive = django_filters.NumberFilter(field_name="drive_id")
    company = django_filters.NumberFilter(field_name="drive__company_id")

    class Meta:
        model = Assessment
        fields = ["status", "drive", "company"]


ASSESSMENT_SEARCH_FIELDS = ["title", "drive__title", "drive__company__name"]
ASSESSMENT_ORDERING_FIELDS = ["id", "title", "opens_at", "closes_at", "created_at"]


class AttemptFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AttemptStatus.choices)
    assessment = django_filters.NumberFilter(field_name="assessment_id")
    student = django_filters.NumberFilter(field_name="student_id")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    passed = django_filters.BooleanFilter(method="filter_passed")

    class Meta:
        model = Attempt
        fields = ["status", "assessment", "student", "min_score", "passed"]

    def filter_passed(self, queryset, name, value):
        passed = queryset.filter(score__gte=F("assessment__pass_marks"))
        return passed if value else queryset.filter(score__lt=F("assessment__pass_marks"))


ATTEMPT_SEARCH_FIELDS = [
    "student__roll_number", "student__user__first_name", "student__user__last_name",
    "student__user__email", "assessment__title",
]  # fmt: skip
ATTEMPT_ORDERING_FIELDS = ["id", "score", "started_at", "submitted_at"]
