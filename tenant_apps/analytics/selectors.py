"""Reads of analytics, in modules along their seams: season.py (the definitions, the `Season`
a figure is about, the alive rows, the data cache), dashboard.py (the stats and what needs
attention today), reports.py (a drive's funnel, the placement report) and recommendations.py.
Callers keep importing from here."""

from tenant_apps.analytics.dashboard import (
    ATTENTION_ROWS,
    DRIVES_CLOSING_HOURS,
    OFFERS_EXPIRING_HOURS,
    dashboard_stats,
    dashboard_stats_compute,
    office_attention,
    office_attention_cached,
)
from tenant_apps.analytics.recommendations import (
    AVAILABILITY_MAX_OPEN_APPLICATIONS,
    RECOMMENDATION_PARTS,
    RECOMMENDATION_SCORE_DOC,
    SCORE_WEIGHTS,
    ScoredRows,
    drive_recommendations,
    drive_skill_weights,
    recommendation_output,
    student_recommended_drives,
)
from tenant_apps.analytics.reports import (
    FUNNEL_EXITS,
    FUNNEL_STAGES,
    ctc_band_label,
    ctc_bands,
    drive_funnel,
    funnel,
    placement_report,
    placement_report_compute,
    reached,
)
from tenant_apps.analytics.season import (
    ACCEPTED,
    CACHE_KEY,
    CTC_BANDS,
    TOP_COMPANIES,
    WHOLE_SEASON,
    Median,
    Season,
    alive_applications,
    alive_offers,
    analytics_cached,
)

__all__ = [
    "ACCEPTED", "ATTENTION_ROWS", "AVAILABILITY_MAX_OPEN_APPLICATIONS", "CACHE_KEY", "CTC_BANDS",
    "DRIVES_CLOSING_HOURS", "FUNNEL_EXITS", "FUNNEL_STAGES", "OFFERS_EXPIRING_HOURS",
    "RECOMMENDATION_PARTS", "RECOMMENDATION_SCORE_DOC", "SCORE_WEIGHTS", "TOP_COMPANIES",
    "WHOLE_SEASON", "Median", "ScoredRows", "Season", "alive_applications", "alive_offers",
    "analytics_cached", "ctc_band_label", "ctc_bands", "dashboard_stats",
    "dashboard_stats_compute", "drive_funnel", "drive_recommendations", "drive_skill_weights",
    "funnel", "office_attention", "office_attention_cached", "placement_report",
    "placement_report_compute", "reached",
    "recommendation_output", "student_recommended_drives",
]  # fmt: skip
