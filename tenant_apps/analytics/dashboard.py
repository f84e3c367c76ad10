"""The dashboard's figures and what needs the office's attention today (definitions in
season.py)."""

from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    F,
    Max,
    Q,
    Sum,
)
from django.utils import timezone

from core.accounts.models import STAFF_ROLES, User
from tenant_apps.access import drives_for, interviews_for, offers_for, students_for
from tenant_apps.analytics.season import (
    ACCEPTED,
    TOP_COMPANIES,
    WHOLE_SEASON,
    Median,
    Season,
    _eligible,
    _money,
    _placed,
    _rate,
    alive_offers,
    analytics_cached,
    best_offer_ctc,
)
from tenant_apps.applications.models import (
    OfferStatus,
)
from tenant_apps.drives.models import Drive, DriveStatus
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.students.models import Student

# --- Dashboard -----------------------------------------------------------------------------------


def _student_counts(season: Season) -> list[dict]:
    """Students and placed students per department and batch: one grouped query, which both
    the departments and the batches add up."""
    return list(
        Student.objects.filter(season.students())
        .values("department", "graduation_year")
        .annotate(
            total=Count("id"),
            eligible=Count("id", filter=_eligible(season)),
            placed=Count("id", filter=_placed(season)),
            # each placed student once, at their best accepted offer
            ctc_sum=Sum(best_offer_ctc(season)),
            ctc_count=Count(best_offer_ctc(season)),
            ctc_max=Max(best_offer_ctc(season)),
        )
        .order_by("department", "graduation_year")
    )


SUMMED = ("total", "eligible", "placed", "ctc_sum", "ctc_count")


def _sum_by(counts: list[dict], key: str) -> list[dict]:
    """`counts` added up by `key`, with the CTC average and maximum of the placed students."""
    sums: dict = {}
    for row in counts:
        into = sums.setdefault(row[key], {key: row[key], **dict.fromkeys(SUMMED, 0)})
        for name in SUMMED:
            into[name] += row[name] or 0
        if row["ctc_max"] is not None:
            into["ctc_max"] = max(into.get("ctc_max") or row["ctc_max"], row["ctc_max"])
    for row in sums.values():
        row.setdefault("ctc_max", None)
        row["ctc_avg"] = row["ctc_sum"] / row["ctc_count"] if row["ctc_count"] else None
    return [sums[value] for value in sorted(sums)]


def _placed_ctc(season: Season) -> dict:
    """CTC figures over placed students, each at their best accepted offer (not over offers)."""
    return (
        Student.objects.filter(season.students())
        .annotate(best=best_offer_ctc(season))
        .filter(best__isnull=False)
        .aggregate(avg=Avg("best"), median=Median("best"), max=Max("best"))
    )


def _departments(season: Season, counts: list[dict]) -> list[dict]:
    """Students and placed students per department (from `counts`), with the offers and
    placements of the department's students: one grouped query."""
    students = _sum_by(counts, "department")
    offers = {
        row["department"]: row
        for row in alive_offers(season)
        .values(department=F("application__student__department"))
        .annotate(offers=Count("id"), placements=Count("id", filter=ACCEPTED))
        .order_by()
    }
    rows = []
    for row in students:
        made = offers.get(row["department"], {})
        rows.append(
            {
                "department": row["department"],
                "students_total": row["total"],
                "students_eligible": row["eligible"],
                "students_placed": row["placed"],
                "placement_rate": _rate(row["placed"], row["eligible"]),
                "offers": made.get("offers", 0),
                "placements": made.get("placements", 0),
                "ctc_avg": _money(row["ctc_avg"]),
                "ctc_max": _money(row["ctc_max"]),
            }
        )
    return rows


def _companies(limit: int | None, season: Season) -> list[dict]:
    """Offers and placements per company, most placements first."""
    rows = (
        alive_offers(season)
        .values(
            company_ref=F("application__drive__company_id"),
            company_name=F("application__drive__company__name"),
        )
        .annotate(
            offers=Count("id"),
            placements=Count("id", filter=ACCEPTED),
            ctc_avg=Avg("ctc", filter=ACCEPTED),
            ctc_max=Max("ctc", filter=ACCEPTED),
        )
        .order_by("-placements", "-offers", "company_name", "company_ref")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "company": {"id": row["company_ref"], "name": row["company_name"]},
            "offers": row["offers"],
            "placements": row["placements"],
            "ctc_avg": _money(row["ctc_avg"]),
            "ctc_max": _money(row["ctc_max"]),
        }
        for row in rows
    ]


def _batches(counts: list[dict]) -> list[dict]:
    """Students and placed students per batch (graduation year), oldest first."""
    return [
        {
            "graduation_year": row["graduation_year"],
            "students_total": row["total"],
            "students_eligible": row["eligible"],
            "students_placed": row["placed"],
            "placement_rate": _rate(row["placed"], row["eligible"]),
        }
        for row in _sum_by(counts, "graduation_year")
    ]


