"""Drives: staff manage them (criteria, skills, ordered rounds, status), students see the open
drives they are eligible for, recruiters their company's; eligible students for staff; isolation
and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.drives.models import Drive, DriveRound, DriveSkill
from tenant_apps.students.models import Student
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_recruiter,
    make_skill,
    make_student,
    refreshed,
)

DRIVES = "/api/v1/drives/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["data"]]


def drive_body(company, **overrides) -> dict:
    return {
        "company": company.pk,
        "title": "Graduate Engineer",
        "description": "Backend services.",
        "job_type": "full_time",
        "ctc": "1200000.00",
        "location": "Bengaluru",
        "min_cgpa": "7.00",
        "max_backlogs": 0,
        "departments": ["cse", " ECE "],
        "graduation_years": [2027, 2026, 2027],
        "apply_by": (timezone.now() + timedelta(days=10)).isoformat(),
        "rounds": [{"kind": "aptitude"}, {"kind": "technical", "name": "DSA"}, {"kind": "hr"}],
        **overrides,
    }


# --- Staff manage drives -------------------------------------------------------------------------


def test_staff_create_a_drive_with_criteria_skills_and_ordered_rounds(college, coordinator_client):
    company = make_company(college, "Acme")
    python, go = make_skill(college, "Python"), make_skill(college, "Go")

    response = coordinator_client.post(
        DRIVES,
        drive_body(
            company,
            skills=[{"skill": go.pk, "weight": 3}, {"skill": python.pk, "weight": 8}],
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["company"] == {"id": company.pk, "name": "Acme"}
    assert data["status"] == "draft"
    assert data["departments"] == ["CSE", "ECE"]
    assert data["graduation_years"] == [2026, 2027]
    assert (data["ctc"], data["min_cgpa"], data["max_backlogs"]) == ("1200000.00", "7.00", 0)
    assert data["skills"] == [
        {"skill": python.pk, "name": "Python", "weight": 8},
        {"skill": go.pk, "name": "Go", "weight": 3},
    ]
    assert [(r["sequence"], r["kind"], r["name"]) for r in data["rounds"]] == [
        (1, "aptitude", ""),
        (2, "technical", "DSA"),
        (3, "hr", ""),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("job_type", "freelance"),
        ("ctc", "-1"),
        ("min_cgpa", "10.5"),
        ("max_backlogs", -1),
        ("rounds", [{"kind": "karaoke"}]),
        ("skills", [{"skill": 999999, "weight": 5}]),
        ("status", "archived"),
    ],
)
def test_drive_fields_are_validated(college, coordinator_client, field, value):
    response = coordinator_client.post(
        DRIVES, drive_body(make_company(college), **{field: value}), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


@pytest.mark.parametrize(
    ("start", "target"),
    [("draft", "open"), ("open", "closed"), ("closed", "open"), ("closed", "completed")],
)
def test_allowed_status_changes(college, coordinator_client, start, target):
    drive = make_drive(college, status=start)

    response = coordinator_client.patch(f"{DRIVES}{drive.pk}/", {"status": target}, format="json")

    assert response.status_code == 200, response.json()
    assert refreshed(college, drive).status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("draft", "closed"),
        ("draft", "completed"),
        ("open", "draft"),
        ("open", "completed"),
        ("closed", "draft"),
        ("completed", "open"),
        ("completed", "draft"),
    ],
)
def test_refused_status_changes(college, coordinator_client, start, target):
    drive = make_drive(college, status=start)

    response = coordinator_client.patch(f"{DRIVES}{drive.pk}/", {"status": target}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"
    assert refreshed(college, drive).status == start


def test_a_drive_opens_only_with_a_future_deadline(college, coordinator_client):
    drive = make_drive(college, status="draft", apply_by=timezone.now() - timedelta(hours=1))

    response = coordinator_client.patch(f"{DRIVES}{drive.pk}/", {"status": "open"}, format="json")

    assert response.status_code == 400
    assert "apply_by" in response.json()["error"]["details"]


def test_rounds_keep_their_ids_and_those_with_interviews_stay(college, coordinator_client):
    # given a drive whose first round has an interview
    drive = make_drive(college, rounds=("aptitude", "technical"))
    student = make_student(college)
    make_interview(college, make_application(college, student, drive, "shortlisted"))
    with tenant_context(college):
        aptitude, technical = DriveRound.objects.filter(drive=drive).order_by("sequence")

    # when the rounds are reordered, one dropped and one added
    changed = coordinator_client.patch(
        f"{DRIVES}{drive.pk}/",
        {"rounds": [{"kind": "group_discussion"}, {"id": aptitude.pk, "kind": "aptitude"}]},
        format="json",
    )
    # and then the round with the interview is dropped
    refused = coordinator_client.patch(
        f"{DRIVES}{drive.pk}/", {"rounds": [{"kind": "hr"}]}, format="json"
    )

    # then
    assert changed.status_code == 200, changed.json()
    rounds = changed.json()["data"]["rounds"]
    assert [(r["sequence"], r["kind"]) for r in rounds] == [
        (1, "group_discussion"),
        (2, "aptitude"),
    ]
    assert rounds[1]["id"] == aptitude.pk
    with tenant_context(college):
        assert not DriveRound.objects.filter(pk=technical.pk).exists()
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    with tenant_context(college):
        assert DriveRound.objects.filter(pk=aptitude.pk).exists()


def test_skills_are_replaced(college, coordinator_client):
    python, go = make_skill(college, "Python"), make_skill(college, "Go")
    drive = make_drive(college, skills={python: 5})

    response = coordinator_client.patch(
        f"{DRIVES}{drive.pk}/", {"skills": [{"skill": go.pk, "weight": 2}]}, format="json"
    )

    assert response.json()["data"]["skills"] == [{"skill": go.pk, "name": "Go", "weight": 2}]
    with tenant_context(college):
        assert list(DriveSkill.objects.filter(drive=drive).values_list("skill", flat=True)) == [
            go.pk
        ]


def test_only_staff_write_drives(college, student_client):
    company = make_company(college)
    recruiter = client_for(college, make_recruiter(college, company))
    drive = make_drive(college, company)

    assert student_client.post(DRIVES, drive_body(company), format="json").status_code == 403
    assert recruiter.post(DRIVES, drive_body(company), format="json").status_code == 403
    assert recruiter.patch(f"{DRIVES}{drive.pk}/", {"title": "x"}, format="json").status_code == (
        403
    )


# --- Who sees which drives ---------------------------------------------------------------------


def test_a_student_sees_the_open_drives_they_are_eligible_for_and_those_applied_to(college):
    # given
    student = make_student(college, cgpa="7.00", department="CSE")
    eligible = make_drive(college, min_cgpa="6")
    too_demanding = make_drive(college, min_cgpa="8")
    other_department = make_drive(college, departments=["ECE"])
    draft = make_drive(college, status="draft")
    past_deadline = make_drive(college, apply_by=timezone.now() - timedelta(minutes=1))
    closed_but_applied = make_drive(college, status="closed")
    make_application(college, student, closed_but_applied)
    client = client_for(college, student.user)

    # when / then
    assert sorted(ids(client.get(DRIVES))) == sorted([eligible.pk, closed_but_applied.pk])
    for hidden in (too_demanding, other_department, draft, past_deadline):
        assert client.get(f"{DRIVES}{hidden.pk}/").status_code == 404
    assert client.get(f"{DRIVES}{eligible.pk}/").status_code == 200


def test_an_unverified_student_or_one_without_a_profile_sees_no_open_drive(college):
    make_drive(college)
    unverified = make_student(college, verified=False)
    no_profile = make_user(college, Role.STUDENT, "bare@alpha.example.edu")

    assert ids(client_for(college, unverified.user).get(DRIVES)) == []
    assert ids(client_for(college, no_profile).get(DRIVES)) == []


def test_a_recruiter_sees_only_their_companys_drives(college):
    ours, theirs = make_company(college), make_company(college)
    our_drive, our_draft = make_drive(college, ours), make_drive(college, ours, status="draft")
    their_drive = make_drive(college, theirs)
    client = client_for(college, make_recruiter(college, ours))

    assert sorted(ids(client.get(DRIVES))) == sorted([our_drive.pk, our_draft.pk])
    assert client.get(f"{DRIVES}{their_drive.pk}/").status_code == 404
    assert client.patch(
        f"{DRIVES}{their_drive.pk}/", {"title": "x"}, format="json"
    ).status_code == (404)


# --- Eligible students -------------------------------------------------------------------------


def eligible_url(drive) -> str:
    return f"{DRIVES}{drive.pk}/eligible-students/"


def test_staff_list_a_drives_eligible_students_with_filters(college, coordinator_client):
    # given
    drive = make_drive(college, min_cgpa="7", departments=["CSE", "ECE"])
    a = make_student(college, roll_number="A1", cgpa="9.00", department="CSE")
    b = make_student(college, roll_number="A2", cgpa="7.00", department="ECE")
    make_student(college, roll_number="A3", cgpa="6.99", department="CSE")
    make_student(college, roll_number="A4", cgpa="9.00", department="MECH")
    make_student(college, roll_number="A5", cgpa="9.00", department="CSE", verified=False)
    make_application(college, a, drive)

    # when / then
    assert ids(coordinator_client.get(eligible_url(drive))) == [a.pk, b.pk]
    assert ids(coordinator_client.get(eligible_url(drive), {"department": "ece"})) == [b.pk]
    assert ids(coordinator_client.get(eligible_url(drive), {"applied": "false"})) == [b.pk]
    assert ids(coordinator_client.get(eligible_url(drive), {"applied": "true"})) == [a.pk]
    assert ids(coordinator_client.get(eligible_url(drive), {"ordering": "cgpa"})) == [b.pk, a.pk]
    assert ids(coordinator_client.get(eligible_url(drive), {"search": "A2"})) == [b.pk]
    first = coordinator_client.get(eligible_url(drive)).json()
    assert first["pagination"]["total"] == 2
    assert first["data"][0]["roll_number"] == "A1"


def test_eligible_students_are_for_staff_only(college):
    company = make_company(college)
    drive = make_drive(college, company)
    other_drive = make_drive(college)
    recruiter = client_for(college, make_recruiter(college, company))
    student = client_for(college, make_student(college).user)

    assert recruiter.get(eligible_url(drive)).status_code == 403
    assert recruiter.get(eligible_url(other_drive)).status_code == 404
    assert student.get(eligible_url(drive)).status_code == 403  # a drive the student sees
    assert student.get(eligible_url(make_drive(college, status="draft"))).status_code == 404


# --- Isolation ---------------------------------------------------------------------------------


def test_a_college_can_neither_read_change_nor_guess_another_colleges_drives(
    college, other_college, coordinator_client
):
    # given a drive in each college under the same id, and one only the other college has
    ours = make_drive(college, make_company(college, pk=900), title="Ours", pk=4000)
    make_drive(other_college, make_company(other_college, pk=900), title="Theirs", pk=4000)
    only_theirs = make_drive(other_college, title="Secret", pk=4100)
    theirs_staff = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    # when college A's staff go through the API
    listing = coordinator_client.get(DRIVES).json()["data"]
    guess = coordinator_client.get(f"{DRIVES}{only_theirs.pk}/")
    change = coordinator_client.patch(f"{DRIVES}{only_theirs.pk}/", {"title": "x"}, format="json")
    delete = coordinator_client.delete(f"{DRIVES}{only_theirs.pk}/")
    eligible = coordinator_client.get(eligible_url(only_theirs))
    search = coordinator_client.get(DRIVES, {"search": "Secret"}).json()["data"]

    # then
    assert [row["title"] for row in listing] == ["Ours"]
    assert coordinator_client.get(f"{DRIVES}{ours.pk}/").json()["data"]["title"] == "Ours"
    assert theirs_staff.get(f"{DRIVES}{ours.pk}/").json()["data"]["title"] == "Theirs"
    assert guess.status_code == change.status_code == delete.status_code == 404
    assert eligible.status_code == 404
    assert search == []
    assert refreshed(other_college, only_theirs).title == "Secret"


# --- Soft delete, filters ---------------------------------------------------------------------


def test_deleting_a_drive_is_soft_and_restorable(college, admin_client):
    drive = make_drive(college)

    assert admin_client.delete(f"{DRIVES}{drive.pk}/").status_code == 204
    assert ids(admin_client.get(DRIVES)) == []
    assert ids(admin_client.get(DRIVES, {"deleted": "only"})) == [drive.pk]
    assert admin_client.post(f"{DRIVES}{drive.pk}/restore/").status_code == 200
    assert ids(admin_client.get(DRIVES)) == [drive.pk]


def test_drives_filter_search_and_order(college, coordinator_client):
    acme, zeta = make_company(college, "Acme"), make_company(college, "Zeta")
    a = make_drive(college, acme, title="Backend", ctc="900000", departments=["CSE"])
    b = make_drive(college, acme, title="Intern", ctc="300000", job_type="internship")
    c = make_drive(college, zeta, title="Analyst", ctc="1500000", status="closed")

    assert ids(coordinator_client.get(DRIVES, {"company": acme.pk, "ordering": "ctc"})) == [
        b.pk,
        a.pk,
    ]
    assert ids(coordinator_client.get(DRIVES, {"status": "closed"})) == [c.pk]
    assert ids(coordinator_client.get(DRIVES, {"job_type": "internship"})) == [b.pk]
    assert ids(coordinator_client.get(DRIVES, {"ctc_min": "1000000"})) == [c.pk]
    assert sorted(ids(coordinator_client.get(DRIVES, {"department": "ece"}))) == sorted(
        [b.pk, c.pk]
    )
    assert ids(coordinator_client.get(DRIVES, {"search": "zeta"})) == [c.pk]
    assert ids(coordinator_client.get(DRIVES, {"ordering": "-ctc"})) == [c.pk, a.pk, b.pk]


# --- Query counts -----------------------------------------------------------------------------


def _reset(college) -> None:
    with tenant_context(college):
        from tenant_apps.applications.models import Application

        Application.all_objects.hard_delete()
        DriveSkill.all_objects.hard_delete()
        DriveRound.all_objects.hard_delete()
        Drive.all_objects.hard_delete()


@pytest.mark.parametrize("role", ["coordinator", "student", "recruiter"])
def test_the_drive_list_costs_the_same_queries_for_1_or_100_rows(college, role):
    company = make_company(college)
    skills = [make_skill(college) for _ in range(2)]
    user = {
        "coordinator": lambda: make_user(college, Role.COORDINATOR),
        "student": lambda: make_student(college).user,
        "recruiter": lambda: make_recruiter(college, company),
    }[role]()
    client = client_for(college, user)

    def count_for(n: int) -> int:
        _reset(college)
        for _ in range(n):
            make_drive(college, company, skills=dict.fromkeys(skills, 3))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DRIVES, {"page_size": 100})
        assert len(response.json()["data"]) == n
        assert all(len(row["rounds"]) == 3 for row in response.json()["data"])
        return len(queries)

    client.get("/healthz")
    count_for(1)  # warms the cached college settings the eligibility rules read
    assert count_for(1) == count_for(100)


def test_the_eligible_student_list_costs_the_same_queries_for_1_or_100_rows(
    college, coordinator_client
):
    drive = make_drive(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Student.all_objects.hard_delete()
        for _ in range(n):
            make_student(college)
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(eligible_url(drive), {"page_size": 100})
        assert len(response.json()["data"]) == n
        return len(queries)

    coordinator_client.get("/healthz")
    count_for(1)  # warms the cached college settings the eligibility rules read
    assert count_for(1) == count_for(100)


# --- Plan limits ------------------------------------------------------------------------------


def test_opening_drives_stops_at_the_plans_limit(college, tiny_plan, coordinator_client):
    make_drive(college, status="open")  # 1 of 1
    draft = make_drive(college, status="draft")
    company = make_company(college)

    opened = coordinator_client.patch(f"{DRIVES}{draft.pk}/", {"status": "open"}, format="json")
    created_open = coordinator_client.post(
        DRIVES, drive_body(company, status="open"), format="json"
    )
    created_draft = coordinator_client.post(DRIVES, drive_body(company), format="json")

    assert opened.status_code == created_open.status_code == 402
    assert opened.json()["error"]["code"] == "plan_limit_reached"
    assert refreshed(college, draft).status == "draft"
    assert created_draft.status_code == 201
