"""Reads of analytics, all computed in the database (aggregates, subqueries): the dashboard's
stats, a drive's funnel, the placement report, and recommendations.

Definitions used throughout:
- a *placement* is an accepted offer; a student is *placed* when their profile says so (they
  have an accepted offer, kept by the applications' services);
- offers, applications and placements count only while they, their application, its student
  and its drive are alive (not soft-deleted);
- CTC figures (`avg`, `median`, `max`) are those of placements, in the college's currency;
- a `Season` narrows every figure to a batch (students of one graduation year), a job type
  (offers, applications and drives of that type) and a period (offers and applications made in
  it); with a job type or a period, a student is placed when they accepted such an offer.

The dashboard's stats and the placement report are kept in the college's data cache
(core/datacache.py): an entry is used only while no write to the college has committed since it
was computed (bulk `.update()`s and raw SQL included), and with Redis down they are computed
from the database every time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone

from core import datacache
from core.accounts.models import STAFF_ROLES, User
from tenant_apps.access import drives_for, interviews_for, offers_for, students_for
from tenant_apps.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
)
from tenant_apps.drives.eligibility import drive_eligible_students, eligible_drives_condition
from tenant_apps.drives.models import Drive, DriveSkill, DriveStatus, accepting_applications
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.students.models import PlacementStatus, Student, StudentSkill

S = ApplicationStatus
ACCEPTED = Q(status=OfferStatus.ACCEPTED)
# Placement report bands of CTC, [low, high) in the college's currency (high None: no ceiling).
CTC_BANDS: list[tuple[int, int | None]] = [
    (0, 300_000),
    (300_000, 600_000),
    (600_000, 1_000_000),
    (1_000_000, 2_000_000),
    (2_000_000, None),
]
TOP_COMPANIES = 20  # companies on the dashboard (the report has them all)
CACHE_KEY = "analytics:{name}"  # the default cache prefixes it with the college's schema

T = TypeVar("T")


def analytics_cached(name: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value, from the college's data cache while no write has committed since
    it was stored (one round trip to Redis on a hit)."""
    return datacache.cached(CACHE_KEY.format(name=name), compute)


class Median(Aggregate):
    """`percentile_cont(0.5) WITHIN GROUP (ORDER BY expression)`"""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _money(value) -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True)
class Season:
    """The part of the placement season the figures are about (every part optional): the
    batch (`graduation_year`), the `job_type`, and offers and applications made in
    [`since`, `until`)."""

    graduation_year: int | None = None
    job_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def key(self) -> str:
        """What tells two seasons' cached figures apart ("" for the whole season)."""
        parts = (self.graduation_year, self.job_type, self.since, self.until)
        if all(part is None for part in parts):
            return ""
        return ":" + ",".join("" if part is None else str(part) for part in parts)

    @property
    def narrows_offers(self) -> bool:
        return self.job_type is not None or self.since is not None or self.until is not None

    def made(self, prefix: str = "") -> Q:
        """Rows (offers or applications) made in the period."""
        condition = Q()
        if self.since is not None:
            condition &= Q(**{f"{prefix}created_at__gte": self.since})
        if self.until is not None:
            condition &= Q(**{f"{prefix}created_at__lt": self.until})
        return condition

    def students(self, prefix: str = "") -> Q:
        if self.graduation_year is None:
            return Q()
        return Q(**{f"{prefix}graduation_year": self.graduation_year})

    def drives(self, prefix: str = "") -> Q:
        return Q() if self.job_type is None else Q(**{f"{prefix}job_type": self.job_type})

    def offers(self) -> Q:
        return (
            self.students("application__student__")
            & self.drives("application__drive__")
            & (self.made())
        )

    def applications(self) -> Q:
        return self.students("student__") & self.drives("drive__") & self.made()


WHOLE_SEASON = Season()


def alive_offers(season: Season = WHOLE_SEASON) -> QuerySet[Offer]:
    return Offer.objects.filter(
        season.offers(),
        application__deleted_at__isnull=True,
        application__student__deleted_at__isnull=True,
        application__drive__deleted_at__isnull=True,
    )


