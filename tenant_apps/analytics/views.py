"""The college admin's dashboard page (`/admin/dashboard/`): placement rate by department, the
distribution of placements' CTC and the applications' funnel, drawn as SVG on the server (no
JavaScript, no CDN; the Content-Security-Policy stays as strict as elsewhere)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.accounts.models import Role
from tenant_apps.analytics.selectors import (
    alive_applications,
    ctc_bands,
    dashboard_stats,
    funnel,
)
from tenant_apps.kit.permissions import STAFF

BAR_AREA = 160  # px of the tallest bar
BAR_WIDTH, BAR_GAP = 56, 24
# Who may open the page, once the admin site has let them in (staff flag and OTP): the
# placement office, and Placemate support in a read-only session the college allowed.
DASHBOARD_ROLES = STAFF | {Role.SUPPORT}


def bar_chart(series: list[tuple[str, float, str]]) -> dict:
    """Bars for an SVG: `series` is `(label, value, shown value)`; the tallest bar is
    BAR_AREA px high."""
    top = max((value for _, value, _ in series), default=0) or 1
    bars = []
    for index, (label, value, shown) in enumerate(series):
        height = round(BAR_AREA * value / top)
        bars.append(
            {
                "label": label,
                "shown": shown,
                "x": index * (BAR_WIDTH + BAR_GAP) + 10,
                "width": BAR_WIDTH,
                "height": height,
                "y": 20 + BAR_AREA - height,
            }
        )
    return {
        "bars": bars,
        "width": max(len(bars) * (BAR_WIDTH + BAR_GAP) + 20, 200),
        "height": BAR_AREA + 50,
        "label_y": BAR_AREA + 40,
    }


def dashboard_context() -> dict:
    stats = dashboard_stats()
    bands = ctc_bands()
    stages = funnel(alive_applications())["stages"]
    return {
        "stats": stats,
        "placement_percent": round(stats["placement_rate"] * 100, 1),
        "departments": bar_chart(
            [
                (row["department"], row["placement_rate"], f"{row['placement_rate'] * 100:.0f}%")
                for row in stats["by_department"]
            ]
        ),
        "ctc": bar_chart(
            [(band["band"], band["placements"], str(band["placements"])) for band in bands]
        ),
        "funnel": bar_chart(
            [
                (stage["stage"].replace("_", " "), stage["count"], str(stage["count"]))
                for stage in stages
            ]
        ),
    }


def dashboard(request):
    if request.user.role not in DASHBOARD_ROLES:
        raise PermissionDenied("The dashboard is for the placement office.")
    context = {
        **admin.site.each_context(request),
        "title": "Placement dashboard",
        **dashboard_context(),
    }
    return render(request, "analytics/dashboard.html", context)


dashboard_view = admin.site.admin_view(dashboard)
