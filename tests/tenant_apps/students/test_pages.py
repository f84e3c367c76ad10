"""The placement office's student pages: the list (search, filters, order, pages, htmx, bulk
verify / unverify / export), a student's page, creating and editing one, the import wizard, each
for the office only and each college on its own."""

import csv
import io
import os
import re
import time

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from core.accounts.models import Role, User
from core.api.errors import PlacemateError
from shared_apps.billing.models import Plan
from tenant_apps.applications.models import ApplicationStatus
from tenant_apps.kit.jobs import JobStatus
from tenant_apps.students import pages, services, verification
from tenant_apps.students.models import Student, StudentImport, StudentSkill
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_skill,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

STUDENTS = "/office/students/"
IMPORT = "/office/students/import/"
HEADER = [
    "email", "first_name", "last_name", "roll_number", "department", "graduation_year", "cgpa",
    "backlogs", "phone",
]  # fmt: skip


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post_form(client, url: str, data: dict, *, form_url: str | None = None, **extra):
    """POSTs `data` with the CSRF token of the page the form is on, as a browser would."""
    form = client.get(form_url or url)
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(form), **data}, **extra)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def rolls_in(response) -> list[str]:
    return re.findall(r'data-label="Roll number" class="nowrap">([^<]+)<', text_of(response))


def office(college, role=Role.COORDINATOR):
    return page_client(college, make_user(college, role), csrf=True)


@pytest.fixture
def coordinator_pages(college, coordinator):
    return page_client(college, coordinator, csrf=True)


@pytest.fixture(autouse=True)
def _no_drafts_left(college):
    """The files the import pages keep between the check and the import go with the test."""
    yield
    with tenant_context(college):
        try:
            _, names = default_storage.listdir(pages.DRAFTS)
        except OSError:
            return
        for name in names:
            default_storage.delete(f"{pages.DRAFTS}/{name}")


# --- Who may open the pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [STUDENTS, f"{STUDENTS}new/", IMPORT, f"{STUDENTS}{{pk}}/", f"{STUDENTS}{{pk}}/edit/"],
)
def test_the_office_opens_the_student_pages_and_nobody_else_does(college, path):
    student = make_student(college)
    recruiter = make_recruiter(college, make_company(college))
    url = path.format(pk=student.pk)

    for role in (Role.ADMIN, Role.COORDINATOR):
        assert page_client(college, make_user(college, role)).get(url).status_code == 200
    for user in (student.user, recruiter):
        response = page_client(college, user).get(url)
        assert response.status_code == 403
        assert "This page is not part of your workspace." in text_of(response)
    signed_out = page_client(college).get(url)
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/sign-in/")


# --- The list -------------------------------------------------------------------------------------


def test_the_list_shows_the_students_with_their_status(college, coordinator_pages):
    make_student(college, roll_number="A1", first_name="Asha", cgpa="9.10", backlogs=1)
    make_student(college, roll_number="A2", verified=False, placed=True)

    response = coordinator_pages.get(STUDENTS)

    html = text_of(response)
    assert rolls_in(response) == ["A1", "A2"]
    assert "Asha" in html and "9.10" in html
    assert html.count('<span class="badge warn">Not verified</span>') == 1
    assert html.count('<span class="badge info">Placed</span>') == 1


def test_the_list_searches_filters_and_orders_with_the_apis_rules(college, coordinator_pages):
    make_student(college, roll_number="C1", department="CSE", cgpa="7.00", first_name="Zoya")
    make_student(college, roll_number="C2", department="CSE", cgpa="9.00", verified=False)
    make_student(college, roll_number="E1", department="ECE", graduation_year=2026)
    make_student(college, roll_number="E2", department="ECE", placed=True)

    def rolls(**params):
        return rolls_in(coordinator_pages.get(STUDENTS, params))

    assert rolls(department="cse") == ["C1", "C2"]  # the FilterSet's iexact
    assert rolls(graduation_year="2026") == ["E1"]
    assert rolls(is_verified="false") == ["C2"]
    assert rolls(placement_status="placed") == ["E2"]
    assert rolls(q="zoya") == ["C1"]
    assert rolls(q="ece e2") == ["E2"]  # every word, in any of the search fields
    assert rolls(department="CSE", ordering="-cgpa") == ["C2", "C1"]
    assert rolls(ordering="password") == ["C1", "C2", "E1", "E2"]  # not an ordering: ignored
    assert rolls(graduation_year="soon") == ["C1", "C2", "E1", "E2"]  # a refused filter too


