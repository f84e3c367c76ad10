"""What every analytics read shares, all computed in the database (aggregates, subqueries): the
definitions, the `Season` a figure is about, the alive rows it counts, and the data cache.

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
)

from core import datacache
from tenant_apps.applications.models import (
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
)
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
