"""A drive's funnel, the placement report (JSON, CSV, XLSX) and the college admin's dashboard
page: figures, roles, isolation, plan feature, file contents."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from core.accounts.models import Role
from shared_apps.billing.models import Plan
from tenant_apps.applications.models import Application
from tests.conftest import client_for, make_user
from tests.tenant_apps.analytics.test_dashboard import placement, seed
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_student,
)

REPORT = "/api/v1/reports/placements/"
EXPORT = "/api/v1/reports/placements/export/"


def funnel_url(drive) -> str:
    return f"/api/v1/drives/{drive.pk}/funnel/"


# --- Funnel --------------------------------------------------------------------------------------


def stamped(college, drive, status: str, stages: list[str]) -> Application:
    application = make_application(college, make_student(college), drive, status)
    with tenant_context(college):
        for day, stage in enumerate(stages, start=1):
            setattr(application, f"{stage}_at", timezone.now() + timedelta(days=day))
        application.save()
    return application


@pytest.fixture
def funnel_drive(college):
    company = make_company(college, "Acme")
    drive = make_drive(college, company, title="SDE")
    stamped(college, drive, "applied", [])
    stamped(college, drive, "applied", [])
    stamped(college, drive, "rejected", ["shortlisted", "rejected"])  # left after a shortlist
    stamped(college, drive, "in_process", ["shortlisted", "in_process"])
    stamped(college, drive, "declined", ["shortlisted", "in_process", "offered", "declined"])
    stamped(college, drive, "accepted", ["shortlisted", "in_process", "offered", "accepted"])
    stamped(college, drive, "withdrawn", ["withdrawn"])
    make_application(college, make_student(college), drive, "offered")  # no stamps: still counts
    deleted = stamped(college, drive, "accepted", ["shortlisted", "in_process", "offered"])
    with tenant_context(college):
        deleted.delete()
    make_application(college, make_student(college), make_drive(college, company))  # elsewhere
    return drive


def test_a_drives_funnel_counts_the_applications_that_reached_each_stage(
    college, coordinator_client, funnel_drive
):
    response = coordinator_client.get(funnel_url(funnel_drive))

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["drive"]["title"] == "SDE" and data["drive"]["company"]["name"] == "Acme"
    assert [(s["stage"], s["count"]) for s in data["stages"]] == [
        ("applied", 8), ("shortlisted", 5), ("in_process", 4), ("offered", 3), ("accepted", 1),
    ]  # fmt: skip
    assert [s["rate"] for s in data["stages"]] == [1.0, 0.625, 0.5, 0.375, 0.125]
    assert data["exits"] == {"rejected": 1, "withdrawn": 1, "declined": 1}


def test_the_funnel_is_for_staff_and_the_drives_recruiters(college, other_college, funnel_drive):
    own = client_for(college, make_recruiter(college, funnel_drive.company))
    other = client_for(college, make_recruiter(college, make_company(college)))
    student = client_for(college, make_student(college).user)  # sees the open drive
    beta = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    assert own.get(funnel_url(funnel_drive)).json()["data"]["stages"][0]["count"] == 8
    assert other.get(funnel_url(funnel_drive)).status_code == 404
    assert student.get(funnel_url(funnel_drive)).status_code == 403
    assert beta.get(funnel_url(funnel_drive)).status_code == 404
    assert beta.get("/api/v1/drives/0/funnel/").status_code == 404


# --- Placement report ----------------------------------------------------------------------------


def test_the_report_groups_placements_by_department_company_and_ctc_band(
    college, coordinator_client
):
    rows = seed(college)  # placements at 10, 20 and 15 lakh; a pending offer at 9 lakh
    placement(college, make_student(college, placed=True), rows["drive"], "250000")

    data = coordinator_client.get(REPORT).json()["data"]

    assert data["totals"]["students_placed"] == 4
    assert [d["department"] for d in data["by_department"]] == ["CSE", "ECE"]
    acme, zen = data["by_company"]
    assert (acme["company"]["name"], acme["drives"], acme["applications"]) == ("Acme", 2, 3)
    assert (acme["offers"], acme["placements"], acme["ctc_max"]) == (3, 3, "2000000.00")
    assert (zen["company"]["name"], zen["placements"]) == ("Zen", 1)
    assert [(b["band"], b["placements"]) for b in data["by_ctc_band"]] == [
        ("0 to under 300,000", 1),
        ("300,000 to under 600,000", 0),
        ("600,000 to under 1,000,000", 0),
        ("1,000,000 to under 2,000,000", 2),
        ("2,000,000 and above", 1),
    ]


def test_the_report_downloads_as_csv(college, coordinator_client):
    seed(college)
    make_drive(college, make_company(college, "@cmd"))

    response = coordinator_client.get(EXPORT, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="placements-')
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith("\ufeffgroup,".encode())  # a BOM: spreadsheets read UTF-8
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by = {(row["group"], row["name"]): row for row in table}
    assert by[("department", "CSE")]["students_placed"] == "2"
    assert by[("department", "CSE")]["placement_rate"] == "0.6667"
    assert by[("company", "Acme")]["placements"] == "2"
    assert by[("company", "Acme")]["ctc_max"] == "2000000.00"
    assert by[("ctc_band", "1,000,000 to under 2,000,000")]["placements"] == "2"
    assert by[("company", "'@cmd")]["drives"] == "1"  # no formula from a name
    assert len(table) == 2 + 3 + 5


def test_the_report_downloads_as_xlsx_with_a_sheet_per_group(college, coordinator_client):
    seed(college)
    make_drive(college, make_company(college, "=SUM(A1)"))

    response = coordinator_client.get(EXPORT, {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Departments", "Companies", "CTC bands"]
    departments = list(workbook["Departments"].values)
    companies = list(workbook["Companies"].values)
    assert departments[0][:3] == ("department", "students_total", "students_placed")
    assert departments[1][:4] == ("CSE", 3, 2, 0.6667)
    assert companies[1][0] == "Acme" and companies[1][-1] == 2000000.0
    # no formula from a name: a typed string cell, its text unchanged
    assert ("=SUM(A1)", 1, 0, 0, 0, None, None) in companies
    [name_cell] = [
        row[0] for row in workbook["Companies"].iter_rows() if row[0].value == "=SUM(A1)"
    ]
    assert name_cell.data_type == "s"
    assert [row[3] for row in list(workbook["CTC bands"].values)[1:]] == [0, 0, 0, 2, 1]


def test_report_files_need_staff_a_known_format_and_the_exports_feature(
    college, coordinator_client, student_client
):
    bad_format = coordinator_client.get(EXPORT, {"format": "pdf"})
    as_student = student_client.get(EXPORT)
    report_as_student = student_client.get(REPORT)
    college.plan = Plan.objects.create(
        code="no-exports", name="Basic", is_public=False, limits={}, features={}
    )
    college.save()
    without_feature = coordinator_client.get(EXPORT)
    json_report = coordinator_client.get(REPORT)

    assert bad_format.status_code == 400
    assert "format" in bad_format.json()["error"]["details"]
    assert as_student.status_code == report_as_student.status_code == 403
    assert without_feature.status_code == 402
    assert without_feature.json()["error"]["details"]["feature"] == "exports"
    assert json_report.status_code == 200  # reading the report is not an export


def test_the_report_shows_one_college_only(college, other_college, coordinator_client):
    seed(college)
    make_company(other_college, "Beta Only")
    make_drive(other_college)

    data = coordinator_client.get(REPORT).json()["data"]
    beta = client_for(other_college, make_user(other_college, Role.COORDINATOR))
    beta_data = beta.get(REPORT).json()["data"]

    assert "Beta Only" not in {c["company"]["name"] for c in data["by_company"]}
    assert {c["company"]["name"] for c in data["by_company"]} == {"Acme", "Zen"}
    assert beta_data["totals"]["students_total"] == 0
    assert sum(b["placements"] for b in beta_data["by_ctc_band"]) == 0