def test_the_list_pages_by_20(college, coordinator_pages):
    for n in range(23):
        make_student(college, roll_number=f"P{n:02d}")

    first = coordinator_pages.get(STUDENTS)
    second = coordinator_pages.get(STUDENTS, {"page": 2})
    past = coordinator_pages.get(STUDENTS, {"page": 99})

    assert len(rolls_in(first)) == 20 and "1\u201320 of 23" in text_of(first)
    assert rolls_in(second) == ["P20", "P21", "P22"]
    assert rolls_in(past) == ["P20", "P21", "P22"]


def test_htmx_filtering_answers_the_table_alone(college, coordinator_pages):
    make_student(college, roll_number="H1", department="CSE")
    make_student(college, roll_number="H2", department="ECE")

    response = coordinator_pages.get(STUDENTS, {"department": "ECE"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in text_of(response) and 'id="students-table"' in text_of(response)
    assert rolls_in(response) == ["H2"]
    assert "HX-Request" in response["Vary"]
    # the filters travel with the bulk form and the download links
    assert 'name="filters" value="department=ECE"' in text_of(response)
    assert "export/?department=ECE&amp;format=csv" in text_of(response)


def test_the_empty_list_says_what_to_do(college, coordinator_pages):
    assert "No students yet" in text_of(coordinator_pages.get(STUDENTS))
    make_student(college, department="CSE")
    filtered = coordinator_pages.get(STUDENTS, {"department": "MECH"})
    assert "No student matches these filters" in text_of(filtered)


def test_the_list_costs_the_same_queries_for_1_or_20_rows(college, coordinator_pages):
    skills = [make_skill(college) for _ in range(2)]

    def count_for(n: int) -> int:
        with tenant_context(college):
            StudentSkill.all_objects.hard_delete()
            Student.all_objects.hard_delete()
            User.objects.filter(role=Role.STUDENT).delete()
        for _ in range(n):
            make_student(college, skills=dict.fromkeys(skills, 5))
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_pages.get(STUDENTS)
        assert len(rolls_in(response)) == n
        return len(queries)

    coordinator_pages.get(STUDENTS)  # host and user cached: only the page's own queries
    assert count_for(1) == count_for(20)


# --- Bulk actions ---------------------------------------------------------------------------------


def bulk(client, data: dict):
    return post_form(client, f"{STUDENTS}bulk/", data, form_url=STUDENTS)


def test_bulk_verify_verifies_the_ticked_students_through_the_service(
    college, coordinator, coordinator_pages
):
    ticked = [make_student(college, verified=False) for _ in range(3)]
    untouched = make_student(college, verified=False)

    response = bulk(coordinator_pages, {"action": "verify", "ids": [s.pk for s in ticked]})

    assert response.status_code == 302 and response["Location"] == STUDENTS
    assert messages_of(response) == ["3 students verified."]
    for student in ticked:
        fresh = refreshed(college, student)
        assert fresh.is_verified and fresh.verified_by_id == coordinator.pk
        assert fresh.verified_at is not None
    assert not refreshed(college, untouched).is_verified


def test_bulk_unverify_can_take_every_student_the_filters_match(college, coordinator_pages):
    cse = [make_student(college, department="CSE") for _ in range(2)]
    ece = make_student(college, department="ECE")

    response = bulk(
        coordinator_pages,
        {"action": "unverify", "all_matching": "1", "filters": "department=CSE&page=1"},
    )

    assert response["Location"] == f"{STUDENTS}?department=CSE&page=1"
    assert messages_of(response) == ["2 students unverified."]
    assert [refreshed(college, s).is_verified for s in cse] == [False, False]
    assert refreshed(college, ece).is_verified


@pytest.mark.parametrize("action", ["verify", "unverify"])
def test_bulk_verification_costs_the_same_queries_for_5_or_50_students(
    college, coordinator_pages, action
):
    token = csrf_of(coordinator_pages.get(STUDENTS))

    def count_for(n: int) -> int:
        students = [make_student(college, verified=action == "unverify") for _ in range(n)]
        data = {"csrfmiddlewaretoken": token, "action": action, "ids": [s.pk for s in students]}
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_pages.post(f"{STUDENTS}bulk/", data)
        done = {"verify": "verified", "unverify": "unverified"}[action]
        assert messages_of(response)[-1] == f"{n} students {done}."
        with tenant_context(college):
            changed = Student.objects.filter(pk__in=data["ids"], is_verified=action == "verify")
            assert changed.count() == n
        return len(queries)

    assert count_for(5) == count_for(50)


def test_bulk_verification_leaves_the_audit_entries_one_verification_leaves(
    college, coordinator, coordinator_pages
):
    # given one student verified on their own and two in bulk
    alone, *together = [make_student(college, verified=False) for _ in range(3)]
    with tenant_context(college):
        verification.verification_approve(student=alone, actor=coordinator)
    bulk(coordinator_pages, {"action": "verify", "ids": [s.pk for s in together]})

    # then each has one update entry by the coordinator with the same changed fields
    with tenant_context(college):
        entries = {
            int(entry.object_pk): entry
            for entry in LogEntry.objects.filter(
                content_type__model="student", action=LogEntry.Action.UPDATE
            )
        }
        for student in [alone, *together]:
            entry = entries[student.pk]
            assert entry.object_repr == student.roll_number
            assert set(entry.changes_dict) == {
                "is_verified",
                "verified_at",
                "verified_by",
                "verification_status",  # out of the verification queue, alone or in bulk
            }
            assert entry.changes_dict["is_verified"] == ["False", "True"]
            assert (
                entry.changes_dict["verified_by"][1]
                == entries[alone.pk].changes_dict["verified_by"][1]
            )
        assert {entries[s.pk].actor_id for s in together} == {coordinator.pk}
        assert refreshed(college, together[0]).updated_by_id == coordinator.pk


def test_bulk_actions_without_a_selection_or_an_action_change_nothing(college, coordinator_pages):
    student = make_student(college, verified=False)

    nothing = bulk(coordinator_pages, {"action": "verify"})
    unknown = bulk(coordinator_pages, {"action": "delete", "ids": [student.pk]})

    assert messages_of(nothing) == ["Select at least one student first."]
    assert messages_of(unknown) == ["Choose what to do with the selected students."]
    assert not refreshed(college, student).is_verified


def test_bulk_actions_need_the_csrf_token(college, coordinator_pages):
    student = make_student(college, verified=False)
    response = coordinator_pages.post(f"{STUDENTS}bulk/", {"action": "verify", "ids": student.pk})
    assert response.status_code == 403
    assert not refreshed(college, student).is_verified


def test_bulk_export_sends_the_ticked_students_through_the_apis_export(college, coordinator_pages):
    chosen = make_student(college, roll_number="X1", email="x1@alpha.example.edu")
    make_student(college, roll_number="X2")

    as_csv = bulk(coordinator_pages, {"action": "export-csv", "ids": [chosen.pk]})
    as_xlsx = bulk(coordinator_pages, {"action": "export-xlsx", "ids": [chosen.pk]})

    assert as_csv["Content-Disposition"] == 'attachment; filename="students.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(as_csv.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["email", "first_name", "last_name", "roll_number"]
    assert [row[3] for row in rows[1:]] == ["X1"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["X1"]


def test_the_download_link_exports_every_student_the_filters_match(college, coordinator_pages):
    make_student(college, roll_number="D1", department="CSE")
    make_student(college, roll_number="D2", department="ECE")

    response = coordinator_pages.get(f"{STUDENTS}export/", {"department": "ECE", "format": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["D2"]


def test_exports_outside_the_plan_say_so_instead_of_failing(college, coordinator_pages):
    college.plan = Plan.objects.create(
        code="no-exports-pages", name="No exports", is_public=False, limits={}, features={}
    )
    college.save()
    student = make_student(college)

    bulk_export = bulk(coordinator_pages, {"action": "export-csv", "ids": [student.pk]})
    link = coordinator_pages.get(f"{STUDENTS}export/", {"format": "pdf", "department": "CSE"})

    assert bulk_export.status_code == 302
    assert "exports" in messages_of(bulk_export)[0].lower()
    assert link.status_code == 302 and link["Location"] == f"{STUDENTS}?department=CSE"


# --- One student ----------------------------------------------------------------------------------


def test_a_students_page_shows_profile_skills_resume_and_application_stages(
    college, coordinator, coordinator_pages
):
    python = make_skill(college, "Python")
    student = make_student(college, roll_number="S1", first_name="Ira", skills={python: 8})
    drive = make_drive(college, make_company(college, "Acme"), title="Backend engineer")
    application = make_application(college, student, drive)
    with tenant_context(college):
        application.status = ApplicationStatus.SHORTLISTED
        application.shortlisted_at = timezone.now()
        application.shortlisted_by = coordinator
        application.save()
        services.student_resume_upload(
            student=student,
            upload=SimpleUploadedFile("cv.pdf", b"%PDF-1.4 resume", "application/pdf"),
        )

    response = coordinator_pages.get(f"{STUDENTS}{student.pk}/")

    html = text_of(response)
    assert "Ira Dent" in html and "S1" in html
    assert "Python" in html and 'value="8"' in html
    assert "Backend engineer" in html and "Acme" in html
    assert "<strong>Applied</strong>" in html and "<strong>Shortlisted</strong>" in html
    assert f"by {coordinator.get_full_name()}" in html
    resume_url = f"/api/v1/students/{student.pk}/resume/"
    assert f'href="{resume_url}"' in html
    download = coordinator_pages.get(resume_url)  # the API's authorised endpoint, same cookies
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_verify_and_unverify_buttons_use_the_service(college, coordinator, coordinator_pages):
    student = make_student(college, verified=False)
    page_url = f"{STUDENTS}{student.pk}/"

    verified = post_form(coordinator_pages, f"{page_url}verify/", {}, form_url=page_url)

    assert verified.status_code == 302 and verified["Location"] == page_url
    fresh = refreshed(college, student)
    assert fresh.is_verified and fresh.verified_by_id == coordinator.pk
    assert 'id="student-unverify"' in text_of(coordinator_pages.get(page_url))
    post_form(coordinator_pages, f"{page_url}unverify/", {}, form_url=page_url)
    assert not refreshed(college, student).is_verified


def test_a_deleted_student_is_not_found(college, coordinator_pages):
    student = make_student(college)
    with tenant_context(college):
        student.delete()
    assert coordinator_pages.get(f"{STUDENTS}{student.pk}/").status_code == 404


# --- Creating and editing -------------------------------------------------------------------------


def new_student(**overrides) -> dict:
    return {
        "first_name": "Nila",
        "last_name": "Rao",
        "email": "nila@alpha.example.edu",
        "roll_number": "new001",
        "department": "CSE",
        "graduation_year": "2027",
        "cgpa": "8.25",
        "backlogs": "",
        "phone": "",
        "skills-TOTAL_FORMS": "3",
        "skills-INITIAL_FORMS": "0",
        **overrides,
    }


def test_adding_a_student_creates_the_account_and_mails_the_link(
    college, coordinator_pages, django_capture_on_commit_callbacks
):
    python = make_skill(college, "Python")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            coordinator_pages,
            f"{STUDENTS}new/",
            new_student(**{"skills-0-skill": str(python.pk), "skills-0-rating": "7"}),
        )

    assert response.status_code == 302, text_of(response)
    with tenant_context(college):
        student = Student.objects.select_related("user").get(roll_number="NEW001")
        assert student.user.email == "nila@alpha.example.edu" and student.backlogs == 0
        assert list(student.skill_ratings.values_list("skill__name", "rating")) == [("Python", 7)]
    assert response["Location"] == f"{STUDENTS}{student.pk}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nila@alpha.example.edu"]
    assert "reset-password" in mail.outbox[0].body


def test_adding_a_student_shows_the_apis_errors_and_keeps_what_was_typed(
    college, coordinator_pages
):
    make_student(college, roll_number="TAKEN1")
    skill = make_skill(college)

    response = post_form(
        coordinator_pages,
        f"{STUDENTS}new/",
        new_student(
            roll_number="taken1",
            cgpa="11",
            **{"skills-0-skill": str(skill.pk), "skills-0-rating": "12"},
        ),
    )

    html = text_of(response)
    assert response.status_code == 200
    assert 'id="error-cgpa"' in html and "less than or equal to 10" in html
    assert 'id="error-skills-0-rating"' in html
    assert 'value="Nila"' in html and 'value="taken1"' in html  # nothing typed is lost
    # once the fields are right, the service's own rule answers: the roll number is taken
    again = post_form(coordinator_pages, f"{STUDENTS}new/", new_student(roll_number="taken1"))
    assert "Another student has this roll number." in text_of(again)
    with tenant_context(college):
        assert not Student.objects.filter(user__email="nila@alpha.example.edu").exists()


def test_adding_a_student_beyond_the_plan_says_so(college, coordinator_pages, tiny_plan):
    make_student(college)
    make_student(college)

    response = post_form(coordinator_pages, f"{STUDENTS}new/", new_student())

    assert response.status_code == 200
    assert 'id="form-errors"' in text_of(response)
    assert "plan" in text_of(response).lower()
    assert 'value="nila@alpha.example.edu"' in text_of(response)


def edit_data(student, **overrides) -> dict:
    return {
        "first_name": "Renamed",
        "last_name": student.user.last_name,
        "roll_number": student.roll_number,
        "department": student.department,
        "graduation_year": str(student.graduation_year),
        "cgpa": str(student.cgpa),
        "backlogs": str(student.backlogs),
        "phone": "",
        "skills-TOTAL_FORMS": "3",
        "skills-INITIAL_FORMS": "0",
        **overrides,
    }


def test_editing_a_student_saves_the_profile_and_replaces_the_skills(college, coordinator_pages):
    old, new = make_skill(college, "Old"), make_skill(college, "New")
    student = make_student(college, verified=False, skills={old: 3})
    url = f"{STUDENTS}{student.pk}/edit/"
    assert f'value="{old.pk}" selected' in text_of(coordinator_pages.get(url))

    response = post_form(
        coordinator_pages,
        url,
        edit_data(student, cgpa="9.50", **{"skills-0-skill": str(new.pk), "skills-0-rating": "9"}),
    )

    assert response.status_code == 302
    fresh = refreshed(college, student)
    assert str(fresh.cgpa) == "9.50"
    with tenant_context(college):
        assert User.objects.get(pk=student.user_id).first_name == "Renamed"
        assert list(
            StudentSkill.objects.filter(student=student).values_list("skill", "rating")
        ) == [(new.pk, 9)]


def test_a_verified_profiles_academic_fields_are_frozen_on_the_edit_page(
    college, coordinator_pages
):
    student = make_student(college, verified=True, cgpa="7.00")
    url = f"{STUDENTS}{student.pk}/edit/"
    assert 'id="frozen-note"' in text_of(coordinator_pages.get(url))

    response = post_form(coordinator_pages, url, edit_data(student, cgpa="9.90"))

    assert response.status_code == 200
    assert 'id="error-cgpa"' in text_of(response) and "Frozen" in text_of(response)
    assert 'value="9.90"' in text_of(response)
    assert str(refreshed(college, student).cgpa) == "7.00"


def test_a_verified_profiles_academic_fields_are_read_only_inputs_that_say_why(
    college, coordinator_pages
):
    verified = make_student(college, verified=True)
    unverified = make_student(college, verified=False)

    frozen = text_of(coordinator_pages.get(f"{STUDENTS}{verified.pk}/edit/"))
    open_ = text_of(coordinator_pages.get(f"{STUDENTS}{unverified.pk}/edit/"))

    for name in ("roll_number", "department", "graduation_year", "cgpa", "backlogs"):
        tag = re.search(rf'<input[^>]* name="{name}"[^>]*>', frozen).group(0)
        assert " readonly" in tag and 'aria-describedby="id_' in tag, tag
        assert " readonly" not in re.search(rf'<input[^>]* name="{name}"[^>]*>', open_).group(0)
    for name in ("first_name", "last_name", "phone"):
        assert " readonly" not in re.search(rf'<input[^>]* name="{name}"[^>]*>', frozen).group(0)
    for name in ("tenth_pct", "twelfth_pct"):  # the marks are academic fields too
        assert " readonly" in re.search(rf'<input[^>]* name="{name}"[^>]*>', frozen).group(0)
    # the five fields above, the two marks and the board they are of
    assert frozen.count("Frozen while the profile is verified") == 8
    assert "Frozen while the profile is verified" not in open_


def test_adding_a_student_with_marks_saves_them(college, coordinator_pages):
    response = post_form(
        coordinator_pages,
        f"{STUDENTS}new/",
        new_student(tenth_pct="91.5", twelfth_board="diploma", twelfth_pct="78.25"),
    )

    assert response.status_code == 302, text_of(response)
    with tenant_context(college):
        student = Student.objects.get(roll_number="NEW001")
    assert (str(student.tenth_pct), student.twelfth_board, str(student.twelfth_pct)) == (
        "91.50",
        "diploma",
        "78.25",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tenth_pct", "101", "less than or equal to 100"),
        ("tenth_pct", "-1", "greater than or equal to 0"),
        ("twelfth_pct", "eighty", "A valid number is required"),
        ("twelfth_board", "ib", "Select a valid choice"),
    ],
)
def test_marks_out_of_range_are_refused_on_the_form(
    college, coordinator_pages, field, value, message
):
    response = post_form(coordinator_pages, f"{STUDENTS}new/", new_student(**{field: value}))

    html = text_of(response)
    assert response.status_code == 200
    assert f'id="error-{field}"' in html and message in html
    with tenant_context(college):
        assert not Student.objects.filter(roll_number="NEW001").exists()


def test_editing_a_student_shows_changes_and_clears_the_marks(college, coordinator_pages):
    student = make_student(college, verified=False)
    with tenant_context(college):
        Student.objects.filter(pk=student.pk).update(tenth_pct="88.00", twelfth_pct="70.00")
    url = f"{STUDENTS}{student.pk}/edit/"
    page = text_of(coordinator_pages.get(url))
    assert re.search(r'<input[^>]* name="tenth_pct"[^>]* value="88.00"', page)

    response = post_form(
        coordinator_pages, url, edit_data(student, tenth_pct="92.00", twelfth_pct="")
    )

    assert response.status_code == 302, text_of(response)
    fresh = refreshed(college, student)
    assert (str(fresh.tenth_pct), fresh.twelfth_pct) == ("92.00", None)
    refused = post_form(coordinator_pages, url, edit_data(student, twelfth_pct="100.5"))
    assert 'id="error-twelfth_pct"' in text_of(refused)
    assert refreshed(college, student).twelfth_pct is None


def test_a_skill_twice_is_refused_on_the_edit_page(college, coordinator_pages):
    skill = make_skill(college)
    student = make_student(college)
    rows = {
        "skills-0-skill": str(skill.pk),
        "skills-0-rating": "4",
        "skills-1-skill": str(skill.pk),
        "skills-1-rating": "5",
    }

    response = post_form(
        coordinator_pages, f"{STUDENTS}{student.pk}/edit/", edit_data(student, **rows)
    )

    assert response.status_code == 200
    assert "Skills: A skill appears twice." in text_of(response)


# --- Import ---------------------------------------------------------------------------------------


def csv_upload(rows: list[list], name="students.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), "text/csv")


def row(n: int, **overrides) -> list:
    values = {
        "email": f"imp{n}@alpha.example.edu",
        "first_name": f"First{n}",
        "last_name": "Last",
        "roll_number": f"imp{n:03d}",
        "department": "CSE",
        "graduation_year": "2026",
        "cgpa": "8.50",
        "backlogs": "0",
        "phone": "",
        **overrides,
    }
    return [values[name] for name in HEADER]


def upload(client, rows, **fields):
    return post_form(client, IMPORT, {"file": csv_upload(rows), "invite": "on", **fields})


def draft_of(response) -> str:
    return re.search(r'name="draft" value="([0-9a-f]{32})"', text_of(response)).group(1)


def rolls(college) -> list[str]:
    with tenant_context(college):
        return list(Student.objects.order_by("roll_number").values_list("roll_number", flat=True))


def test_the_dry_run_reports_every_bad_row_and_creates_nothing(college, coordinator_pages):
    response = upload(coordinator_pages, [row(1), row(2, cgpa="11"), row(3, email="nope")])

    html = text_of(response)
    assert response.status_code == 200
    assert re.search(r'id="count-created">1<', html) and re.search(r'id="count-failed">2<', html)
    errors = re.findall(
        r'<td data-label="Row" class="num">(\d+)</td><td data-label="Column">(\w+)</td>', html
    )
    assert errors == [("3", "cgpa"), ("4", "email")]
    assert "Enter a valid email address." in html
    assert rolls(college) == []
    with tenant_context(college):
        assert default_storage.exists(f"{pages.DRAFTS}/{draft_of(response)}")


def test_confirming_imports_the_checked_file_without_a_second_upload(college, coordinator_pages):
    report = upload(coordinator_pages, [row(1), row(2), row(3, cgpa="x")])
    draft = draft_of(report)

    response = coordinator_pages.post(
        f"{IMPORT}confirm/",
        {"csrfmiddlewaretoken": csrf_of(report), "draft": draft, "invite": "1"},
    )

    assert response.status_code == 302 and response["Location"] == STUDENTS
    assert messages_of(response) == [
        "Import done: 2 created, 0 updated, 0 unchanged, 1 row refused."
    ]
    assert rolls(college) == ["IMP001", "IMP002"]
    with tenant_context(college):
        assert not default_storage.exists(f"{pages.DRAFTS}/{draft}")
    again = coordinator_pages.post(
        f"{IMPORT}confirm/", {"csrfmiddlewaretoken": csrf_of(report), "draft": draft}
    )
    assert messages_of(again)[-1] == "That upload is no longer available: choose the file again."


def test_an_xlsx_file_is_checked_like_a_csv(college, coordinator_pages):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row(1))
    workbook.active.append(row(2, roll_number="bad roll!"))
    content = io.BytesIO()
    workbook.save(content)
    upload_ = SimpleUploadedFile("s.xlsx", content.getvalue(), "application/octet-stream")

    response = post_form(coordinator_pages, IMPORT, {"file": upload_})

    html = text_of(response)
    assert 'id="count-created">1<' in html and 'id="count-failed">1<' in html
    assert '<td data-label="Column">roll_number</td>' in html


def test_checked_files_nobody_imported_are_removed_a_day_later(college, coordinator_pages):
    with tenant_context(college):
        stale = pages.draft_save(b"old")
        path = default_storage.path(f"{pages.DRAFTS}/{stale}")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(path, (two_days_ago, two_days_ago))

    report = upload(coordinator_pages, [row(1)])

    with tenant_context(college):
        assert not default_storage.exists(f"{pages.DRAFTS}/{stale}")
        assert default_storage.exists(f"{pages.DRAFTS}/{draft_of(report)}")


@pytest.mark.parametrize("draft", ["", "../../etc/passwd", "0" * 32])
def test_a_missing_or_forged_draft_imports_nothing(college, coordinator_pages, draft):
    form = coordinator_pages.get(IMPORT)
    response = coordinator_pages.post(
        f"{IMPORT}confirm/", {"csrfmiddlewaretoken": csrf_of(form), "draft": draft}
    )
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert rolls(college) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "Only CSV (UTF-8) and XLSX files are accepted."),
        (b"email,first_name\nx@y.z,X\n", "Missing required column(s)"),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_bad_file_is_refused_on_the_form(coordinator_pages, content, message):
    response = post_form(
        coordinator_pages, IMPORT, {"file": SimpleUploadedFile("s.csv", content, "text/csv")}
    )
    assert response.status_code == 200
    assert 'id="error-file"' in text_of(response) and message in text_of(response)


def test_a_file_over_the_limit_is_refused(coordinator_pages, settings):
    settings.IMPORT_MAX_BYTES = 50
    response = upload(coordinator_pages, [row(1), row(2)])
    assert response.status_code == 200 and "larger than 50 bytes" in text_of(response)


def test_the_plan_limit_is_told_before_anything_is_imported(college, coordinator_pages, tiny_plan):
    response = upload(coordinator_pages, [row(1), row(2), row(3)])
    assert response.status_code == 200
    assert "plan" in text_of(response).lower() and 'id="form-errors"' in text_of(response)
    assert rolls(college) == []


def test_a_large_file_is_checked_and_imported_as_jobs_with_a_progress_page(
    college, coordinator_pages, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        checked = upload(coordinator_pages, [row(1), row(2), row(3, cgpa="x")])

    assert checked.status_code == 302
    job_page = coordinator_pages.get(checked["Location"])
    html = text_of(job_page)
    assert 'id="count-failed">1<' in html and "A valid number is required." in html
    assert 'hx-trigger="every 2s"' not in html  # done: no more polling
    assert rolls(college) == []
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = coordinator_pages.post(
            f"{IMPORT}confirm/",
            {"csrfmiddlewaretoken": csrf_of(job_page), "draft": draft_of(job_page), "invite": "0"},
        )
    assert confirmed.status_code == 302
    done = coordinator_pages.get(confirmed["Location"])
    assert 'id="import-done"' in text_of(done)
    assert rolls(college) == ["IMP001", "IMP002"]
    assert mail.outbox == []  # no invitations asked for


def test_a_running_job_polls_every_two_seconds_and_htmx_gets_the_fragment(
    college, coordinator_pages
):
    with tenant_context(college):
        job = StudentImport.objects.create(total=5000, processed=1200, status=JobStatus.RUNNING)
    url = f"{IMPORT}{job.pk}/"

    full = coordinator_pages.get(url)
    fragment = coordinator_pages.get(url, HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 2s"' in text_of(full)
    assert '<progress id="import-progress" max="5000" value="1200"' in text_of(full)
    assert "<html" not in text_of(fragment) and 'hx-trigger="every 2s"' in text_of(fragment)
    with tenant_context(college):
        job.mark_failed(PlacemateError("The import could not be queued: try again."))
    ended = coordinator_pages.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' not in text_of(ended)
    assert "The import could not be queued: try again." in text_of(ended)


# --- Each college on its own ----------------------------------------------------------------------


def test_another_colleges_office_cannot_read_change_or_guess_students(college, other_college):
    ours = make_student(college, verified=False, pk=424242)
    with tenant_context(college):
        job = StudentImport.objects.create(total=3)
    stranger = office(other_college)

    for path in (f"{ours.pk}/", f"{ours.pk}/edit/", f"import/{job.pk}/"):
        assert stranger.get(f"{STUDENTS}{path}").status_code == 404
    form = stranger.get(STUDENTS)
    token = csrf_of(form)
    for path in ("verify/", "unverify/", "edit/"):
        response = stranger.post(f"{STUDENTS}{ours.pk}/{path}", {"csrfmiddlewaretoken": token})
        assert response.status_code == 404
    bulk_response = stranger.post(
        f"{STUDENTS}bulk/",
        {"csrfmiddlewaretoken": token, "action": "verify", "ids": [ours.pk]},
    )
    assert messages_of(bulk_response) == ["The selected students were already verified."]
    assert not refreshed(college, ours).is_verified
    assert ours.roll_number not in text_of(stranger.get(STUDENTS))


def test_a_checked_file_waits_in_its_own_colleges_storage(college, other_college):
    with tenant_context(college):
        buffer = io.StringIO()
        csv.writer(buffer).writerows([HEADER, row(1)])
        draft = pages.draft_save(buffer.getvalue().encode())
    stranger = office(other_college)

    response = stranger.post(
        f"{IMPORT}confirm/",
        {"csrfmiddlewaretoken": csrf_of(stranger.get(IMPORT)), "draft": draft},
    )

    assert messages_of(response) == ["That upload is no longer available: choose the file again."]
    assert rolls(other_college) == [] and rolls(college) == []
    with tenant_context(college):
        assert default_storage.exists(f"{pages.DRAFTS}/{draft}")
        pages.draft_delete(draft)
