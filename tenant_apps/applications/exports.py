"""The applicants of a drive as the spreadsheet a company asks for
(`drives/{id}/applicants/export/`): columns picked from an allow-list, in the order asked."""

import django_filters
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, Trim

from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.drives.models import Drive
from tenant_apps.kit.exports import Column
from tenant_apps.students.exports import student_columns

APPLICANT_EXPORT_COLUMNS: dict[str, Column] = {
    "application_id": Column("application_id", "application_id", "id"),
    "name": Column(
        "name",
        "name",
        Trim(Concat("student__user__first_name", Value(" "), "student__user__last_name")),
    ),
    **student_columns("student__", "student_id"),
    "resume": Column(
        "resume",
        "resume",
        Case(
            When(student__resume="", then=Value("")),
            default=Concat(
                Value("/api/v1/students/"), Cast("student_id", CharField()), Value("/resume/")
            ),
            output_field=CharField(),
        ),
    ),
    "status": Column("status", "status", "status"),
    "applied_at": Column("applied_at", "applied_at", "created_at"),
    "status_changed_at": Column("status_changed_at", "status_changed_at", "status_changed_at"),
}
APPLICANT_EXPORT_DEFAULT = [
    "name", "email", "roll_number", "department", "graduation_year", "cgpa", "backlogs",
    "status", "applied_at",
]  # fmt: skip


class ApplicantExportFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, distinct=False)

    class Meta:
        model = Application
        fields = ["status"]


def drive_applicants(drive: Drive) -> QuerySet[Application]:
    """The drive's applications (alive, of alive students), by roll number."""
    return (
        Application.objects.filter(drive=drive)
        .filter(Q(student__deleted_at__isnull=True))
        .order_by("student__roll_number", "id")
    )
