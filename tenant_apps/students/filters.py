import django_filters
from django.db.models import Exists, OuterRef

from tenant_apps.students.models import (
    PlacementStatus,
    Student,
    StudentSkill,
    VerificationStatus,
)


class StudentFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(lookup_expr="iexact")
    graduation_year = django_filters.NumberFilter()
    is_verified = django_filters.BooleanFilter()
    verification_status = django_filters.ChoiceFilter(choices=VerificationStatus.choices)
    placement_status = django_filters.ChoiceFilter(choices=PlacementStatus.choices)
    cgpa_min = django_filters.NumberFilter(field_name="cgpa", lookup_expr="gte")
    cgpa_max = django_filters.NumberFilter(field_name="cgpa", lookup_expr="lte")
    backlogs_max = django_filters.NumberFilter(field_name="backlogs", lookup_expr="lte")
    skill = django_filters.NumberFilter(method="filter_skill", label="Has this skill (id)")
    has_resume = django_filters.BooleanFilter(method="filter_has_resume")

    class Meta:
        model = Student
        fields = [
            "department", "graduation_year", "is_verified", "verification_status",
            "placement_status", "cgpa_min",
            "cgpa_max", "backlogs_max", "skill", "has_resume",
        ]  # fmt: skip

    def filter_skill(self, queryset, name, value):
        rated = StudentSkill.objects.filter(student=OuterRef("pk"), skill_id=value)
        return queryset.filter(Exists(rated))

    def filter_has_resume(self, queryset, name, value):
        return queryset.exclude(resume="") if value else queryset.filter(resume="")


STUDENT_SEARCH_FIELDS = [
    "roll_number", "user__email", "user__first_name", "user__last_name", "department",
]  # fmt: skip
STUDENT_ORDERING_FIELDS = [
    "roll_number", "cgpa", "graduation_year", "backlogs", "department", "created_at",
    "verification_submitted_at", "tenth_pct", "twelfth_pct",
]  # fmt: skip
