"""Reads of drives: the caller's scope and the read model of lists and details."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet
from django.db.models.functions import JSONObject

from tenant_apps.drives.models import (
    Drive,
    DriveRound,
    DriveSkill,
    DriveStudentListEntry,
)
from tenant_apps.kit.readmodel import ReadModel

DRIVE_COLUMNS = (
    "id", "company", "title", "description", "job_type", "ctc", "location", "min_cgpa",
    "max_backlogs", "departments", "graduation_years", "apply_by", "status", "created_at",
    "updated_at", "min_tenth_pct", "min_twelfth_pct", "offer_tier",
)  # fmt: skip


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


# --- A drive's named students -------------------------------------------------------------------


def list_entry_rows(queryset: QuerySet[DriveStudentListEntry]) -> QuerySet:
    return queryset.values(
        "id", "kind", "reason", "created_at",
        student_ref=F("student_id"),
        roll_number=F("student__roll_number"),
        first_name=F("student__user__first_name"),
        last_name=F("student__user__last_name"),
    )  # fmt: skip


LIST_ENTRY_READ_MODEL = ReadModel(DriveStudentListEntry, list_entry_rows)


def list_entry_output(row: dict) -> dict:
    return {
        "id": row["id"],
        "student": {
            "id": row["student_ref"],
            "roll_number": row["roll_number"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
        },
        "kind": row["kind"],
        "reason": row["reason"],
        "created_at": row["created_at"],
    }
