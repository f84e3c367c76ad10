"""The dashboard and the report for a part of the season: a batch, a job type, a period of
offers; the same selector answers the API and the office's pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.analytics.selectors import Season, dashboard_stats, placement_report
from tenant_apps.applications.models import Offer
from tests.tenant_apps.analytics.test_pages import season

pytestmark = pytest.mark.django_db

STATS = "/api/v1/dashboard/stats/"
REPORT = "/api/v1/reports/placements/"


def test_a_batch_narrows_students_offers_and_ctc(college):
    season(college)

    with tenant_context(college):
        stats = dashboard_stats(season=Season(graduation_year=2026))

    assert (stats["students_total"], stats["students_placed"], stats["offers_total"]) == (2, 1, 1)
    assert stats["ctc"]["max"] == "2000000.00"
    assert [row["department"] for row in stats["by_department"]] == ["CSE"]
    assert stats["by_batch"] == [
        {
            "graduation_year": 2026,
            "students_total": 2,
            "students_eligible": 2,
            "students_placed": 1,
            "placement_rate": 0.5,
        }
    ]


def test_a_job_type_counts_as_placed_only_those_who_accepted_such_an_offer(college):
    season(college)

    with tenant_context(college):
        stats = dashboard_stats(season=Season(job_type="internship"))
        report = placement_report(season=Season(job_type="internship"))

    assert (stats["students_total"], stats["students_placed"]) == (4, 1)
    assert stats["drives_open"] == 1
    assert [row["company"]["name"] for row in report["by_company"]] == ["Zen Labs"]
    assert sum(band["placements"] for band in report["by_ctc_band"]) == 1


def test_a_period_counts_the_offers_made_in_it(college):
    rows = season(college)
    with tenant_context(college):
        Offer.objects.filter(application__drive=rows["internship"]).update(
            created_at=timezone.now() - timedelta(days=40)
        )
        recent = dashboard_stats(season=Season(since=timezone.now() - timedelta(days=7)))
        whole = dashboard_stats()

    assert (recent["offers_total"], whole["offers_total"]) == (1, 2)
    assert recent["students_placed"] == 1


def test_the_api_takes_the_same_filters_and_refuses_bad_ones(college, coordinator_client):
    season(college)

    batch = coordinator_client.get(STATS, {"graduation_year": 2027}).json()["data"]
    report = coordinator_client.get(REPORT, {"job_type": "full_time"}).json()["data"]
    bad = coordinator_client.get(STATS, {"since": "2026-06-01", "until": "2026-05-01"})

    assert (batch["students_total"], batch["students_placed"]) == (2, 1)
    assert report["totals"]["ctc"]["max"] == "2000000.00"
    assert bad.status_code == 400
    assert "until" in bad.json()["error"]["details"]


def test_each_season_is_cached_apart(college, coordinator_client):
    season(college)

    whole = coordinator_client.get(STATS).json()["data"]
    batch = coordinator_client.get(STATS, {"graduation_year": 2026}).json()["data"]
    whole_again = coordinator_client.get(STATS).json()["data"]

    assert whole["students_total"] == whole_again["students_total"] == 4
    assert batch["students_total"] == 2
