"""The columns of spreadsheet exports of students (`students/export/`), and the pieces the
applicants export of a drive shares. The default columns are the import's, so that an export
can be edited and imported back."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, OuterRef, Value
from django.db.models.functions import Cast, Concat

from tenant_apps.kit.exports import Column
from tenant_apps.students.models import StudentSkill
from tenant_apps.students.transfer import IMPORT_COLUMNS


def skills_text(student_ref: str) -> ArraySubquery:
    """The student's skills as `Name (rating)` texts, by name."""
    return ArraySubquery(
        StudentSkill.objects.filter(student=OuterRef(student_ref), skill__deleted_at__isnull=True)
        .order_by("skill__name")
        .values(text=Concat("skill__name", Value(" ("), Cast("rating", CharField()), Value(")")))
    )


def joined(values: list[str] | None) -> str:
    return "; ".join(values or [])


def student_columns(prefix: str = "", student_ref: str = "pk") -> dict[str, Column]:
    """Columns of a student reached at `prefix` (`""` for students, `"student__"` from an
    application)."""
    return {
        "email": Column("email", "email", f"{prefix}user__email"),
        "first_name": Column("first_name", "first_name", f"{prefix}user__first_name"),
        "last_name": Column("last_name", "last_name", f"{prefix}user__last_name"),
        "roll_number": Column("roll_number", "roll_number", f"{prefix}roll_number"),
        "department": Column("department", "department", f"{prefix}department"),
        "graduation_year": Column("graduation_year", "graduation_year", f"{prefix}graduation_year"),
        "cgpa": Column("cgpa", "cgpa", f"{prefix}cgpa"),
        "backlogs": Column("backlogs", "backlogs", f"{prefix}backlogs"),
        "phone": Column("phone", "phone", f"{prefix}phone"),
        "is_verified": Column("is_verified", "is_verified", f"{prefix}is_verified"),
        "placement_status": Column(
            "placement_status", "placement_status", f"{prefix}placement_status"
        ),
        "skills": Column("skills", "skills", skills_text(student_ref), joined),
    }


STUDENT_EXPORT_COLUMNS = {
    **student_columns(),
    "created_at": Column("created_at", "created_at", "created_at"),
}
STUDENT_EXPORT_DEFAULT = [*IMPORT_COLUMNS, "is_verified", "placement_status"]
