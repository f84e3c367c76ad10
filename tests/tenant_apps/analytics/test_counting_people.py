"""Reports that count people: a placement rate over the students eligible for at least one
drive of the filter, a placed student counted once at their best accepted offer, CTC figures
over students, and the department filter, on the API, the pages and the files."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.analytics.selectors import Season, dashboard_stats
from tenant_apps.applications.models import Application, Offer
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_offer,
    make_student,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

STATS = "/api/v1/dashboard/stats/"
REPORT = "/api/v1/reports/placements/"


def accepted(college, student, drive, ctc: str):
    application = make_application(college, student, drive, "accepted")
    offer = make_offer(college, application, ctc=ctc)
    with tenant_context(college):
        Offer.objects.filter(pk=offer.pk).update(status="accepted")
    return offer


def stats(college, **season) -> dict:
    with tenant_context(college):
        return dashboard_stats(season=Season(**season))


def test_a_batch_eligible_for_nothing_is_not_in_the_denominator(college):
    # given drives open to the batch of 2027 only, and a batch of 2028 eligible for none
    drive = make_drive(college, graduation_years=[2027])
    placed = make_student(college, graduation_year=2027, placed=True)
    make_student(college, graduation_year=2027)
    for _ in range(3):
        make_student(college, graduation_year=2028)
    accepted(college, placed, drive, "1000000")

    data = stats(college)

    assert (data["students_total"], data["students_eligible"], data["students_placed"]) == (5, 2, 1)
    assert data["placement_rate"] == 0.5
    batch_2028 = next(b for b in data["by_batch"] if b["graduation_year"] == 2028)
    assert (batch_2028["students_eligible"], batch_2028["placement_rate"]) == (0, 0.0)


def test_unverified_and_excluded_students_are_not_eligible(college):
    from tenant_apps.drives.models import DriveStudentListEntry

    drive = make_drive(college)
    make_student(college, verified=False)
    excluded = make_student(college)
    make_student(college)
    with tenant_context(college):
        DriveStudentListEntry.objects.create(
            drive=drive, student=excluded, kind="exclude", reason="Debarred"
        )

    assert stats(college)["students_eligible"] == 1


def test_a_placed_student_counts_once_at_the_best_offer(college):
    # given a student with two accepted offers left by the old policy (the migration releases
    # them; the figures count her once anyway) and one with one offer
    with tenant_context(college), connection.cursor() as cursor:
        cursor.execute("DROP INDEX application_one_accepted_per_student")
    twice = make_student(college, department="CSE", placed=True)
    once = make_student(college, department="CSE", placed=True)
    accepted(college, twice, make_drive(college), "1000000")
    accepted(college, twice, make_drive(college), "3000000")
    accepted(college, once, make_drive(college), "2000000")

    data = stats(college)

    assert data["students_placed"] == 2
    # over students at their best offer (3M and 2M), not over the three offers
    assert data["ctc"] == {"avg": "2500000.00", "median": "2500000.00", "max": "3000000.00"}
    (cse,) = data["by_department"]
    assert (cse["ctc_avg"], cse["ctc_max"], cse["placements"]) == (
        "2500000.00",
        "3000000.00",
        3,
    )


def test_the_department_filter_narrows_people_and_offers(college, coordinator_client):
    cse_drive = make_drive(college)
    cse = make_student(college, department="CSE", placed=True)
    make_student(college, department="ECE")
    accepted(college, cse, cse_drive, "1200000")

    ece = coordinator_client.get(STATS, {"department": "ece"}).json()["data"]
    cse_data = coordinator_client.get(STATS, {"department": "CSE"}).json()["data"]

    assert (ece["students_total"], ece["students_placed"], ece["offers_total"]) == (1, 0, 0)
    assert ece["ctc"]["avg"] is None
    assert (cse_data["students_placed"], cse_data["ctc"]["max"]) == (1, "1200000.00")


def test_the_report_says_how_people_are_counted(college, coordinator_client):
    report = coordinator_client.get(REPORT).json()["data"]
    assert "at least one drive" in report["definitions"]["students_eligible"]
    assert "best accepted offer" in report["definitions"]["ctc"]


def test_the_report_page_filters_by_department_and_says_how_people_are_counted(
    college, coordinator
):
    make_student(college, department="MECH")
    office = page_client(college, coordinator)

    html = text_of(office.get("/office/reports/", {"department": "MECH"}))

    assert 'id="report-definitions"' in html
    assert 'value="MECH" selected' in html


def test_the_report_file_keeps_the_department_filter(college, coordinator_client):
    make_student(college, department="CSE")
    make_student(college, department="ECE")

    response = coordinator_client.get(f"{REPORT}export/", {"department": "ECE", "format": "csv"})

    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "ECE" in body and ",CSE," not in body


def test_a_stats_query_count_does_not_grow_with_students(college):
    drive = make_drive(college)

    def count() -> int:
        with tenant_context(college), CaptureQueriesContext(connection) as queries:
            from tenant_apps.analytics.selectors import dashboard_stats_compute

            dashboard_stats_compute(Season())
        return len(queries)

    make_student(college)
    first = count()
    for i in range(15):
        student = make_student(college, department=f"D{i % 4}", graduation_year=2026 + i % 3)
        if i % 2:
            accepted(college, student, drive, str(1_000_000 + i))
    with tenant_context(college):
        assert Application.objects.filter(status="accepted").count() == 7
    assert count() == first
