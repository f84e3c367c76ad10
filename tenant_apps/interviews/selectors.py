"""Reads of interviews and their slots: the caller's scope and the read models of lists."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONObject

from tenant_apps.interviews.models import Interview, InterviewSlot, RoundScheduling, SlotPanelist
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


# --- Slots ---------------------------------------------------------------------------------------


def _booked_count():
    return Coalesce(
        Subquery(
            Interview.objects.filter(slot=OuterRef("pk"))
            .values("slot")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def slot_rows(queryset: QuerySet[InterviewSlot]) -> QuerySet:
    return queryset.values(
        "id", "starts_at", "duration_minutes", "ends_at", "venue", "meeting_link", "capacity",
        "created_at", "updated_at",
        round_ref=F("round_id"),
        round_sequence=F("round__sequence"),
        round_kind=F("round__kind"),
        round_name=F("round__name"),
        drive_ref=F("round__drive_id"),
        drive_title=F("round__drive__title"),
        company_ref=F("round__drive__company_id"),
        company_name=F("round__drive__company__name"),
        booked=_booked_count(),
        students_pick=Exists(
            RoundScheduling.objects.filter(round=OuterRef("round_id"), students_pick=True)
        ),
        panel=ArraySubquery(
            SlotPanelist.objects.filter(slot=OuterRef("pk"))
            .order_by("id")
            .values(json=JSONObject(
                id="user_id", first_name="user__first_name", last_name="user__last_name",
                role="user__role",
            ))
        ),
        bookings=ArraySubquery(
            Interview.objects.filter(slot=OuterRef("pk"))
            .order_by("id")
            .values(json=JSONObject(
                interview="id", application="application_id", student="student_id",
                roll_number="student__roll_number", first_name="student__user__first_name",
                last_name="student__user__last_name", status="status",
            ))
        ),
    )  # fmt: skip


SLOT_READ_MODEL = ReadModel(InterviewSlot, slot_rows)


def slot_output(row: dict, *, for_student: bool = False) -> dict:
    output = {
        "id": row["id"],
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
        "starts_at": row["starts_at"],
        "duration_minutes": row["duration_minutes"],
        "ends_at": row["ends_at"],
        "venue": row["venue"],
        "meeting_link": row["meeting_link"],
        "capacity": row["capacity"],
        "seats_left": max(row["capacity"] - row["booked"], 0),
        "students_pick": row["students_pick"],
        "panel": [
            {"id": member["id"], "name": f"{member['first_name']} {member['last_name']}".strip()}
            for member in row["panel"]
        ],
    }
    if not for_student:  # other students' names are not for students
        output["bookings"] = row["bookings"]
        output["created_at"] = row["created_at"]
        output["updated_at"] = row["updated_at"]
    return output
