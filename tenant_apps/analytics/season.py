"""What every analytics read shares, all computed in the database (aggregates, subqueries): the
definitions, the `Season` a figure is about, the alive rows it counts, and the data cache.

Definitions used throughout:
- a *placement* is an accepted offer; a student is *placed* when their profile says so (they
  have an accepted offer, kept by the applications' services);
- offers, applications and placements count only while they, their application, its student
  and its drive are alive (not soft-deleted);
- people are counted, not offers: a placed student counts once, at their best accepted offer
  (the highest CTC); CTC figures (`avg`, `median`, `max`) are over placed students' best
  offers, in the college's currency;
- the denominator of a placement rate is the students *eligible*: eligible for at least one
  drive of the filter (by the drive's criteria, named lists and verification: the one
  `eligibility_rules()`, the offer tiers aside, since a placement changes them), or placed in
  it; `students_total` stays every student of the filter;
- a `Season` narrows every figure to a batch (students of one graduation year), a department,
  a job type (offers, applications and drives of that type) and a period (offers and
  applications made in it, drives whose applications closed in it); with a job type or a
  period, a student is placed when they accepted such an offer.

The dashboard's stats and the placement report are kept in the college's data cache
(core/datacache.py): an entry is used only while no write to the college has committed since it
was computed (bulk `.update()`s and raw SQL included), and with Redis down they are computed
from the database every time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import (
    Aggregate,
    Exists,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from core import datacache
from tenant_apps.applications.models import (
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
)
from tenant_apps.drives.eligibility import DriveTerms, StudentTerms, all_hold, eligibility_rules
from tenant_apps.drives.models import Drive, DriveStatus
from tenant_apps.students.models import PlacementStatus

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
    department: str | None = None

    @property
    def key(self) -> str:
        """What tells two seasons' cached figures apart ("" for the whole season)."""
        parts = (self.graduation_year, self.job_type, self.since, self.until)
        if self.department is not None:
            parts = (*parts, self.department.upper())
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
        condition = Q()
        if self.graduation_year is not None:
            condition &= Q(**{f"{prefix}graduation_year": self.graduation_year})
        if self.department is not None:
            condition &= Q(**{f"{prefix}department__iexact": self.department})
        return condition

    def drives_run(self) -> Q:
        """The drives of the filter: alive and published, of the job type, whose applications
        closed in the period."""
        condition = self.drives() & ~Q(status=DriveStatus.DRAFT)
        if self.since is not None:
            condition &= Q(apply_by__gte=self.since)
        if self.until is not None:
            condition &= Q(apply_by__lt=self.until)
        return condition

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


def best_offer_ctc(season: Season) -> Subquery:
    """A student's best accepted offer of the season (its CTC): where a placed student counts."""
    return Subquery(
        alive_offers(season)
        .filter(ACCEPTED, application__student=OuterRef("pk"))
        .order_by("-ctc")
        .values("ctc")[:1]
    )


# the rules that depend on placements already made are left out of "eligible"
STATE_RULES = frozenset({"placement_policy", "max_offers"})


def _eligible(season: Season) -> Q:
    """Students eligible for at least one drive of the filter (the same rules as applying,
    those of the offer tiers aside), or placed in it: the denominator of placement rates."""
    # no policy: its rules (the maximum of offers) depend on placements already made
    rules = eligibility_rules(drive=DriveTerms.columns(), student=StudentTerms.outer(), policy=None)
    drives = Drive.objects.filter(
        season.drives_run(), all_hold([rule for rule in rules if rule.code not in STATE_RULES])
    )
    return Q(Exists(drives)) | _placed(season)


def _placed(season: Season) -> Q:
    """Placed students: by their profile for the whole season or a batch; with a job type or
    a period, those who accepted an offer of it."""
    if not season.narrows_offers:
        return Q(placement_status=PlacementStatus.PLACED)
    accepted = alive_offers(season).filter(ACCEPTED, application__student=OuterRef("pk"))
    return Q(Exists(accepted))
