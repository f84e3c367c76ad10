"""Reads of students: the caller's scope, and the read model that lists and details are made of
(one query per page, skills folded in with an ARRAY subquery)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet
from django.db.models.functions import JSONObject

from core.accounts.models import User
from core.compiled import CompiledQuery
from tenant_apps.kit.readmodel import ReadModel
from tenant_apps.students.models import Skill, Student, StudentSkill

STUDENT_COLUMNS = (
    "id", "user", "roll_number", "department", "graduation_year", "cgpa", "backlogs", "phone",
    "education", "experience", "is_verified", "verified_at", "verified_by_id",
    "placement_status", "resume", "resume_uploaded_at", "created_at", "updated_at",
    "tenth_pct", "twelfth_pct", "twelfth_board", "verification_status",
    "verification_submitted_at", "verification_comment",
)  # fmt: skip


STUDENT_FIELDS = tuple(field.attname for field in Student._meta.concrete_fields)
# compiled once (core/compiled.py): every request of a student reads it
_STUDENT_OF = CompiledQuery(
    lambda user_id: (
        Student.objects.filter(user_id=user_id).order_by("pk").values_list(*STUDENT_FIELDS)[:1]
    ),
    -20_261_201,
)


def student_of(user: User) -> Student | None:
    """The signed-in student's own (alive) profile."""
    values = _STUDENT_OF.first(user.pk)
    return None if values is None else Student.from_db("default", STUDENT_FIELDS, values)


def skill_ratings_subquery(student_ref: str = "pk") -> ArraySubquery:
    return ArraySubquery(
        StudentSkill.objects.filter(student=OuterRef(student_ref), skill__deleted_at__isnull=True)
        .order_by()  # sorted in Python: a few rows, and a better plan without ORDER BY name
        .values(json=JSONObject(skill="skill_id", name="skill__name", rating="rating"))
    )


def student_rows(queryset: QuerySet[Student]) -> QuerySet:
    return queryset.values(
        *STUDENT_COLUMNS,
        email=F("user__email"),
        first_name=F("user__first_name"),
        last_name=F("user__last_name"),
        skills=skill_ratings_subquery(),
    )


STUDENT_READ_MODEL = ReadModel(Student, student_rows)


def student_output(row: dict) -> dict:
    resume = None
    if row["resume"]:
        resume = {
            "url": f"/api/v1/students/{row['id']}/resume/",
            "uploaded_at": row["resume_uploaded_at"],
        }
    return {
        "id": row["id"],
        "user": row["user"],
        "email": row["email"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "roll_number": row["roll_number"],
        "department": row["department"],
        "graduation_year": row["graduation_year"],
        "cgpa": str(row["cgpa"]),
        "backlogs": row["backlogs"],
        "phone": row["phone"],
        "skills": sorted(row["skills"], key=lambda skill: (skill["name"], skill["skill"])),
        "education": row["education"],
        "experience": row["experience"],
        "is_verified": row["is_verified"],
        "verified_at": row["verified_at"],
        "verified_by": row["verified_by_id"],
        "placement_status": row["placement_status"],
        "tenth_pct": None if row["tenth_pct"] is None else str(row["tenth_pct"]),
        "twelfth_pct": None if row["twelfth_pct"] is None else str(row["twelfth_pct"]),
        "twelfth_board": row["twelfth_board"],
        "verification": {
            "status": row["verification_status"],
            "submitted_at": row["verification_submitted_at"],
            "comment": row["verification_comment"],
        },
        "resume": resume,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


# --- The skill catalogue ---------------------------------------------------------------------

SKILL_COLUMNS = ("id", "name", "created_at", "updated_at")  # SkillSerializer's fields
SKILL_READ_MODEL = ReadModel(Skill, lambda queryset: queryset.values(*SKILL_COLUMNS))


def skill_output(row: dict) -> dict:
    return {name: row[name] for name in SKILL_COLUMNS}
