"""Reads of announcements (their scope: `tenant_apps.access.announcements_for`): the rows of
the office's and the students' lists, read counts as subqueries (the same few queries whatever
the page holds)."""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.accounts.models import User
from tenant_apps.announcements.models import Announcement, AnnouncementRecipient
from tenant_apps.kit.readmodel import ReadModel


def _read_count():
    return Coalesce(
        Subquery(
            AnnouncementRecipient.objects.filter(
                announcement=OuterRef("pk"), read_at__isnull=False, deleted_at__isnull=True
            )
            .values("announcement")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def announcement_rows(queryset: QuerySet[Announcement]) -> QuerySet:
    return queryset.values(
        "id", "title", "body", "audience", "graduation_year", "department", "recipients_total",
        "created_at", "updated_at",
        drive_ref=F("drive_id"),
        drive_title=F("drive__title"),
        company_name=F("drive__company__name"),
        author_first_name=F("created_by__first_name"),
        author_last_name=F("created_by__last_name"),
        read_total=_read_count(),
    )  # fmt: skip


ANNOUNCEMENT_READ_MODEL = ReadModel(Announcement, announcement_rows)


def announcement_output(row: dict, *, read_at=None, for_student: bool = False) -> dict:
    output = {
        "id": row["id"],
        "title": row["title"],
        "body": row["body"],
        "audience": row["audience"],
        "graduation_year": row["graduation_year"],
        "department": row["department"],
        "drive": (
            {"id": row["drive_ref"], "title": row["drive_title"], "company": row["company_name"]}
            if row["drive_ref"]
            else None
        ),
        "posted_at": row["created_at"],
    }
    if for_student:
        output["read_at"] = read_at
    else:
        output["author"] = " ".join(
            part for part in (row["author_first_name"], row["author_last_name"]) if part
        )
        output["recipients_total"] = row["recipients_total"]
        output["read_total"] = row["read_total"]
    return output


def read_marks(*, user: User, ids: list[int]) -> dict[int, object]:
    """When the student first opened each of `ids` (None: not yet): one query."""
    return dict(
        AnnouncementRecipient.objects.filter(
            Q(announcement_id__in=ids), student__user_id=user.pk
        ).values_list("announcement_id", "read_at")
    )


def unread_count(user: User) -> int:
    return AnnouncementRecipient.objects.filter(
        student__user_id=user.pk, read_at__isnull=True, announcement__deleted_at__isnull=True
    ).count()
