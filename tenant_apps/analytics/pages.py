"""The placement office's home (the season at a glance and what needs attention today) and the
placement report (its filters, CSV and XLSX files).

The figures are the API's own: `dashboard_stats` and `placement_report` (cached in the college's
data cache), narrowed by the same `SeasonQuery` as `dashboard/stats/` and `reports/placements/`;
the files are the export code of `reports/placements/export/`. Nothing is computed here."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from shared_apps.billing.limits import ensure_feature
from tenant_apps.analytics import exports
from tenant_apps.analytics.selectors import (
    DRIVES_CLOSING_HOURS,
    OFFERS_EXPIRING_HOURS,
    WHOLE_SEASON,
    Season,
    analytics_cached,
    dashboard_stats,
    office_attention_cached,
    placement_report,
)
from tenant_apps.analytics.serializers import ReportQuery, SeasonQuery
from tenant_apps.drives.models import JobType
from tenant_apps.students.models import Student

SEASON_FIELDS = ("graduation_year", "department", "job_type", "since", "until")
# The SVG's own units; it scales to its card (about 270 px wide in a laptop's three columns,
# 340 on a phone), so that its 15-unit labels read at 14-20 px.
CHART_WIDTH = 280
CHART_ROW = 46  # a label line and its bar
CHART_BAR = 14  # the bar's thickness
CHART_BARS = 12  # bars of one chart (the tables and the report have every row)
VALUE_ROOM = 58  # units kept right of the bars' track for their values


def url_or_none(name: str, *args) -> str | None:
    """A page of another area, when it is installed (the office's pages land one by one)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class SeasonForm(forms.Form):
    """The filters of the home and the report (validated by the API's `SeasonQuery`)."""

    graduation_year = forms.TypedChoiceField(
        label="Batch", required=False, coerce=int, empty_value=None
    )
    department = forms.ChoiceField(label="Department", required=False)
    job_type = forms.ChoiceField(
        label="Job type", required=False, choices=[("", "All job types"), *JobType.choices]
    )
    since = forms.DateField(
        label="Offers from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Offers until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, batches: list[int], departments: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["graduation_year"].choices = [
            ("", "All batches"),
            *((year, f"Batch of {year}") for year in batches),
        ]
        self.fields["department"].choices = [
            ("", "All departments"),
            *((name, name) for name in departments),
        ]


def season_of(request) -> tuple[SeasonForm, Season]:
    """The filters of the query string as a form, and the season they select (the whole
    season while they are invalid; the form then shows why)."""
    batches = analytics_cached(
        "batches",
        lambda: list(
            Student.objects.order_by("graduation_year")
            .values_list("graduation_year", flat=True)
            .distinct()
        ),
    )
    departments = list(
        Student.objects.order_by("department").values_list("department", flat=True).distinct()
    )
    form = SeasonForm(season_params(request.GET), batches=batches, departments=departments)
    if not form.is_valid():
        return form, WHOLE_SEASON
    query = SeasonQuery(data={k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    if not query.is_valid():
        attach_errors(form, ValidationError(query.errors))
        return form, WHOLE_SEASON
    return form, query.season()


def bar_chart(rows: list[tuple[str, float, str]]) -> dict:
    """Horizontal bars for an SVG: `rows` are `(label, value, shown value)`; each bar has its
    label above it (readable on a phone) and its value at its end."""
    rows = rows[:CHART_BARS]
    top = max((value for _, value, _ in rows), default=0) or 1
    room = CHART_WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value, shown) in enumerate(rows):
        width = max(round(room * value / top), 2 if value else 0)
        y = index * CHART_ROW
        bars.append(
            {
                "label": label,
                "shown": shown,
                "label_y": y + 16,
                "y": y + 23,
                "bar": CHART_BAR,
                "track": room,  # the bar's whole length, drawn faintly: 0% reads as 0
                "width": width,
                "value_x": room + 6,  # right of the track: the values make a column
                "value_y": y + 35,
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": max(len(bars) * CHART_ROW, CHART_ROW)}


def _percent(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def season_params(data) -> QueryDict:
    """The filters given in `data` (empty ones left out): the form's data, and the query string
    that keeps them on the report's files and links."""
    params = QueryDict(mutable=True)
    for name in SEASON_FIELDS:
        if data.get(name):
            params[name] = data[name]
    return params


# --- Home ----------------------------------------------------------------------------------------


def _college_day() -> tuple[datetime, datetime]:
    """Today, midnight to midnight, in the college's time zone (active on every page)."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return start, start + timedelta(days=1)


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def home(request):
    form, season = season_of(request)
    stats = dashboard_stats(season=season)
    day_start, day_end = _college_day()
    attention = office_attention_cached(user=request.user, day_start=day_start, day_end=day_end)
    context = {
        "form": form,
        "filtered": bool(season.key),
        "season_query": season_params(request.GET).urlencode(),
        "stats": stats,
        "attention": attention,
        "drives_closing_hours": DRIVES_CLOSING_HOURS,
        "offers_expiring_hours": OFFERS_EXPIRING_HOURS,
        "charts": {
            "department": bar_chart(
                [
                    (row["department"], row["placement_rate"], _percent(row["placement_rate"]))
                    for row in stats["by_department"]
                ]
            ),
            "company": bar_chart(
                [
                    (row["company"]["name"], row["placements"], str(row["placements"]))
                    for row in stats["by_company"]
                    if row["placements"]
                ]
            ),
            "batch": bar_chart(
                [
                    (
                        f"Batch of {row['graduation_year']}",
                        row["placement_rate"],
                        _percent(row["placement_rate"]),
                    )
                    for row in stats["by_batch"]
                ]
            ),
        },
        "links": {
            "unverified": _with_query(url_or_none("office:students"), "is_verified=false"),
            "drives": url_or_none("office:drives"),
            "interviews": url_or_none("office:interviews"),
            "offers": url_or_none("office:offers"),
            "reports": reverse("office:reports"),
        },
    }
    template = "analytics/pages/home.html"
    if request.htmx and request.htmx.target == "season":
        template = "analytics/pages/_season.html"
    return render(request, template, context)


def _with_query(url: str | None, query: str) -> str | None:
    return f"{url}?{query}" if url else None


# --- Reports -------------------------------------------------------------------------------------


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def reports(request):
    form, season = season_of(request)
    report = placement_report(season=season)
    context = {
        "form": form,
        "filtered": bool(season.key),
        "season_query": season_params(request.GET).urlencode(),
        "report": report,
    }
    template = "analytics/pages/reports.html"
    if request.htmx and request.htmx.target == "report":
        template = "analytics/pages/_report.html"
    return render(request, template, context)


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def reports_export(request):
    """The report as a file, through the export code of `reports/placements/export/` (plans
    without exports, or a bad filter: back to the report with the reason)."""
    query = ReportQuery(data={k: v for k, v in request.GET.items() if v})
    back = reverse("office:reports")
    if not query.is_valid():
        messages.error(request, "Check the report's filters: " + _first_error(query.errors))
        return HttpResponseRedirect(back)
    try:
        ensure_feature("exports")
    except PlacemateError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(f"{back}?{season_params(request.GET).urlencode()}")
    report = placement_report(season=query.season())
    if query.validated_data["format"] == "csv":
        return exports.attachment(exports.report_csv(report), extension="csv")
    return exports.attachment(exports.report_xlsx(report), extension="xlsx")


def _first_error(errors: dict) -> str:
    field, messages_ = next(iter(errors.items()))
    return f"{field}: {messages_[0]}"
