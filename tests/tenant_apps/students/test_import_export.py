"""Students from CSV or XLSX files (dry run, commit, idempotence, every bad row reported, plan
limits, background jobs for large files) and back out to CSV or XLSX (columns, filters, formula
injection, query counts), each college on its own."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from core.accounts.models import Role, User
from shared_apps.billing.models import Plan
from tenant_apps.students.models import Student, StudentImport
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import make_company, make_recruiter, make_skill, make_student

IMPORT = "/api/v1/students/import/"
EXPORT = "/api/v1/students/export/"
HEADER = [
    "email", "first_name", "last_name", "roll_number", "department", "graduation_year", "cgpa",
    "backlogs", "phone",
]  # fmt: skip


def csv_file(rows: list[list], *, header=HEADER, delimiter=",", bom=False, name="s.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") + buffer.getvalue()
    upload = io.BytesIO(data.encode())
    upload.name = name
    return upload


def xlsx_file(rows: list[list], *, header=HEADER, name="s.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = name
    return upload


def row(n: int, **overrides) -> list:
    values = {
        "email": f"new{n}@alpha.example.edu",
        "first_name": f"First{n}",
        "last_name": "Last",
        "roll_number": f"imp{n:03d}",
        "department": "CSE",
        "graduation_year": "2026",
        "cgpa": "8.50",
        "backlogs": "0",
        "phone": "+91 98450 12345",
        **overrides,
    }
    return [values[name] for name in HEADER]


def post(client, upload, **fields):
    return client.post(IMPORT, {"file": upload, **fields}, format="multipart")


def rolls(college) -> list[str]:
    with tenant_context(college):
        return list(Student.objects.order_by("roll_number").values_list("roll_number", flat=True))


def errors_by_row(result: dict) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in result["errors"]:
        found.setdefault(error["row"], []).append((error["field"], error["message"]))
    return found


MIXED = [
    row(1),  # row 2: good
    row(2, cgpa="11"),  # row 3: cgpa above 10
    row(3, email="not-an-email", graduation_year="20x6"),  # row 4: two bad fields
    row(4),  # row 5: good
    row(5, roll_number="bad roll!"),  # row 6
    row(6, first_name=""),  # row 7: required
]


# --- Dry run and commit --------------------------------------------------------------------------


def test_a_dry_run_reports_every_bad_row_and_creates_nothing(college, coordinator_client):
    response = post(coordinator_client, csv_file(MIXED))

    assert response.status_code == 200, response.json()
    result = response.json()["data"]
    assert (result["dry_run"], result["total_rows"]) == (True, 6)
    assert (result["created"], result["updated"], result["unchanged"], result["failed"]) == (
        2,
        0,
        0,
        4,
    )
    errors = errors_by_row(result)
    assert set(errors) == {3, 4, 6, 7}
    assert errors[3] == [("cgpa", "Ensure this value is less than or equal to 10.")]
    assert {field for field, _ in errors[4]} == {"email", "graduation_year"}
    assert errors[6][0][0] == "roll_number"
    assert errors[7] == [("first_name", "This field is required.")]
    assert rolls(college) == []
    with tenant_context(college):
        assert not User.objects.filter(email__startswith="new").exists()


def test_a_commit_creates_the_good_rows_only_with_accounts_audit_and_invitations(
    college, coordinator, coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(coordinator_client, csv_file(MIXED), dry_run="false")

    assert response.status_code == 200, response.json()
    result = response.json()["data"]
    assert (result["dry_run"], result["created"], result["failed"]) == (False, 2, 4)
    assert rolls(college) == ["IMP001", "IMP004"]
    with tenant_context(college):
        student = Student.objects.select_related("user").get(roll_number="IMP001")
        assert student.user.email == "new1@alpha.example.edu"
        assert student.user.role == Role.STUDENT
        assert not student.user.has_usable_password()
        assert str(student.cgpa) == "8.50" and student.phone == "+91 98450 12345"
        assert student.created_by_id == coordinator.pk
        entries = LogEntry.objects.filter(object_id=student.pk, action=LogEntry.Action.CREATE)
        assert entries.count() == 1
        assert entries.get().actor_id == coordinator.pk
        assert entries.get().changes["roll_number"] == ["None", "IMP001"]
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "new1@alpha.example.edu",
        "new4@alpha.example.edu",
    ]
    assert "/reset-password/?uid=" in mailoutbox[0].body


def test_no_invitations_when_asked_not_to(
    coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(coordinator_client, csv_file([row(1)]), dry_run="false", invite="false")

    assert response.json()["data"]["created"] == 1
    assert mailoutbox == []


def test_importing_the_same_file_twice_creates_nothing_the_second_time(college, coordinator_client):
    first = post(coordinator_client, csv_file([row(1), row(2)]), dry_run="false")
    second = post(coordinator_client, csv_file([row(1), row(2)]), dry_run="false")
    changed = post(
        coordinator_client,
        csv_file([row(1, cgpa="9.10", first_name="Renamed"), row(2)]),
        dry_run="false",
    )

    assert first.json()["data"]["created"] == 2
    assert (second.json()["data"]["created"], second.json()["data"]["unchanged"]) == (0, 2)
    data = changed.json()["data"]
    assert (data["created"], data["updated"], data["unchanged"]) == (0, 1, 1)
    with tenant_context(college):
        assert Student.objects.count() == 2
        student = Student.objects.select_related("user").get(roll_number="IMP001")
        assert (str(student.cgpa), student.user.first_name) == ("9.10", "Renamed")
        update = LogEntry.objects.get(object_id=student.pk, action=LogEntry.Action.UPDATE)
        assert update.changes["cgpa"] == ["8.50", "9.10"]


def test_rows_that_clash_with_the_college_or_each_other_are_refused(
    college, coordinator, coordinator_client
):
    # given a student, a deleted student, and a coordinator's address
    make_student(college, roll_number="KNOWN1", email="known1@alpha.example.edu", verified=False)
    gone = make_student(college, roll_number="GONE1", email="gone@alpha.example.edu")
    with tenant_context(college):
        gone.delete()

    response = post(
        coordinator_client,
        csv_file(
            [
                row(1, roll_number="known1", email="someone.else@alpha.example.edu"),  # 2
                row(2, email=coordinator.email),  # 3: a staff member's address
                row(3, email="known1@alpha.example.edu"),  # 4: a student's address, new roll
                row(4, roll_number="gone1"),  # 5: a deleted student's roll number
                row(5, roll_number="dup1"),  # 6
                row(6, roll_number="DUP1"),  # 7: same roll number as row 6
                row(7, email="twice@alpha.example.edu"),  # 8
                row(8, email="TWICE@alpha.example.edu"),  # 9: same e-mail as row 8
                row(9),  # 10: good
            ]
        ),
        dry_run="false",
    )

    result = response.json()["data"]
    errors = errors_by_row(result)
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert errors[2] == [
        ("email", "This roll number belongs to a student with another e-mail address.")
    ]
    assert errors[3] == [("email", "This e-mail address is already in use.")]
    assert errors[4] == [("email", "This e-mail address is already in use.")]
    assert errors[5][0][0] == "roll_number" and "deleted" in errors[5][0][1]
    assert errors[6] == errors[7] == [("roll_number", "The same roll number is on rows 6, 7.")]
    assert errors[8] == errors[9] == [("email", "The same e-mail address is on rows 8, 9.")]
    assert rolls(college) == ["IMP009", "KNOWN1"]


def test_a_verified_profiles_academic_fields_are_frozen_but_its_name_is_not(
    college, coordinator_client
):
    make_student(
        college, roll_number="VER1", email="ver1@alpha.example.edu", cgpa="7.00", verified=True,
        first_name="Old", last_name="Name",
    )  # fmt: skip
    body = {
        "email": "ver1@alpha.example.edu", "roll_number": "ver1", "graduation_year": "2027",
        "backlogs": "0", "phone": "",
    }  # fmt: skip

    frozen = post(coordinator_client, csv_file([row(1, cgpa="9.00", **body)]), dry_run="false")
    renamed = post(
        coordinator_client,
        csv_file([row(1, cgpa="7.00", first_name="New", last_name="Name", **body)]),
        dry_run="false",
    )

    assert errors_by_row(frozen.json()["data"]) == {
        2: [("cgpa", "Frozen while the profile is verified: unverify it to change this.")]
    }
    assert renamed.json()["data"]["updated"] == 1, renamed.json()
    with tenant_context(college):
        student = Student.objects.select_related("user").get(roll_number="VER1")
        assert (str(student.cgpa), student.user.first_name) == ("7.00", "New")


def test_a_self_registered_student_without_a_profile_gets_it_from_the_file(
    college, coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = make_user(college, Role.STUDENT, "self@alpha.example.edu")

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            coordinator_client, csv_file([row(1, email="SELF@alpha.example.edu")]), dry_run="false"
        )

    assert response.json()["data"]["created"] == 1
    with tenant_context(college):
        assert Student.objects.get(roll_number="IMP001").user_id == user.pk
        assert User.objects.filter(email="self@alpha.example.edu").count() == 1
    assert mailoutbox == []  # they have a password already


# --- File formats ----------------------------------------------------------------------------


def test_xlsx_files_and_loose_headers_are_read(college, coordinator_client):
    header = [" E-Mail ".replace("-", ""), "First Name", "LAST_NAME", "Roll Number", "department",
              "Graduation Year", "CGPA", "Backlogs", "Phone", "Hostel"]  # fmt: skip
    upload = xlsx_file(
        [
            ["x1@alpha.example.edu", "Xi", "", "X1", "ECE", 2026, 8.5, 0, 9845012345, "H1"],
            [None] * 10,  # an empty row is skipped
            ["x2@alpha.example.edu", "Xu", "Lee", "X2", "ECE", 2027, 9, None, None, "H2"],
        ],
        header=header,
    )

    response = post(coordinator_client, upload, dry_run="false")

    assert response.status_code == 200, response.json()
    result = response.json()["data"]
    assert (result["created"], result["failed"], result["total_rows"]) == (2, 0, 2)
    assert result["unknown_columns"] == ["Hostel"]
    with tenant_context(college):
        x1 = Student.objects.get(roll_number="X1")
        assert (x1.graduation_year, str(x1.cgpa), x1.phone) == (2026, "8.50", "9845012345")


def test_semicolon_csv_with_a_bom_is_read(college, coordinator_client):
    upload = csv_file([row(1, cgpa="8.25")], delimiter=";", bom=True)

    response = post(coordinator_client, upload, dry_run="false")

    assert response.json()["data"]["created"] == 1, response.json()
    assert rolls(college) == ["IMP001"]


def test_bad_files_are_refused_with_the_envelope(coordinator_client, settings):
    def error_of(upload, **fields):
        response = post(coordinator_client, upload, **fields)
        return response.status_code, response.json()["error"]["code"], response.json()["error"]

    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    png.name = "students.csv"  # the name does not matter
    xls = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    broken_zip = io.BytesIO(b"PK\x03\x04garbage")
    empty = io.BytesIO(b"")
    missing = csv_file([["a@b.example.edu", "A"]], header=["email", "first_name"])

    assert error_of(png)[:2] == (415, "unsupported_media_type")
    assert error_of(xls)[:2] == (415, "unsupported_media_type")
    assert error_of(broken_zip)[:2] == (415, "unsupported_media_type")
    assert error_of(empty)[:2] == (400, "validation_error")
    status, code, error = error_of(missing)
    assert (status, code) == (400, "validation_error")
    assert "roll_number" in error["details"]["columns"][0]
    settings.IMPORT_MAX_BYTES = 100
    status, code, error = error_of(csv_file([row(n) for n in range(5)]))
    assert (status, code, error["details"]["max_bytes"]) == (413, "file_too_large", 100)


def test_the_plan_limit_refuses_the_whole_import(college, coordinator_client, tiny_plan):
    make_student(college)

    dry = post(coordinator_client, csv_file([row(1), row(2)]))
    committed = post(coordinator_client, csv_file([row(1), row(2)]), dry_run="false")
    one_fits = post(coordinator_client, csv_file([row(1)]), dry_run="false")

    assert dry.status_code == committed.status_code == 402
    assert committed.json()["error"]["code"] == "plan_limit_reached"
    assert committed.json()["error"]["details"]["adding"] == 2
    assert one_fits.status_code == 200
    assert len(rolls(college)) == 2


# --- Background jobs ------------------------------------------------------------------------------


def test_a_large_file_runs_as_a_job_that_staff_poll(
    college, other_college, coordinator_client, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            coordinator_client, csv_file([row(1), row(2), row(3, cgpa="x")]), dry_run="false"
        )

    assert response.status_code == 202, response.json()
    job = response.json()["data"]
    assert job["status"] == "queued" and job["progress"] == {"processed": 0, "total": 3}
    polled = coordinator_client.get(f"{IMPORT}{job['id']}/")
    assert polled.status_code == 200
    data = polled.json()["data"]
    assert data["status"] == "done", data
    assert data["progress"] == {"processed": 3, "total": 3}
    assert (data["result"]["created"], data["result"]["failed"]) == (2, 1)
    assert data["result"]["errors"] == [
        {"row": 4, "field": "cgpa", "message": "A valid number is required."}
    ]
    assert rolls(college) == ["IMP001", "IMP002"]
    with tenant_context(college):
        assert not StudentImport.objects.get(pk=job["id"]).file  # the upload is gone
    # another college, or a student, cannot see it
    other_staff = make_user(other_college, Role.COORDINATOR)
    assert client_for(other_college, other_staff).get(f"{IMPORT}{job['id']}/").status_code == 404
    student = make_student(college)
    assert client_for(college, student.user).get(f"{IMPORT}{job['id']}/").status_code == 404


def test_a_job_that_fails_says_why(
    college, coordinator_client, settings, tiny_plan, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = post(coordinator_client, csv_file([row(1), row(2), row(3)]), dry_run="false")

    data = coordinator_client.get(f"{IMPORT}{response.json()['data']['id']}/").json()["data"]
    assert data["status"] == "failed"
    assert data["error"]["code"] == "plan_limit_reached"
    assert rolls(college) == []


# --- Who may ---------------------------------------------------------------------------------


def test_only_staff_import_and_export(college):
    student = make_student(college)
    recruiter = make_recruiter(college, make_company(college))

    for user in (student.user, recruiter):
        client = client_for(college, user)
        assert post(client, csv_file([row(1)])).status_code == 403
        assert client.get(EXPORT).status_code == 403
    assert client_for(college).get(EXPORT).status_code == 401
    assert rolls(college) == [student.roll_number]


# --- Export ----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_the_export_has_the_import_columns_and_the_list_filters(college, coordinator_client):
    python = make_skill(college, "Python")
    make_student(college, roll_number="E2", department="ECE", email="e2@alpha.example.edu")
    make_student(
        college, roll_number="C1", department="CSE", email="c1@alpha.example.edu",
        first_name="=HYPERLINK(\"http://evil\")", skills={python: 8},
    )  # fmt: skip

    everything = coordinator_client.get(EXPORT)
    cse = coordinator_client.get(EXPORT, {"department": "cse", "format": "csv"})
    picked = coordinator_client.get(EXPORT, {"columns": "roll_number,skills,first_name"})

    assert everything.status_code == 200
    assert everything["Content-Type"].startswith("text/csv")
    assert everything["Content-Disposition"] == 'attachment; filename="students.csv"'
    rows = read_csv(everything)
    assert rows[0] == [*HEADER, "is_verified", "placement_status"]
    assert [r[3] for r in rows[1:]] == ["C1", "E2"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'  # never a formula
    assert [r[3] for r in read_csv(cse)[1:]] == ["C1"]
    assert read_csv(picked)[:2] == [
        ["roll_number", "skills", "first_name"],
        ["C1", "Python (8)", '\'=HYPERLINK("http://evil")'],
    ]


def test_an_export_imports_back_unchanged(college, coordinator_client):
    for n in range(3):
        make_student(college, roll_number=f"RT{n}", email=f"rt{n}@alpha.example.edu")
    exported = b"".join(coordinator_client.get(EXPORT).streaming_content)
    upload = io.BytesIO(exported)
    upload.name = "students.csv"

    result = post(coordinator_client, upload, dry_run="false").json()["data"]

    assert (result["unchanged"], result["created"], result["failed"]) == (3, 0, 0), result
    assert result["unknown_columns"] == ["is_verified", "placement_status"]


def test_the_xlsx_export(college, coordinator_client):
    make_student(college, roll_number="X1", cgpa="9.25")

    response = coordinator_client.get(EXPORT, {"format": "xlsx", "columns": "roll_number,cgpa"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="students.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["roll_number", "cgpa"],
        ["X1", 9.25],
    ]


def test_the_xlsx_export_types_formula_like_text_as_strings(college, coordinator_client):
    make_student(college, roll_number="X2", first_name='=HYPERLINK("http://evil")')
    with tenant_context(college):
        Student.objects.filter(roll_number="X2").update(phone="+91 98765 43210")

    response = coordinator_client.get(
        EXPORT, {"format": "xlsx", "columns": "roll_number,first_name,phone"}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    _header, row = list(sheet.iter_rows())
    assert [c.value for c in row] == ["X2", '=HYPERLINK("http://evil")', "+91 98765 43210"]
    assert {c.data_type for c in row} == {"s"}  # text, never a formula, no apostrophe added


def test_bad_export_parameters_answer_400(coordinator_client):
    unknown = coordinator_client.get(EXPORT, {"columns": "roll_number,password"})
    bad_format = coordinator_client.get(EXPORT, {"format": "pdf"})

    assert unknown.status_code == 400
    message = unknown.json()["error"]["details"]["columns"][0]
    assert "password" in message and "Allowed: email, first_name" in message
    assert bad_format.status_code == 400
    assert bad_format.json()["error"]["code"] == "validation_error"


def test_exports_need_a_plan_with_exports(college, coordinator_client):
    college.plan = Plan.objects.create(
        code="no-exports", name="No exports", is_public=False, limits={}, features={}
    )
    college.save()

    response = coordinator_client.get(EXPORT)

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "plan_limit_reached"


def test_each_college_exports_and_imports_only_its_own_students(
    college, other_college, coordinator_client
):
    make_student(college, roll_number="SAME1", email="a@alpha.example.edu")
    make_student(other_college, roll_number="B1", email="b@beta.example.edu")
    beta = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    beta_rows = read_csv(beta.get(EXPORT))
    imported = post(beta, csv_file([row(1, roll_number="SAME1", email="a@beta.example.edu")]),
                    dry_run="false")  # fmt: skip

    assert [r[3] for r in beta_rows[1:]] == ["B1"]
    assert imported.json()["data"]["created"] == 1  # alpha's roll number is no clash in beta
    assert rolls(college) == ["SAME1"]
    with tenant_context(college):
        assert Student.objects.get().user.email == "a@alpha.example.edu"


def test_the_export_costs_the_same_queries_for_1_or_50_students(college, coordinator_client):
    skill = make_skill(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Student.all_objects.hard_delete()
            User.objects.filter(role=Role.STUDENT).delete()
        for _ in range(n):
            make_student(college, skills={skill: 5})
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(EXPORT, {"columns": "roll_number,skills"})
            rows = read_csv(response)
        assert len(rows) == n + 1
        return len(queries)

    coordinator_client.get("/healthz")
    assert count_for(1) == count_for(50)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_of_an_empty_college_have_the_header_only(coordinator_client, file_format):
    response = coordinator_client.get(EXPORT, {"format": file_format, "columns": "email"})

    assert response.status_code == 200
    if file_format == "csv":
        assert read_csv(response) == [["email"]]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [list(r) for r in sheet.iter_rows(values_only=True)] == [["email"]]
