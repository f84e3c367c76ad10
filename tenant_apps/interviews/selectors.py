"""Reads of interviews: the caller's scope and the read model of lists."""

from django.db.models import F, QuerySet

from tenant_apps.interviews.models import Interview
from tenant_apps.kit.readmodel import ReadModel


def interview_rows(queryset: QuerySet[Interview]) -> QuerySet:
    return queryset.values(
        "id", "scheduled_at", "duration_minutes", "ends_at", "venue", "meeting_link",
        "interviewer", "status", "feedback", "created_at", "updated_at",
        application_ref=F("application_id"),
        student_ref=F("student_id"),
        roll_number=F("student__roll_number"),
        first_name=F("student__user__first_name"),
        last_name=F("student__user__last_name"),
        drive_ref=F("application__drive_id"),
        drive_title=F("application__drive__title"),
        company_ref=F("application__drive__company_id"),
        company_name=F("application__drive__company__name"),
        round_ref=F("round_id"),
        round_sequence=F("round__sequence"),
        round_kind=F("round__kind"),
        round_name=F("round__name"),
    )  # fmt: skip


INTERVIEW_READ_MODEL = ReadModel(Interview, interview_rows)


def interview_output(row: dict, *, with_feedback: bool = True) -> dict:
    output = {
        "id": row["id"],
        "application": row["application_ref"],
        "student": {
            "id": row["student_ref"],
            "roll_number": row["roll_number"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
        },
        "drive": {
            "id": row["drive_ref"],
            "title": row["drive_title"],
            "company": {"id": row["company_ref"], "name": row["company_name"]},
        },
        "round": {
            "id": row["round_ref"],
            "sequence": row["round_sequence"],
            "kind": row["round_kind"],
            "name": row["round_name"],
        },
        "scheduled_at": row["scheduled_at"],
        "duration_minutes": row["duration_minutes"],
        "ends_at": row["ends_at"],
        "venue": row["venue"],
        "meeting_link": row["meeting_link"],
        "interviewer": row["interviewer"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if with_feedback:
        output["feedback"] = row["feedback"]
    return output