def alive_applications(season: Season = WHOLE_SEASON) -> QuerySet[Application]:
    return Application.objects.filter(
        season.applications(), student__deleted_at__isnull=True, drive__deleted_at__isnull=True
    )


def _placed(season: Season) -> Q:
    """Placed students: by their profile for the whole season or a batch; with a job type or
    a period, those who accepted an offer of it."""
    if not season.narrows_offers:
        return Q(placement_status=PlacementStatus.PLACED)
    accepted = alive_offers(season).filter(ACCEPTED, application__student=OuterRef("pk"))
    return Q(Exists(accepted))


# --- Dashboard -----------------------------------------------------------------------------------


def _student_counts(season: Season) -> list[dict]:
    """Students and placed students per department and batch: one grouped query, which both
    the departments and the batches add up."""
    return list(
        Student.objects.filter(season.students())
        .values("department", "graduation_year")
        .annotate(total=Count("id"), placed=Count("id", filter=_placed(season)))
        .order_by("department", "graduation_year")
    )


def _sum_by(counts: list[dict], key: str) -> list[dict]:
    sums: dict = {}
    for row in counts:
        total, placed = sums.get(row[key], (0, 0))
        sums[row[key]] = (total + row["total"], placed + row["placed"])
    return [
        {key: value, "total": total, "placed": placed}
        for value, (total, placed) in sorted(sums.items())
    ]


def _departments(season: Season, counts: list[dict]) -> list[dict]:
    """Students and placed students per department (from `counts`), with the offers and
    placements of the department's students: one grouped query."""
    students = _sum_by(counts, "department")
    offers = {
        row["department"]: row
        for row in alive_offers(season)
        .values(department=F("application__student__department"))
        .annotate(
            offers=Count("id"),
            placements=Count("id", filter=ACCEPTED),
            ctc_avg=Avg("ctc", filter=ACCEPTED),
            ctc_max=Max("ctc", filter=ACCEPTED),
        )
        .order_by()
    }
    rows = []
    for row in students:
        made = offers.get(row["department"], {})
        rows.append(
            {
                "department": row["department"],
                "students_total": row["total"],
                "students_placed": row["placed"],
                "placement_rate": _rate(row["placed"], row["total"]),
                "offers": made.get("offers", 0),
                "placements": made.get("placements", 0),
                "ctc_avg": _money(made.get("ctc_avg")),
                "ctc_max": _money(made.get("ctc_max")),
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
            "students_placed": row["placed"],
            "placement_rate": _rate(row["placed"], row["total"]),
        }
        for row in _sum_by(counts, "graduation_year")
    ]