DEFINITIONS = {
    "students_eligible": "Students eligible for at least one drive of the filter (its criteria, "
    "named lists and verification), or placed in it: the denominator of placement rates.",
    "students_placed": "Students with an accepted offer of the filter, each counted once.",
    "ctc": "Over placed students, each at their best accepted offer (not over offers).",
}


def dashboard_stats_compute(season: Season = WHOLE_SEASON) -> dict:
    """The dashboard's figures, from the database (five queries)."""
    counts = _student_counts(season)
    by_department = _departments(season, counts)
    offers_total = sum(row["offers"] for row in by_department)
    totals = _placed_ctc(season)
    students_total = sum(row["students_total"] for row in by_department)
    students_eligible = sum(row["students_eligible"] for row in by_department)
    students_placed = sum(row["students_placed"] for row in by_department)
    return {
        "students_total": students_total,
        "students_eligible": students_eligible,
        "students_placed": students_placed,
        "placement_rate": _rate(students_placed, students_eligible),
        "offers_total": offers_total,
        "ctc": {
            "avg": _money(totals["avg"]),
            "median": _money(totals["median"]),
            "max": _money(totals["max"]),
        },
        "by_department": by_department,
        "by_company": _companies(TOP_COMPANIES, season),
        "by_batch": _batches(counts),
        "drives_open": Drive.objects.filter(season.drives(), status=DriveStatus.OPEN).count(),
        "definitions": DEFINITIONS,
    }


def dashboard_stats(*, season: Season = WHOLE_SEASON) -> dict:
    """The dashboard's figures, cached per college (and season) until its next committed
    write."""
    return analytics_cached("dashboard" + season.key, lambda: dashboard_stats_compute(season))


# --- What needs attention today -----------------------------------------------------------------

DRIVES_CLOSING_HOURS = 48
OFFERS_EXPIRING_HOURS = 72
ATTENTION_ROWS = 5  # rows of each list on the office's home (the counts cover them all)


def office_attention(
    *, user: User, day_start: datetime, day_end: datetime, now: datetime | None = None
) -> dict:
    """What the placement office should act on today, in `user`'s scope: profiles waiting for
    verification, open drives whose applications close within 48 hours, the interviews
    scheduled between `day_start` and `day_end` (the college's day), and pending offers that
    expire within 72 hours. Counts, and the first rows of each list (seven queries)."""
    now = now or timezone.now()
    drives = (
        drives_for(user)
        .alive()
        .filter(
            status=DriveStatus.OPEN,
            apply_by__gt=now,
            apply_by__lte=now + timedelta(hours=DRIVES_CLOSING_HOURS),
        )
        .select_related("company")
        .annotate(applicants=Count("applications", filter=Q(applications__deleted_at__isnull=True)))
        .order_by("apply_by", "pk")
    )
    interviews = (
        interviews_for(user)
        .alive()
        .filter(
            status=InterviewStatus.SCHEDULED,
            scheduled_at__gte=day_start,
            scheduled_at__lt=day_end,
            application__deleted_at__isnull=True,
        )
        .select_related("student__user", "round", "application__drive__company")
        .order_by("scheduled_at", "pk")
    )
    offers = (
        offers_for(user)
        .alive()
        .filter(
            status=OfferStatus.PENDING,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(hours=OFFERS_EXPIRING_HOURS),
            application__deleted_at__isnull=True,
        )
        .select_related("application__student__user", "application__drive__company")
        .order_by("expires_at", "pk")
    )
    unverified = students_for(user).alive().filter(is_verified=False).count()
    return {
        "unverified_students": unverified,
        "drives_closing": list(drives[:ATTENTION_ROWS]),
        "drives_closing_total": drives.count(),
        "interviews_today": list(interviews[:ATTENTION_ROWS]),
        "interviews_today_total": interviews.count(),
        "offers_expiring": list(offers[:ATTENTION_ROWS]),
        "offers_expiring_total": offers.count(),
    }


def office_attention_cached(*, user: User, day_start: datetime, day_end: datetime) -> dict:
    """`office_attention` of the placement office from the college's data cache: the office's
    scope is the whole college, so it is the same for each of its people; it is computed again
    after any committed write, and each minute (the 48 and 72 hours move with the clock: a
    window may start up to a minute early). Others' scopes are their own: computed each time."""
    if user.role not in STAFF_ROLES:
        return office_attention(user=user, day_start=day_start, day_end=day_end)
    minute = timezone.now().replace(second=0, microsecond=0)
    return analytics_cached(
        f"attention:{day_start.isoformat()}:{minute.isoformat()}",
        lambda: office_attention(user=user, day_start=day_start, day_end=day_end, now=minute),
    )
