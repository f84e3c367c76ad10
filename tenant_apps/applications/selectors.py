"""Reads of applications and offers: the caller's scope and the read models of lists."""

from django.db.models import F, QuerySet
from django.utils import timezone

from tenant_apps.applications.models import STAGES, Application, Offer, OfferTier
from tenant_apps.kit.readmodel import ReadModel

STAGE_COLUMNS = tuple(f"{stage}_{suffix}" for stage in STAGES for suffix in ("at", "by"))


def application_rows(queryset: QuerySet[Application]) -> QuerySet:
    return queryset.values(
        "id", "status", "note", "status_changed_at", "created_at", "created_by", "updated_at",
        *STAGE_COLUMNS,
        drive_ref=F("drive_id"),
        drive_title=F("drive__title"),
        company_ref=F("drive__company_id"),
        company_name=F("drive__company__name"),
        student_ref=F("student_id"),
        roll_number=F("student__roll_number"),
        department=F("student__department"),
        first_name=F("student__user__first_name"),
        last_name=F("student__user__last_name"),
        email=F("student__user__email"),
    )  # fmt: skip


APPLICATION_READ_MODEL = ReadModel(Application, application_rows)


def timeline(row: dict, *, prefix: str = "") -> list[dict]:
    """The stages an application went through, in order: when, and who moved it."""
    stages = [
        {"status": "applied", "at": row[f"{prefix}created_at"], "by": row[f"{prefix}created_by"]}
    ]
    for stage in STAGES:
        at = row[f"{prefix}{stage}_at"]
        if at is not None:
            stages.append({"status": stage.value, "at": at, "by": row[f"{prefix}{stage}_by"]})
    stages.sort(key=lambda stage: stage["at"])
    return stages


def application_output(row: dict) -> dict:
    return {
        "id": row["id"],
        "status": row["status"],
        "drive": {
            "id": row["drive_ref"],
            "title": row["drive_title"],
            "company": {"id": row["company_ref"], "name": row["company_name"]},
        },
        "student": {
            "id": row["student_ref"],
            "roll_number": row["roll_number"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "email": row["email"],
            "department": row["department"],
        },
        "note": row["note"],
        "applied_at": row["created_at"],
        "status_changed_at": row["status_changed_at"],
        "timeline": timeline(row),
        "updated_at": row["updated_at"],
    }


def offer_rows(queryset: QuerySet[Offer]) -> QuerySet:
    return queryset.values(
        "id", "ctc", "joining_date", "expires_at", "letter", "status", "responded_at",
        "released_at", "created_at", "updated_at",
        application_ref=F("application_id"),
        drive_ref=F("application__drive_id"),
        drive_title=F("application__drive__title"),
        company_ref=F("application__drive__company_id"),
        company_name=F("application__drive__company__name"),
        student_ref=F("application__student_id"),
        roll_number=F("application__student__roll_number"),
        first_name=F("application__student__user__first_name"),
        last_name=F("application__student__user__last_name"),
    )  # fmt: skip


OFFER_READ_MODEL = ReadModel(Offer, offer_rows)


def offer_output(row: dict, *, now=None) -> dict:
    now = now or timezone.now()
    letter = {"url": f"/api/v1/offers/{row['id']}/letter/"} if row["letter"] else None
    return {
        "id": row["id"],
        "application": row["application_ref"],
        "drive": {"id": row["drive_ref"], "title": row["drive_title"]},
        "company": {"id": row["company_ref"], "name": row["company_name"]},
        "student": {
            "id": row["student_ref"],
            "roll_number": row["roll_number"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
        },
        "ctc": str(row["ctc"]),
        "joining_date": row["joining_date"],
        "expires_at": row["expires_at"],
        "is_expired": row["expires_at"] <= now,
        "status": row["status"],
        "responded_at": row["responded_at"],
        "letter": letter,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


OFFER_TIER_READ_MODEL = ReadModel(
    OfferTier, lambda queryset: queryset.values("id", "name", "rank", "min_ctc")
)


def offer_tier_output(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "rank": row["rank"],
        "min_ctc": None if row["min_ctc"] is None else str(row["min_ctc"]),
    }
