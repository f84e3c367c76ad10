"""Eligibility on 10th and 12th (or diploma) marks, and students included or excluded by name on
a drive with their reasons: the same rules explain one pair, list a drive's eligible students
and list a student's drives; the lists' API, each college on its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.drives.eligibility import drive_eligible_students, drive_ineligibility_reasons
from tenant_apps.drives.models import DriveStudentListEntry
from tenant_apps.students.models import Student
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import make_drive, make_student, set_tiers

pytestmark = pytest.mark.django_db


def codes(college, drive, student) -> list[str]:
    with tenant_context(college):
        student = Student.all_objects.get(pk=student.pk)
        return [r["code"] for r in drive_ineligibility_reasons(drive=drive, student=student)]


def eligible_ids(college, drive) -> set[int]:
    with tenant_context(college):
        return set(drive_eligible_students(drive=drive).values_list("pk", flat=True))


def with_marks(college, student, tenth=None, twelfth=None, board="twelfth"):
    with tenant_context(college):
        Student.objects.filter(pk=student.pk).update(
            tenth_pct=tenth, twelfth_pct=twelfth, twelfth_board=board
        )
    return student


def with_drive_marks(college, drive, tenth=None, twelfth=None):
    with tenant_context(college):
        type(drive).objects.filter(pk=drive.pk).update(min_tenth_pct=tenth, min_twelfth_pct=twelfth)
        drive.refresh_from_db()
    return drive


def name_on(college, drive, student, kind: str, reason: str = "Office decision"):
    with tenant_context(college):
        return DriveStudentListEntry.objects.create(
            drive=drive, student=student, kind=kind, reason=reason
        )


# --- Marks -------------------------------------------------------------------------------------


def test_tenth_and_twelfth_minimums_refuse_lower_or_missing_marks(college):
    drive = with_drive_marks(college, make_drive(college), tenth="60", twelfth="70")
    good = with_marks(college, make_student(college), tenth="75", twelfth="70")
    low_tenth = with_marks(college, make_student(college), tenth="59.99", twelfth="90")
    diploma = with_marks(college, make_student(college), tenth="80", twelfth="65", board="diploma")
    missing = make_student(college)

    assert codes(college, drive, good) == []
    assert codes(college, drive, low_tenth) == ["min_tenth_pct"]
    assert codes(college, drive, diploma) == ["min_twelfth_pct"]
    assert codes(college, drive, missing) == ["min_tenth_pct", "min_twelfth_pct"]
    assert eligible_ids(college, drive) == {good.pk}


def test_no_minimum_accepts_every_student(college):
    drive = make_drive(college)
    missing = make_student(college)
    assert codes(college, drive, missing) == []


def test_the_reason_names_the_minimum_and_the_students_marks(college):
    drive = with_drive_marks(college, make_drive(college), tenth="60")
    student = with_marks(college, make_student(college), tenth="55")
    with tenant_context(college):
        student = Student.objects.get(pk=student.pk)
        (reason,) = drive_ineligibility_reasons(drive=drive, student=student)
    assert "60.00%" in reason["message"] and "55.00%" in reason["message"]


def test_a_students_drive_list_follows_the_marks(college):
    open_to_all = make_drive(college)
    high_bar = with_drive_marks(college, make_drive(college), twelfth="90")
    student = with_marks(college, make_student(college), twelfth="85")

    data = client_for(college, student.user).get("/api/v1/drives/").json()["data"]

    ids = {row["id"] for row in data}
    assert open_to_all.pk in ids and high_bar.pk not in ids


def test_staff_set_the_minimums_through_the_api(college, coordinator_client):
    drive = make_drive(college)
    response = coordinator_client.patch(
        f"/api/v1/drives/{drive.pk}/",
        {"min_tenth_pct": "60", "min_twelfth_pct": "65.5"},
        format="json",
    )
    bad = coordinator_client.patch(
        f"/api/v1/drives/{drive.pk}/", {"min_tenth_pct": "101"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (
        response.json()["data"]["min_tenth_pct"],
        response.json()["data"]["min_twelfth_pct"],
    ) == (
        "60.00",
        "65.50",
    )
    assert bad.status_code == 400 and "min_tenth_pct" in bad.json()["error"]["details"]


# --- Named lists -------------------------------------------------------------------------------


def test_an_included_student_meets_the_criteria_but_not_verification(college):
    drive = with_drive_marks(
        college, make_drive(college, min_cgpa="9.00", departments=["ECE"]), tenth="90"
    )
    included = make_student(college, cgpa="6.00")
    unverified = make_student(college, cgpa="6.00", verified=False)
    other = make_student(college, cgpa="6.00")
    name_on(college, drive, included, "include")
    name_on(college, drive, unverified, "include")

    assert codes(college, drive, included) == []
    assert codes(college, drive, unverified) == ["not_verified"]
    assert eligible_ids(college, drive) == {included.pk}
    assert "min_cgpa" in codes(college, drive, other)


def test_an_included_student_still_meets_the_offer_tiers(college):
    set_tiers(college, ("Regular", "0"))
    drive = make_drive(college, min_cgpa="9.00")
    placed = make_student(college, placed=True)
    name_on(college, drive, placed, "include")

    assert codes(college, drive, placed) == ["placement_policy"]


def test_an_excluded_student_is_never_eligible_and_hears_the_reason(college):
    drive = make_drive(college)
    excluded = make_student(college)
    name_on(college, drive, excluded, "exclude", reason="Already interned with the company")

    with tenant_context(college):
        (reason,) = drive_ineligibility_reasons(drive=drive, student=excluded)
    data = client_for(college, excluded.user).get("/api/v1/drives/").json()["data"]

    assert reason["code"] == "excluded"
    assert "Already interned with the company" in reason["message"]
    assert excluded.pk not in eligible_ids(college, drive)
    assert drive.pk not in {row["id"] for row in data}


def test_an_excluded_student_cannot_apply(college):
    drive = make_drive(college)
    excluded = make_student(college)
    name_on(college, drive, excluded, "exclude")

    response = client_for(college, excluded.user).post(
        "/api/v1/applications/", {"drive": drive.pk}, format="json"
    )

    # refused: the drive is not among those the student may apply to (the scope says so first)
    assert response.status_code == 400
    with tenant_context(college):
        assert not drive.applications.exists()


def test_the_student_drive_page_explains_an_exclusion(college):
    from tests.web import page_client, text_of

    drive = make_drive(college, title="Exclusive Drive")
    excluded = make_student(college)
    name_on(college, drive, excluded, "exclude", reason="Debarred this season")

    html = text_of(page_client(college, excluded.user).get("/me/drives/"))

    assert "Debarred this season" in html


# --- The lists' API ----------------------------------------------------------------------------


def list_url(drive) -> str:
    return f"/api/v1/drives/{drive.pk}/student-list/"


def test_staff_name_move_and_remove_a_student(college, coordinator_client):
    drive = make_drive(college, min_cgpa="9.50")
    student = make_student(college, cgpa="7.00")

    named = coordinator_client.post(
        list_url(drive),
        {"student": student.pk, "kind": "include", "reason": "Sports quota"},
        format="json",
    )
    assert named.status_code == 201, named.json()
    assert student.pk in eligible_ids(college, drive)

    moved = coordinator_client.post(
        list_url(drive),
        {"student": student.pk, "kind": "exclude", "reason": "Changed mind"},
        format="json",
    )
    listed = coordinator_client.get(list_url(drive)).json()["data"]
    assert moved.status_code == 201 and moved.json()["data"]["id"] == named.json()["data"]["id"]
    assert [(e["student"]["id"], e["kind"], e["reason"]) for e in listed] == [
        (student.pk, "exclude", "Changed mind")
    ]

    gone = coordinator_client.delete(f"{list_url(drive)}{named.json()['data']['id']}/")
    assert gone.status_code == 204
    assert coordinator_client.get(list_url(drive)).json()["data"] == []


def test_a_name_needs_a_reason_and_a_known_student(college, coordinator_client):
    drive = make_drive(college)
    student = make_student(college)

    no_reason = coordinator_client.post(
        list_url(drive), {"student": student.pk, "kind": "include", "reason": " "}, format="json"
    )
    unknown = coordinator_client.post(
        list_url(drive), {"student": 999999, "kind": "include", "reason": "x"}, format="json"
    )
    bad_kind = coordinator_client.post(
        list_url(drive), {"student": student.pk, "kind": "maybe", "reason": "x"}, format="json"
    )

    assert [r.status_code for r in (no_reason, unknown, bad_kind)] == [400, 400, 400]
    assert all(r.json()["error"]["code"] == "validation_error" for r in (no_reason, unknown))


def test_students_and_recruiters_cannot_see_the_lists(college):
    drive = make_drive(college)
    student = make_student(college)
    name_on(college, drive, student, "exclude")

    response = client_for(college, student.user).get(list_url(drive))

    assert response.status_code in (403, 404)


def test_each_college_has_its_own_lists(college, other_college):
    alpha_drive = make_drive(college, pk=8801)
    beta_drive = make_drive(other_college, pk=8801)
    alpha_student = make_student(college, pk=8802)
    make_student(other_college, pk=8802)
    entry = name_on(college, alpha_drive, alpha_student, "exclude", reason="Alpha's reason")
    beta = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    listed = beta.get(list_url(beta_drive)).json()["data"]
    guessed = beta.get(f"{list_url(beta_drive)}{entry.pk}/")
    deleted = beta.delete(f"{list_url(beta_drive)}{entry.pk}/")

    assert listed == []
    assert guessed.status_code == 404 and deleted.status_code == 404
    with tenant_context(college):
        assert DriveStudentListEntry.objects.filter(pk=entry.pk).exists()
    with tenant_context(other_college):
        assert not DriveStudentListEntry.objects.exists()


def test_the_list_costs_the_same_queries_for_1_or_20_names(college, coordinator_client):
    drive = make_drive(college)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(list_url(drive)).status_code == 200
        return len(queries)

    name_on(college, drive, make_student(college), "include")
    count()
    first = count()
    for _ in range(19):
        name_on(college, drive, make_student(college), "exclude")
    assert count() == first
