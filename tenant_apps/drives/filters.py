import django_filters
from django.db.models import Exists, OuterRef, Q

from tenant_apps.applications.models import Application
from tenant_apps.drives.models import Drive, DriveStatus, JobType
from tenant_apps.students.filters import StudentFilter


class DriveFilter(django_filters.FilterSet):
    company = django_filters.NumberFilter(field_name="company_id")
    status = django_filters.ChoiceFilter(choices=DriveStatus.choices)
    job_type = django_filters.ChoiceFilter(choices=JobType.choices)
    ctc_min = django_filters.NumberFilter(field_name="ctc", lookup_expr="gte")
    ctc_max = django_filters.NumberFilter(field_name="ctc", lookup_expr="lte")
    apply_by_after = django_filters.IsoDateTimeFilter(field_name="apply_by", lookup_expr="gte")
    apply_by_before = django_filters.IsoDateTimeFilter(field_name="apply_by", lookup_expr="lt")
    department = django_filters.CharFilter(method="filter_department", label="Open to department")
    graduation_year = django_filters.NumberFilter(method="filter_graduation_year")

    class Meta:
        model = Drive
        fields = [
            "company", "status", "job_type", "ctc_min", "ctc_max", "apply_by_after",
            "apply_by_before", "department", "graduation_year",
        ]  # fmt: skip

    def filter_department(self, queryset, name, value):
        return queryset.filter(Q(departments=[]) | Q(departments__contains=[value.upper()]))

    def filter_graduation_year(self, queryset, name, value):
        return queryset.filter(Q(graduation_years=[]) | Q(graduation_years__contains=[value]))


DRIVE_SEARCH_FIELDS = ["title", "company__name", "location"]
DRIVE_ORDERING_FIELDS = ["apply_by", "ctc", "min_cgpa", "title", "created_at"]


class EligibleStudentFilter(StudentFilter):
    applied = django_filters.BooleanFilter(
        method="filter_applied", label="Has (true) or has not (false) applied to this drive"
    )

    class Meta(StudentFilter.Meta):
        fields = [*StudentFilter.Meta.fields, "applied"]

    def filter_applied(self, queryset, name, value):
        drive_id = self.request.parser_context["kwargs"]["pk"]
        applied = Application.objects.filter(student=OuterRef("pk"), drive_id=drive_id)
        return queryset.filter(Exists(applied)) if value else queryset.exclude(Exists(applied))