def dashboard_stats_compute(season: Season = WHOLE_SEASON) -> dict:
    """The dashboard's figures, from the database (five queries)."""
    counts = _student_counts(season)
    by_department = _departments(season, counts)
    totals = alive_offers(season).aggregate(
        offers_total=Count("id"),
        avg=Avg("ctc", filter=ACCEPTED),
        median=Median("ctc", filter=ACCEPTED),
        max=Max("ctc", filter=ACCEPTED),
    )
    students_total = sum(row["students_total"] for row in by_department)
    students_placed = sum(row["students_placed"] for row in by_department)
    return {
        "students_total": students_total,
        "students_placed": students_placed,
        "placement_rate": _rate(students_placed, students_total),
        "offers_total": totals["offers_total"],
        "ctc": {
            "avg": _money(totals["avg"]),
            "median": _money(totals["median"]),
            "max": _money(totals["max"]),
        },
        "by_department": by_department,
        "by_company": _companies(TOP_COMPANIES, season),
        "by_batch": _batches(counts),
        "drives_open": Drive.objects.filter(season.drives(), status=DriveStatus.OPEN).count(),
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


# --- Funnel --------------------------------------------------------------------------------------

FUNNEL_STAGES = (S.APPLIED, S.SHORTLISTED, S.IN_PROCESS, S.OFFERED, S.ACCEPTED)
# An application reached a stage if it has the stage's timestamp, or its status is that stage
# or one after it (rows written without the stamps still count).
_AT_OR_AFTER = {
    S.SHORTLISTED: (S.SHORTLISTED, S.IN_PROCESS, S.OFFERED, S.ACCEPTED, S.DECLINED),
    S.IN_PROCESS: (S.IN_PROCESS, S.OFFERED, S.ACCEPTED, S.DECLINED),
    S.OFFERED: (S.OFFERED, S.ACCEPTED, S.DECLINED),
    S.ACCEPTED: (S.ACCEPTED,),
}
FUNNEL_EXITS = (S.REJECTED, S.WITHDRAWN, S.DECLINED)


def reached(stage: str) -> Q:
    if stage == S.APPLIED:
        return Q()
    return Q(**{f"{stage}_at__isnull": False}) | Q(status__in=_AT_OR_AFTER[stage])


def funnel(applications: QuerySet[Application]) -> dict:
    """How many of `applications` reached each stage (and the share of those who applied), and
    how many left the process each way: one query."""
    counts = applications.aggregate(
        **{stage.value: Count("id", filter=reached(stage)) for stage in FUNNEL_STAGES},
        **{f"exit_{status.value}": Count("id", filter=Q(status=status)) for status in FUNNEL_EXITS},
    )
    applied = counts[S.APPLIED.value]
    return {
        "stages": [
            {
                "stage": stage.value,
                "count": counts[stage.value],
                "rate": _rate(counts[stage.value], applied),
            }
            for stage in FUNNEL_STAGES
        ],
        "exits": {status.value: counts[f"exit_{status.value}"] for status in FUNNEL_EXITS},
    }


def drive_funnel(*, drive: Drive) -> dict:
    return {
        "drive": {
            "id": drive.pk,
            "title": drive.title,
            "company": {"id": drive.company_id, "name": drive.company.name},
        },
        **funnel(Application.objects.filter(drive=drive, student__deleted_at__isnull=True)),
    }


# --- Placement report ----------------------------------------------------------------------------


def ctc_band_label(low: int, high: int | None) -> str:
    return f"{low:,} and above" if high is None else f"{low:,} to under {high:,}"


def _ctc_band() -> Case:
    return Case(
        *(
            When(ctc__lt=high, then=Value(index))
            for index, (_low, high) in enumerate(CTC_BANDS)
            if high is not None
        ),
        default=Value(len(CTC_BANDS) - 1),
        output_field=IntegerField(),
    )


def ctc_bands(season: Season = WHOLE_SEASON) -> list[dict]:
    """Placements per band of CTC (every band, empty ones too): one query."""
    counted = {
        row["band"]: row
        for row in alive_offers(season)
        .filter(ACCEPTED)
        .annotate(band=_ctc_band())
        .values("band")
        .annotate(placements=Count("id"), ctc_avg=Avg("ctc"))
        .order_by()
    }
    return [
        {
            "band": ctc_band_label(low, high),
            "min": str(low),
            "max": None if high is None else str(high),
            "placements": counted.get(index, {}).get("placements", 0),
            "ctc_avg": _money(counted.get(index, {}).get("ctc_avg")),
        }
        for index, (low, high) in enumerate(CTC_BANDS)
    ]


def _report_companies(season: Season) -> list[dict]:
    """Every company with a drive (of the season's job type): drives, applications, offers and
    placements."""
    drives = (
        Drive.objects.filter(season.drives())
        .values("company_id", company_name=F("company__name"))
        .annotate(drives=Count("id"))
        .order_by()
    )
    applications = dict(
        alive_applications(season)
        .values("drive__company_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("drive__company_id", "n")
    )
    offers = {row["company"]["id"]: row for row in _companies(None, season)}
    rows = []
    for row in drives:
        made = offers.get(row["company_id"], {})
        rows.append(
            {
                "company": {"id": row["company_id"], "name": row["company_name"]},
                "drives": row["drives"],
                "applications": applications.get(row["company_id"], 0),
                "offers": made.get("offers", 0),
                "placements": made.get("placements", 0),
                "ctc_avg": made.get("ctc_avg"),
                "ctc_max": made.get("ctc_max"),
            }
        )
    rows.sort(key=lambda r: (-r["placements"], -r["offers"], r["company"]["name"]))
    return rows


def placement_report_compute(season: Season = WHOLE_SEASON) -> dict:
    stats = dashboard_stats(season=season)
    return {
        "generated_at": timezone.now(),
        "totals": {
            "students_total": stats["students_total"],
            "students_placed": stats["students_placed"],
            "placement_rate": stats["placement_rate"],
            "offers_total": stats["offers_total"],
            "ctc": stats["ctc"],
        },
        "by_department": stats["by_department"],
        "by_company": _report_companies(season),
        "by_ctc_band": ctc_bands(season),
    }


def placement_report(*, season: Season = WHOLE_SEASON) -> dict:
    """The placement report by department, company and CTC band (cached like the stats)."""
    return analytics_cached(
        "placement-report" + season.key, lambda: placement_report_compute(season)
    )


# --- Recommendations -----------------------------------------------------------------------------

SCORE_WEIGHTS = {"skill_match": 0.6, "cgpa": 0.3, "availability": 0.1}
# A student with this many open applications (to other drives) or more is not "available".
AVAILABILITY_MAX_OPEN_APPLICATIONS = 5
RECOMMENDATION_SCORE_DOC = (
    "score = 0.6 * skill_match + 0.3 * cgpa + 0.1 * availability, each part from 0 to 1: "
    "skill_match = Σ(weight * min(rating, 10) / 10) / Σ(weight) over the drive's skills (a "
    "skill the student has not rated counts 0; a drive without skills matches 0); "
    "cgpa = CGPA / 10; availability = 1 when the student has no accepted offer and fewer than "
    f"{AVAILABILITY_MAX_OPEN_APPLICATIONS} open applications to other drives, else 0. "
    "Only students eligible for the drive are ranked, highest score first (ties: higher CGPA, "
    "then the older profile)."
)


def _float(expression) -> Cast:
    return Cast(expression, FloatField())


def _per_skill(values: dict[int, int]) -> Case | Value:
    """`CASE skill_id WHEN k THEN v ... ELSE 0 END` for a few known skills."""
    if not values:
        return Value(0)
    return Case(
        *(When(skill_id=skill, then=Value(value)) for skill, value in values.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def drive_skill_weights(drive: Drive) -> dict[int, int]:
    return dict(
        DriveSkill.objects.filter(drive=drive, skill__deleted_at__isnull=True)
        .order_by()
        .values_list("skill_id", "weight")
    )


def drive_recommendations(*, drive: Drive) -> QuerySet[Student]:
    """The drive's eligible students annotated with `skill_match`, `cgpa_part`,
    `availability` and `score` (see RECOMMENDATION_SCORE_DOC), best first: one SQL query with
    two correlated subqueries per student, no Python loop over students."""
    weights = drive_skill_weights(drive)
    if weights:
        points = (
            StudentSkill.objects.filter(student=OuterRef("pk"), skill_id__in=list(weights))
            .order_by()
            .values("student")
            .annotate(points=Sum(_per_skill(weights) * Least(F("rating"), Value(10))))
            .values("points")
        )
        skill_match = _float(Coalesce(Subquery(points), Value(0))) / Value(
            10.0 * sum(weights.values())
        )
    else:
        skill_match = Value(0.0, output_field=FloatField())
    busy = (
        Application.objects.filter(student=OuterRef("pk"), status__in=OPEN_STATUSES)
        .exclude(drive=drive)
        .order_by()[AVAILABILITY_MAX_OPEN_APPLICATIONS - 1 : AVAILABILITY_MAX_OPEN_APPLICATIONS]
    )
    availability = Case(
        When(
            Q(placement_status=PlacementStatus.PLACED) | Q(Exists(busy)),
            then=Value(0.0),
        ),
        default=Value(1.0),
        output_field=FloatField(),
    )
    w = SCORE_WEIGHTS
    return (
        drive_eligible_students(drive=drive)
        .annotate(
            skill_match=skill_match,
            cgpa_part=_float(F("cgpa")) / Value(10.0),
            availability=availability,
        )
        .annotate(
            score=Value(w["skill_match"]) * F("skill_match")
            + Value(w["cgpa"]) * F("cgpa_part")
            + Value(w["availability"]) * F("availability")
        )
        .order_by("-score", "-cgpa", "pk")
    )


RECOMMENDATION_PARTS = ("skill_match", "cgpa_part", "availability", "score")


def recommendation_output(row: dict, student: dict) -> dict:
    return {
        "student": student,
        "score": round(row["score"], 4),
        "parts": {
            "skill_match": round(row["skill_match"], 4),
            "cgpa": round(row["cgpa_part"], 4),
            "availability": round(row["availability"], 4),
        },
    }


def student_recommended_drives(*, student: Student) -> QuerySet[Drive]:
    """Open drives the student may apply to (eligible, before `apply_by`, not applied yet),
    annotated with `skill_match` (the same definition as a drive's recommendations), best match
    first, then the nearest deadline: one SQL query."""
    ratings = {
        skill: min(rating, 10)
        for skill, rating in StudentSkill.objects.filter(
            student=student, skill__deleted_at__isnull=True
        ).values_list("skill_id", "rating")
    }
    if ratings:
        match = (
            DriveSkill.objects.filter(drive=OuterRef("pk"), skill__deleted_at__isnull=True)
            .order_by()
            .values("drive")
            .annotate(
                match=_float(Sum(F("weight") * _per_skill(ratings)))
                / (Value(10.0) * _float(Sum("weight")))
            )
            .values("match")
        )
        skill_match = Coalesce(Subquery(match), Value(0.0), output_field=FloatField())
    else:
        skill_match = Value(0.0, output_field=FloatField())
    applied = Application.objects.filter(student=student, drive=OuterRef("pk"))
    return (
        Drive.objects.filter(accepting_applications() & eligible_drives_condition(student=student))
        .exclude(Exists(applied))
        .annotate(skill_match=skill_match)
        .order_by("-skill_match", "apply_by", "pk")
    )


class ScoredRows:
    """What the paginator pages for a ranked list: the count and the page's ids with their
    scores come from the ranked queryset, the rows from a read model (one query each)."""

    def __init__(
        self,
        queryset: QuerySet,
        read_model,
        fields: tuple[str, ...],
        shape: Callable,
        cache_key: str | None = None,
    ):
        """With `cache_key` (naming the ranking and its filters), the count and each page's
        ids and scores are kept in the college's data cache until its next write: ranking
        thousands of students is the same work for every request in between."""
        self.queryset = queryset
        self.read_model = read_model
        self.fields = fields
        self.shape = shape
        self.cache_key = cache_key

    def _cached(self, suffix: str, compute: Callable):
        if self.cache_key is None:
            return compute()
        return analytics_cached(f"{self.cache_key}:{suffix}", compute)

    def count(self) -> int:
        return self._cached("count", self.queryset.count)

    def __len__(self) -> int:
        return self.count()

    def _scored(self, index: slice) -> list[dict]:
        with transaction.atomic(), connection.cursor() as cursor:
            # Scoring thousands of rows looks expensive to the planner, whose JIT compilation
            # then costs more than the query itself (a third of it on 10,000 students).
            cursor.execute("SET LOCAL jit = off")
            return list(self.queryset.values("pk", *self.fields)[index])

    def __getitem__(self, index: slice) -> list[dict]:
        scored = self._cached(f"{index.start}:{index.stop}", lambda: self._scored(index))
        rows = {row["id"]: row for row in self.read_model.rows([r["pk"] for r in scored])}
        return [self.shape(r, rows[r["pk"]]) for r in scored if r["pk"] in rows]
