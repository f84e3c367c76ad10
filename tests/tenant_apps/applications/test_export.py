"""A drive's applicants exported as the file a company asks for: chosen columns, CSV or XLSX,
who may (staff, the company's recruiters), each college on its own, constant query count."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from core.accounts.models import Role
from tenant_apps.applications.models import Application
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_skill,
    make_student,
)


def export_url(drive) -> str:
    return f"/api/v1/drives/{drive.pk}/applicants/export/"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.json()
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def campus(college):
    company = make_company(college, "Acme")
    drive = make_drive(college, company)
    b = make_student(
        college, roll_number="B2", email="b2@alpha.example.edu", first_name="Bea",
        last_name="Bose", department="ECE", cgpa="7.50",
    )  # fmt: skip
    a = make_student(
        college, roll_number="A1", email="a1@alpha.example.edu", first_name="Ann",
        last_name="Apte", cgpa="9.10", backlogs=1,
    )  # fmt: skip
    make_application(college, b, drive, "shortlisted")
    make_application(college, a, drive)
    make_application(college, make_student(college), make_drive(college, company))  # elsewhere
    return company, drive


def test_staff_export_the_default_columns_by_roll_number(college, coordinator_client):
    _, drive = campus(college)

    response = coordinator_client.get(export_url(drive))

    rows = read_csv(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="drive-{drive.pk}-applicants.csv"'
    )
    assert rows[0] == [
        "name", "email", "roll_number", "department", "graduation_year", "cgpa", "backlogs",
        "status", "applied_at",
    ]  # fmt: skip
    assert [r[:8] for r in rows[1:]] == [
        ["Ann Apte", "a1@alpha.example.edu", "A1", "CSE", "2027", "9.10", "1", "applied"],
        ["Bea Bose", "b2@alpha.example.edu", "B2", "ECE", "2027", "7.50", "0", "shortlisted"],
    ]


def test_the_company_picks_the_columns_and_statuses(college, coordinator_client):
    _, drive = campus(college)
    python = make_skill(college, "Python")
    with tenant_context(college):
        from tenant_apps.students.models import Student, StudentSkill

        StudentSkill.objects.create(student=Student.objects.get(roll_number="B2"), skill=python,
                                    rating=9)  # fmt: skip

    response = coordinator_client.get(
        export_url(drive),
        {"columns": "roll_number,skills,resume,status", "status": "shortlisted"},
    )

    assert read_csv(response) == [
        ["roll_number", "skills", "resume", "status"],
        ["B2", "Python (9)", "", "shortlisted"],
    ]


def test_the_xlsx_export(college, coordinator_client):
    _, drive = campus(college)

    response = coordinator_client.get(
        export_url(drive), {"format": "xlsx", "columns": "roll_number,name,cgpa"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["roll_number", "name", "cgpa"],
        ["A1", "Ann Apte", 9.1],
        ["B2", "Bea Bose", 7.5],
    ]


def test_unknown_columns_are_refused_naming_the_allowed_ones(college, coordinator_client):
    _, drive = campus(college)

    response = coordinator_client.get(export_url(drive), {"columns": "name,salary"})
    empty = coordinator_client.get(export_url(drive), {"columns": " , "})
    twice = coordinator_client.get(export_url(drive), {"columns": "name,name"})

    assert response.status_code == empty.status_code == twice.status_code == 400
    message = response.json()["error"]["details"]["columns"][0]
    assert message.startswith("Unknown column(s): salary. Allowed: application_id, name, email")
    assert response.json()["error"]["code"] == "validation_error"


def test_cells_that_look_like_formulas_are_defused(college, coordinator_client):
    drive = make_drive(college)
    student = make_student(college, first_name="@SUM(A1:A9)", last_name="-2+3")
    make_application(college, student, drive)

    rows = read_csv(coordinator_client.get(export_url(drive), {"columns": "first_name,last_name"}))

    assert rows[1] == ["'@SUM(A1:A9)", "'-2+3"]


def test_recruiters_export_their_company_drives_only(college):
    company, drive = campus(college)
    own = client_for(college, make_recruiter(college, company))
    other = client_for(college, make_recruiter(college, make_company(college)))

    assert len(read_csv(own.get(export_url(drive)))) == 3
    assert other.get(export_url(drive)).status_code == 404


def test_students_cannot_export_applicants(college):
    _, drive = campus(college)  # an open drive the student is eligible for
    student = make_student(college, roll_number="S1")
    hidden = make_drive(college, status="draft")

    client = client_for(college, student.user)

    assert client.get(export_url(drive)).status_code == 403
    assert client.get(export_url(hidden)).status_code == 404


def test_a_college_cannot_export_another_colleges_drive(college, other_college):
    _, drive = campus(college)
    beta = client_for(other_college, make_user(other_college, Role.COORDINATOR))
    twin = make_drive(other_college, pk=drive.pk)  # the same id in beta's schema
    make_application(other_college, make_student(other_college, roll_number="BETA1"), twin)

    rows = read_csv(beta.get(export_url(drive), {"columns": "roll_number"}))
    missing = beta.get("/api/v1/drives/987654/applicants/export/")

    assert rows == [["roll_number"], ["BETA1"]]
    assert missing.status_code == 404


def test_deleted_applications_are_not_exported(college, coordinator_client):
    _, drive = campus(college)
    with tenant_context(college):
        Application.objects.filter(drive=drive, student__roll_number="A1").delete()

    rows = read_csv(coordinator_client.get(export_url(drive), {"columns": "roll_number"}))

    assert rows == [["roll_number"], ["B2"]]


def test_the_export_costs_the_same_queries_for_1_or_40_applicants(college, coordinator_client):
    skill = make_skill(college)

    def count_for(n: int) -> int:
        drive = make_drive(college)
        for _ in range(n):
            make_application(college, make_student(college, skills={skill: 4}), drive)
        columns = ",".join(
            ["application_id", "name", "email", "roll_number", "skills", "resume", "status"]
        )
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(coordinator_client.get(export_url(drive), {"columns": columns}))
        assert len(rows) == n + 1
        return len(queries)

    coordinator_client.get("/healthz")
    assert count_for(1) == count_for(40)
