"""The console's metrics page: server-rendered SVG charts (no JavaScript, no CDN)."""

from django.contrib import admin
from django.shortcuts import render

from shared_apps.console.selectors import platform_metrics

BAR_AREA = 160  # px of the tallest bar


def _bars(series: list[tuple[str, float]]) -> list[dict]:
    top = max((value for _, value in series), default=0) or 1
    width, gap = 44, 28
    return [
        {
            "label": label,
            "value": value,
            "x": index * (width + gap) + 10,
            "width": width,
            "height": round(BAR_AREA * value / top),
            "y": 10 + BAR_AREA - round(BAR_AREA * value / top),
        }
        for index, (label, value) in enumerate(series)
    ]


def metrics(request):
    data = platform_metrics()
    context = {
        **admin.site.each_context(request),
        "title": "Platform metrics",
        "metrics": data,
        "status_bars": _bars(
            [(s.replace("_", " "), n) for s, n in data["tenants_by_status"].items()]
        ),
        "signup_bars": _bars([(w["week"][5:], w["count"]) for w in data["signups_per_week"]]),
        "chart_height": BAR_AREA + 40,
    }
    return render(request, "console/metrics.html", context)
