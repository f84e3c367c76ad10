"""Recommendations: a drive's eligible students ranked by skill match, CGPA and availability
(with the parts of each score), a student's recommended drives; roles, isolation, plan feature
and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from shared_apps.billing.models import Plan
from tenant_apps.students.models import Student
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_skill,
    make_student,
)


def recommendations_url(drive) -> str:
    return f"/api/v1/drives/{drive.pk}/recommendations/"


RECOMMENDED_DRIVES = "/api/v1/students/me/recommended-drives/"


@pytest.fixture
def ranked(college):
    """The hand-computed example. The drive weighs Python 8 and Go 2 (total 10), needs a CGPA
    of 7; score = 0.6 skill_match + 0.3 cgpa/10 + 0.1 availability."""
    python, go, sql = (make_skill(college, name) for name in ("Python", "Go", "SQL"))
    drive = make_drive(college, min_cgpa="7", skills={python: 8, go: 2})
    others = [make_drive(college) for _ in range(5)]

    def student(name, cgpa, skills=None, *, open_applications=0, placed=False):
        made = make_student(college, first_name=name, cgpa=cgpa, skills=skills, placed=placed)
        for other in others[:open_applications]:
            make_application(college, made, other)
        return made

    students = {
        # (8*9 + 2*5) / 100 = 0.82 -> 0.492 + 0.24 + 0.1 = 0.832
        "A": student("A", "8.00", {python: 9, go: 5}),
        # 48 / 100 = 0.48 -> 0.288 + 0.285 + 0.1 = 0.673
        "B": student("B", "9.50", {python: 6}),
        # 1.0, but 5 open applications elsewhere: not available -> 0.6 + 0.21 + 0 = 0.81
        "C": student("C", "7.00", {python: 10, go: 10, sql: 3}, open_applications=5),
        # no skills -> 0 + 0.27 + 0.1 = 0.37
        "D": student("D", "9.00"),
        # below the drive's CGPA: not eligible, not ranked
        "E": student("E", "6.50", {python: 10, go: 10}),
        # placed: not available -> 0.492 + 0.24 + 0 = 0.732
        "F": student("F", "8.00", {python: 9, go: 5}, placed=True),
        # 4 open applications is still available -> 0 + 0.21 + 0.1 = 0.31
        "G": student("G", "7.00", open_applications=4),
    }
    # an application to this very drive does not make C or G less available
    make_application(college, students["G"], drive)
    return drive, students


def test_recommendations_rank_eligible_students_by_the_documented_score(
    college, coordinator_client, ranked
):
    drive, students = ranked

    response = coordinator_client.get(recommendations_url(drive))

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert [row["student"]["first_name"] for row in data] == ["A", "C", "F", "B", "D", "G"]
    assert [row["score"] for row in data] == [0.832, 0.81, 0.732, 0.673, 0.37, 0.31]
    assert data[0]["parts"] == {"skill_match": 0.82, "cgpa": 0.8, "availability": 1.0}
    assert data[1]["parts"] == {"skill_match": 1.0, "cgpa": 0.7, "availability": 0.0}
    assert data[2]["parts"] == {"skill_match": 0.82, "cgpa": 0.8, "availability": 0.0}
    assert data[3]["parts"] == {"skill_match": 0.48, "cgpa": 0.95, "availability": 1.0}
    assert data[0]["student"]["id"] == students["A"].pk
    assert {s["name"] for s in data[0]["student"]["skills"]} == {"Python", "Go"}
    assert response.json()["pagination"]["total"] == 6


def test_recommendations_page_filter_and_search(college, coordinator_client, ranked):
    drive, students = ranked

    second_page = coordinator_client.get(recommendations_url(drive), {"page_size": 2, "page": 2})
    searched = coordinator_client.get(
        recommendations_url(drive), {"search": students["B"].roll_number}
    )
    filtered = coordinator_client.get(recommendations_url(drive), {"cgpa_min": "9"})
    bad_page = coordinator_client.get(recommendations_url(drive), {"page": "x"})

    assert [r["student"]["first_name"] for r in second_page.json()["data"]] == ["F", "B"]
    assert [r["student"]["first_name"] for r in searched.json()["data"]] == ["B"]
    assert [r["student"]["first_name"] for r in filtered.json()["data"]] == ["B", "D"]
    assert bad_page.status_code == 400
    assert bad_page.json()["error"]["code"] == "validation_error"


def test_a_drive_without_skills_ranks_by_cgpa_and_availability(college, coordinator_client):
    drive = make_drive(college)
    make_student(college, first_name="Low", cgpa="6.00")
    make_student(college, first_name="High", cgpa="9.00")

    data = coordinator_client.get(recommendations_url(drive)).json()["data"]

    assert [(r["student"]["first_name"], r["score"]) for r in data] == [
        ("High", 0.37),
        ("Low", 0.28),
    ]
    assert all(r["parts"]["skill_match"] == 0.0 for r in data)


def test_only_staff_see_recommendations_and_other_rows_are_not_found(
    college, other_college, coordinator_client
):
    company = make_company(college)
    drive = make_drive(college, company)
    draft = make_drive(college, status="draft")
    recruiter = client_for(college, make_recruiter(college, company))
    stranger = client_for(college, make_recruiter(college, make_company(college)))
    student_client = client_for(college, make_student(college).user)
    beta_drive = make_drive(other_college, pk=drive.pk + 1000)

    assert student_client.get(recommendations_url(drive)).status_code == 403
    assert recruiter.get(recommendations_url(drive)).status_code == 403
    assert stranger.get(recommendations_url(drive)).status_code == 404
    assert student_client.get(recommendations_url(draft)).status_code == 404
    assert coordinator_client.get(recommendations_url(beta_drive)).status_code == 404
    assert coordinator_client.get("/api/v1/drives/99999999/recommendations/").status_code == 404
    assert client_for(college).get(recommendations_url(drive)).status_code == 401


def test_recommendations_need_a_plan_with_the_feature(college, coordinator_client):
    drive = make_drive(college)
    college.plan = Plan.objects.create(
        code="no-recommendations", name="Basic", is_public=False, limits={}, features={}
    )
    college.save()

    response = coordinator_client.get(recommendations_url(drive))

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "plan_limit_reached"
    assert response.json()["error"]["details"]["feature"] == "recommendations"


def test_other_colleges_students_are_never_recommended(college, other_college, coordinator_client):
    python = make_skill(college, "Python")
    drive = make_drive(college, skills={python: 5})
    mine = make_student(college)
    make_student(other_college, pk=mine.pk + 1000)

    data = coordinator_client.get(recommendations_url(drive)).json()["data"]

    assert [r["student"]["id"] for r in data] == [mine.pk]


def test_the_recommendation_list_costs_the_same_queries_for_1_or_100_rows(
    college, coordinator_client
):
    python, go = make_skill(college, "Python"), make_skill(college, "Go")
    drive = make_drive(college, skills={python: 5, go: 3})

    def count_for(n: int) -> int:
        with tenant_context(college):
            Student.all_objects.hard_delete()
        for i in range(n):
            make_student(college, skills={python: 1 + i % 10, go: 5})
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(recommendations_url(drive), {"page_size": 100})
        assert len(response.json()["data"]) == n
        return len(queries)

    coordinator_client.get("/healthz")
    count_for(1)  # warms the cached college settings the eligibility rules read
    assert count_for(1) == count_for(100)


# --- A student's recommended drives ---------------------------------------------------------------


def test_a_student_gets_open_eligible_drives_by_skill_match(college):
    python, go = make_skill(college, "Python"), make_skill(college, "Go")
    me = make_student(college, cgpa="8.00", skills={python: 9, go: 5})
    best = make_drive(college, title="Best", skills={python: 8, go: 2})  # 0.82
    go_only = make_drive(college, title="Go only", skills={go: 10})  # 0.5
    no_skills = make_drive(college, title="No skills")  # 0
    applied = make_drive(college, title="Applied", skills={python: 10})
    make_application(college, me, applied)
    make_drive(college, title="Closed", status="closed", skills={python: 10})
    make_drive(college, title="Too hard", min_cgpa="9.5", skills={python: 10})
    client = client_for(college, me.user)

    response = client.get(RECOMMENDED_DRIVES)

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert [(r["drive"]["id"], r["skill_match"]) for r in data] == [
        (best.pk, 0.82),
        (go_only.pk, 0.5),
        (no_skills.pk, 0.0),
    ]
    assert data[0]["drive"]["skills"][0]["name"] == "Python"


def test_recommended_drives_are_for_students_with_a_profile(
    college, other_college, coordinator_client
):
    make_drive(college)
    make_drive(other_college)
    without_profile = client_for(college, make_user(college, Role.STUDENT, "new@alpha.edu"))

    assert coordinator_client.get(RECOMMENDED_DRIVES).status_code == 403
    assert without_profile.get(RECOMMENDED_DRIVES).json()["data"] == []


def test_the_recommended_drive_list_costs_the_same_queries_for_1_or_50_rows(college):
    python = make_skill(college, "Python")
    me = make_student(college, skills={python: 7})
    client = client_for(college, me.user)

    def count_for(n: int) -> int:
        for _ in range(n):
            make_drive(college, skills={python: 4})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(RECOMMENDED_DRIVES, {"page_size": 100})
        assert len(response.json()["data"]) >= n
        return len(queries)

    client.get("/healthz")
    count_for(1)
    assert count_for(1) == count_for(50)
