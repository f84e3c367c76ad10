"""Reads of drives: the caller's scope and the read model of lists and details."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject

from core.accounts.models import Role, User
from tenant_apps.drives.eligibility import eligible_drives_condition
from tenant_apps.drives.models import (
    Drive,
    DriveRound,
    DriveSkill,
    DriveStatus,
    accepting_applications,
)
from tenant_apps.kit.permissions import STAFF
from tenant_apps.kit.readmodel import ReadModel
from tenant_apps.students.selectors import student_of

DRIVE_COLUMNS = (
    "id", "company", "title", "description", "job_type", "ctc", "location", "min_cgpa",
    "max_backlogs", "departments", "graduation_years", "apply_by", "status", "created_at",
    "updated_at", "min_tenth_pct", "min_twelfth_pct", "offer_tier",
)  # fmt: skip


def recruiter_company(user: User, path: str = "company") -> Q:
    """Rows whose company (at `path`) is the one `user` recruits for."""
    return Q(**{f"{path}__recruiters__user": user, f"{path}__recruiters__deleted_at__isnull": True})


def drives_for(user: User) -> QuerySet[Drive]:
    """The drives `user` may see, deleted ones included: staff all; a recruiter their company's;
    a student the open drives they are eligible for, and those they applied to."""
    from tenant_apps.applications.models import Application

    queryset = Drive.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user))
    if user.role == Role.STUDENT:
        student = student_of(user)
        if student is None:
            return queryset.none()
        applied = Application.objects.filter(student=student, drive=OuterRef("pk"))
        return queryset.filter(
            (accepting_applications() & eligible_drives_condition(student=student))
            | Q(Exists(applied))
        ).exclude(status=DriveStatus.DRAFT)
    return queryset.none()


def drive_rows(queryset: QuerySet[Drive]) -> QuerySet:
    skills = (
        DriveSkill.objects.filter(drive=OuterRef("pk"), skill__deleted_at__isnull=True)
        .order_by()  # sorted in Python: a few rows, and a better plan without ORDER BY name
        .values(json=JSONObject(skill="skill_id", name="skill__name", weight="weight"))
    )
    rounds = (
        DriveRound.objects.filter(drive=OuterRef("pk"))
        .order_by("sequence", "id")
        .values(json=JSONObject(id="id", sequence="sequence", kind="kind", name="name"))
    )
    return queryset.values(
        *DRIVE_COLUMNS,
        company_name=F("company__name"),
        skill_list=ArraySubquery(skills),
        round_list=ArraySubquery(rounds),
    )


DRIVE_READ_MODEL = ReadModel(Drive, drive_rows)


def drive_output(row: dict) -> dict:
    return {
        "id": row["id"],
        "company": {"id": row["company"], "name": row["company_name"]},
        "title": row["title"],
        "description": row["description"],
        "job_type": row["job_type"],
        "ctc": str(row["ctc"]),
        "location": row["location"],
        "min_cgpa": str(row["min_cgpa"]),
        "max_backlogs": row["max_backlogs"],
        "departments": row["departments"],
        "graduation_years": row["graduation_years"],
        "min_tenth_pct": None if row["min_tenth_pct"] is None else str(row["min_tenth_pct"]),
        "min_twelfth_pct": None if row["min_twelfth_pct"] is None else str(row["min_twelfth_pct"]),
        "offer_tier": row["offer_tier"],
        "skills": sorted(row["skill_list"], key=lambda s: (-s["weight"], s["name"], s["skill"])),
        "apply_by": row["apply_by"],
        "status": row["status"],
        "rounds": row["round_list"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
