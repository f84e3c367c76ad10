"""The office's home and the placement report: the API's figures for the chosen part of the
season, what needs attention today in the caller's college only, the report's files."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from core.accounts.models import Role
from core.web.decorators import college_time_zone
from tests.conftest import make_user
from tests.tenant_apps.analytics.test_dashboard import placement
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_offer,
    make_recruiter,
    make_student,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

HOME = "/office/"
REPORTS = "/office/reports/"
EXPORT = "/office/reports/export/"


def season(college):
    """Batch 2026: 2 CSE students, one placed full time (20 L); batch 2027: 2 ECE students, one
    placed in an internship (5 L)."""
    acme, zen = make_company(college, "Acme Corp"), make_company(college, "Zen Labs")
    full_time = make_drive(college, acme, ctc="2000000")
    internship = make_drive(college, zen, ctc="500000", job_type="internship")
    cse = [
        make_student(college, department="CSE", graduation_year=2026, placed=i == 0) for i in (0, 1)
    ]
    ece = [
        make_student(college, department="ECE", graduation_year=2027, placed=i == 0) for i in (0, 1)
    ]
    placement(college, cse[0], full_time, "2000000")
    placement(college, ece[0], internship, "500000")
    return {"cse": cse, "ece": ece, "full_time": full_time, "internship": internship}


def college_today(college) -> datetime:
    with tenant_context(college):
        zone = ZoneInfo(college_time_zone())
    return datetime.combine(timezone.now().astimezone(zone).date(), time(12), tzinfo=zone)


# --- Home ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_the_home_shows_the_seasons_figures_and_charts_to_the_office(college, role):
    season(college)
    client = page_client(college, make_user(college, role))

    response = client.get(HOME)

    body = text_of(response)
    assert response.status_code == 200
    assert 'id="stat-rate">50.0%' in body
    assert 'id="stat-placed">2<' in body and "/ 4" in body
    assert 'id="stat-ctc-max">₹20 L' in body
    assert 'id="stat-ctc-avg">₹12.5 L' in body
    for chart in ("chart-department", "chart-company", "chart-batch"):
        assert f'id="{chart}"' in body
    assert "Acme Corp" in body and "Batch of 2027" in body
    assert "style=" not in body and "<style" not in body


def test_the_home_is_for_the_placement_office_only(college, student):
    recruiter = make_recruiter(college, make_company(college))

    assert page_client(college, student).get(HOME).status_code == 403
    assert page_client(college, recruiter).get(HOME).status_code == 403
    assert page_client(college).get(HOME)["Location"].startswith("/sign-in/")


def test_the_home_filters_by_batch_and_job_type_through_the_apis_selector(college, coordinator):
    season(college)
    client = page_client(college, coordinator)

    batch = text_of(client.get(HOME, {"graduation_year": 2027}))
    internships = text_of(client.get(HOME, {"job_type": "internship"}))

    assert 'id="stat-placed">1<' in batch and "/ 2" in batch
    assert 'id="stat-ctc-max">₹5 L' in batch
    assert 'id="stat-offers">1<' in internships
    assert 'id="stat-ctc-max">₹5 L' in internships
    assert "The season, filtered" in internships


def test_bad_filters_say_why_and_show_the_whole_season(college, coordinator):
    season(college)
    client = page_client(college, coordinator)

    response = client.get(HOME, {"since": "2026-05-01", "until": "2026-04-01", "job_type": "x"})

    body = text_of(response)
    assert response.status_code == 200
    assert 'id="season-errors"' in body
    assert 'id="stat-offers">2<' in body


def test_an_htmx_filter_returns_only_the_season(college, coordinator):
    season(college)
    client = page_client(college, coordinator)

    response = client.get(
        HOME, {"graduation_year": 2026}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="season"
    )

    body = text_of(response)
    assert body.lstrip().startswith('<section id="season"')
    assert "Needs attention today" not in body
    assert 'id="stat-placed">1<' in body


def test_the_home_lists_what_needs_attention_today(college, coordinator):
    # given
    today = college_today(college)
    make_student(college, verified=False)
    make_student(college, verified=False)
    student = make_student(college, first_name="Priya", last_name="Nair")
    soon = make_drive(
        college, title="Closing Soon Drive", apply_by=timezone.now() + timedelta(hours=20)
    )
    make_drive(college, title="Closing Later Drive", apply_by=timezone.now() + timedelta(days=5))
    application = make_application(college, student, soon)
    make_interview(college, application, scheduled_at=today)
    later = make_application(
        college, make_student(college, first_name="Later"), make_drive(college)
    )
    make_interview(college, later, scheduled_at=today + timedelta(days=2))
    offered = make_application(
        college, make_student(college, first_name="Ravi"), make_drive(college)
    )
    make_offer(college, offered, ctc="1200000", expires_in=timedelta(hours=30))
    relaxed = make_application(
        college, make_student(college, first_name="Relaxed"), make_drive(college)
    )
    make_offer(college, relaxed, expires_in=timedelta(days=6))
    # when
    body = text_of(page_client(college, coordinator).get(HOME))
    # then
    assert "2</span> profiles waiting for verification" in body
    assert 'href="/office/students/?is_verified=false"' in body
    assert "Closing Soon Drive" in body and "Closing Later Drive" not in body
    assert "Priya Nair" in body and "Later Stu" not in body
    assert "Ravi Dent" in body and "₹12 L" in body and "Relaxed" not in body


def test_the_home_shows_only_the_colleges_own_rows(college, other_college, coordinator):
    make_student(other_college, verified=False)
    stranger = make_application(
        other_college,
        make_student(other_college, first_name="Stranger"),
        make_drive(other_college, title="Beta Drive", apply_by=timezone.now() + timedelta(hours=5)),
    )
    make_offer(other_college, stranger, expires_in=timedelta(hours=5))
    make_interview(other_college, stranger, scheduled_at=college_today(other_college))

    body = text_of(page_client(college, coordinator).get(HOME))

    assert "0</span> profiles waiting" in body
    assert "Beta Drive" not in body and "Stranger" not in body
    assert 'id="stat-placed">0<' in body


def test_the_homes_queries_do_not_grow_with_the_rows_shown(college, coordinator):
    client = page_client(college, coordinator)
    today = college_today(college)

    def count_for(n: int) -> int:
        for _ in range(n):
            drive = make_drive(college, apply_by=timezone.now() + timedelta(hours=10))
            application = make_application(college, make_student(college, placed=True), drive)
            make_interview(college, application, scheduled_at=today)
            make_offer(college, application, expires_in=timedelta(hours=10))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(HOME)
        assert response.status_code == 200
        return len(queries)

    client.get(HOME)  # host, user and settings resolved once
    assert count_for(1) == count_for(4)


# --- Reports -------------------------------------------------------------------------------------


def test_the_report_shows_departments_companies_and_bands(college, coordinator):
    season(college)

    response = page_client(college, coordinator).get(REPORTS)

    body = text_of(response)
    assert response.status_code == 200
    for table in ("report-departments", "report-companies", "report-bands"):
        assert f'id="{table}"' in body
    assert "Zen Labs" in body and "Acme Corp" in body
    assert "₹20 L and above" in body
    assert 'href="/office/reports/export/?format=csv"' in body


def test_the_report_keeps_its_filters_on_the_files(college, coordinator):
    season(college)
    client = page_client(college, coordinator)

    body = text_of(client.get(REPORTS, {"job_type": "internship"}))
    response = client.get(EXPORT, {"format": "csv", "job_type": "internship"})

    assert "/office/reports/export/?format=csv&amp;job_type=internship" in body
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    companies = {row["name"]: row for row in rows if row["group"] == "company"}
    assert set(companies) == {"Zen Labs"}
    assert companies["Zen Labs"]["placements"] == "1"


def test_the_report_downloads_as_a_workbook(college, coordinator):
    season(college)

    response = page_client(college, coordinator).get(EXPORT, {"format": "xlsx"})

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Departments", "Companies", "CTC bands"]


def test_a_plan_without_exports_explains_instead_of_a_file(college, coordinator, tiny_plan):
    client = page_client(college, coordinator)

    response = client.get(EXPORT, {"format": "csv", "graduation_year": "2027"})
    shown = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == "/office/reports/?graduation_year=2027"
    assert "does not include exports" in text_of(shown)


def test_a_bad_file_format_goes_back_to_the_report_with_the_reason(college, coordinator):
    client = page_client(college, coordinator)

    response = client.get(EXPORT, {"format": "pdf"})

    assert response.status_code == 302
    assert "Check the report" in text_of(client.get(response["Location"]))


def test_the_report_is_for_the_office_and_shows_one_college(college, other_college, student):
    make_company(other_college, "Beta Only Co")
    make_drive(other_college, make_company(other_college, "Beta Drive Co"))
    coordinator = make_user(college, Role.COORDINATOR)

    body = text_of(page_client(college, coordinator).get(REPORTS))

    assert page_client(college, student).get(REPORTS).status_code == 403
    assert page_client(college, student).get(EXPORT).status_code == 403
    assert "Beta Drive Co" not in body
