"""A drive's funnel and the placement report (definitions in season.py)."""

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from tenant_apps.analytics.dashboard import _companies, dashboard_stats
from tenant_apps.analytics.season import (
    ACCEPTED,
    CTC_BANDS,
    WHOLE_SEASON,
    S,
    Season,
    _money,
    _rate,
    alive_applications,
    alive_offers,
    analytics_cached,
)
from tenant_apps.applications.models import (
    Application,
)
from tenant_apps.drives.models import Drive

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
            "students_eligible": stats["students_eligible"],
            "students_placed": stats["students_placed"],
            "placement_rate": stats["placement_rate"],
            "offers_total": stats["offers_total"],
            "ctc": stats["ctc"],
        },
        "by_department": stats["by_department"],
        "by_company": _report_companies(season),
        "by_ctc_band": ctc_bands(season),
        "definitions": stats["definitions"],
    }


def placement_report(*, season: Season = WHOLE_SEASON) -> dict:
    """The placement report by department, company and CTC band (cached like the stats)."""
    return analytics_cached(
        "placement-report" + season.key, lambda: placement_report_compute(season)
    )
