"""Application and offer lists: who sees which rows, two-college isolation, filters, soft delete
and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Application, Offer
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_recruiter,
    make_student,
    refreshed,
)

APPLICATIONS = "/api/v1/applications/"
OFFERS = "/api/v1/offers/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["data"])


def test_each_role_lists_its_own_rows(college, coordinator_client):
    # given applications of two students to two companies' drives
    ours, theirs = make_company(college), make_company(college)
    me, other = make_student(college), make_student(college)
    mine_ours = make_application(college, me, make_drive(college, ours))
    mine_theirs = make_application(college, me, make_drive(college, theirs))
    other_ours = make_application(college, other, make_drive(college, ours))
    recruiter = client_for(college, make_recruiter(college, ours))
    student = client_for(college, me.user)

    # then staff see all, the recruiter their company's, the student their own
    assert ids(coordinator_client.get(APPLICATIONS)) == sorted(
        [mine_ours.pk, mine_theirs.pk, other_ours.pk]
    )
    assert ids(recruiter.get(APPLICATIONS)) == sorted([mine_ours.pk, other_ours.pk])
    assert ids(student.get(APPLICATIONS)) == sorted([mine_ours.pk, mine_theirs.pk])
    assert student.get(f"{APPLICATIONS}{other_ours.pk}/").status_code == 404
    assert recruiter.get(f"{APPLICATIONS}{mine_theirs.pk}/").status_code == 404


def test_an_application_shows_its_timeline(college, coordinator, coordinator_client):
    student = make_student(college)
    application = make_application(college, student, make_drive(college))
    for status in ("shortlisted", "in_process"):
        coordinator_client.post(
            f"{APPLICATIONS}{application.pk}/move/", {"status": status}, format="json"
        )

    data = coordinator_client.get(f"{APPLICATIONS}{application.pk}/").json()["data"]

    assert [(s["status"], s["by"]) for s in data["timeline"]] == [
        ("applied", None),
        ("shortlisted", coordinator.pk),
        ("in_process", coordinator.pk),
    ]
    assert data["status_changed_at"] == data["timeline"][-1]["at"]


def test_applications_filter_search_and_order(college, coordinator_client):
    acme = make_company(college, "Acme")
    backend = make_drive(college, acme, title="Backend")
    analyst = make_drive(college, title="Analyst")
    a = make_application(
        college, make_student(college, roll_number="X1", department="CSE"), backend, "shortlisted"
    )
    b = make_application(
        college, make_student(college, roll_number="X2", department="ECE"), backend
    )
    c = make_application(
        college, make_student(college, roll_number="Y1", last_name="Zubair"), analyst, "rejected"
    )

    def listed(**params) -> list[int]:
        response = coordinator_client.get(APPLICATIONS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["data"]]

    assert sorted(listed(drive=backend.pk)) == sorted([a.pk, b.pk])
    assert listed(status="rejected") == [c.pk]
    assert sorted(listed(status=["rejected", "shortlisted"])) == sorted([a.pk, c.pk])
    assert sorted(listed(company=acme.pk)) == sorted([a.pk, b.pk])
    assert listed(department="ece") == [b.pk]
    assert listed(search="zubair") == [c.pk]
    assert listed(search="analyst") == [c.pk]
    assert listed(ordering="id") == [a.pk, b.pk, c.pk]
    assert listed() == [c.pk, b.pk, a.pk]  # newest first


def test_deleting_an_application_is_soft_and_restorable(college, admin_client):
    student = make_student(college, placed=True)
    application = make_application(college, student, make_drive(college), "accepted")
    offer = make_offer(college, application)
    with tenant_context(college):
        Offer.objects.filter(pk=offer.pk).update(status="accepted")

    assert admin_client.delete(f"{APPLICATIONS}{application.pk}/").status_code == 204
    assert ids(admin_client.get(APPLICATIONS)) == []
    assert refreshed(college, student).placement_status == "unplaced"
    assert ids(admin_client.get(APPLICATIONS, {"deleted": "only"})) == [application.pk]
    assert admin_client.post(f"{APPLICATIONS}{application.pk}/restore/").status_code == 200
    assert refreshed(college, student).placement_status == "placed"


def test_a_college_can_neither_read_change_nor_guess_another_colleges_applications(
    college, other_college, coordinator_client
):
    # given applications and offers under the same ids in both colleges, and one only there
    ours = make_application(
        college, make_student(college, roll_number="OURS"), make_drive(college), "offered", pk=3000
    )
    theirs = make_application(
        other_college,
        make_student(other_college, roll_number="THEIRS"),
        make_drive(other_college),
        "offered",
        pk=3000,
    )
    make_offer(college, ours, pk=3000)
    make_offer(other_college, theirs, pk=3000)
    only_theirs = make_application(
        other_college, make_student(other_college, roll_number="SECRET"), make_drive(other_college),
        pk=3100,
    )  # fmt: skip
    secret_offer = make_offer(
        other_college,
        make_application(other_college, make_student(other_college), make_drive(other_college),
                         "offered"),
        pk=3100,
    )  # fmt: skip
    theirs_staff = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    # when college A's staff go through the API
    listing = coordinator_client.get(APPLICATIONS).json()["data"]
    same_id = coordinator_client.get(f"{APPLICATIONS}3000/").json()["data"]
    guess = coordinator_client.get(f"{APPLICATIONS}{only_theirs.pk}/")
    moved = coordinator_client.post(
        f"{APPLICATIONS}{only_theirs.pk}/move/", {"status": "shortlisted"}, format="json"
    )
    bulk = coordinator_client.post(
        f"{APPLICATIONS}bulk-move/",
        {"applications": [only_theirs.pk], "status": "shortlisted"},
        format="json",
    )
    deleted = coordinator_client.delete(f"{APPLICATIONS}{only_theirs.pk}/")
    offers = coordinator_client.get(OFFERS).json()["data"]
    offer_guess = coordinator_client.get(f"{OFFERS}{secret_offer.pk}/")
    search = coordinator_client.get(APPLICATIONS, {"search": "SECRET"}).json()["data"]

    # then A sees and touches only its own rows
    assert [row["student"]["roll_number"] for row in listing] == ["OURS"]
    assert same_id["student"]["roll_number"] == "OURS"
    assert theirs_staff.get(f"{APPLICATIONS}3000/").json()["data"]["student"]["roll_number"] == (
        "THEIRS"
    )
    assert guess.status_code == moved.status_code == deleted.status_code == 404
    assert bulk.status_code == 400
    assert [row["id"] for row in offers] == [3000]
    assert offers[0]["student"]["roll_number"] == "OURS"
    assert offer_guess.status_code == 404
    assert search == []
    stored = refreshed(other_college, only_theirs)
    assert (stored.status, stored.deleted_at) == ("applied", None)


# --- Query counts -----------------------------------------------------------------------------


def _reset(college) -> None:
    with tenant_context(college):
        Offer.all_objects.hard_delete()
        Application.all_objects.hard_delete()


@pytest.mark.parametrize("role", ["coordinator", "recruiter", "student"])
@pytest.mark.parametrize("resource", ["applications", "offers"])
def test_lists_cost_the_same_queries_for_1_or_100_rows(college, role, resource):
    company = make_company(college)
    drives = [make_drive(college, company) for _ in range(100)]
    student = make_student(college)
    user = {
        "coordinator": lambda: make_user(college, Role.COORDINATOR),
        "recruiter": lambda: make_recruiter(college, company),
        "student": lambda: student.user,
    }[role]()
    client = client_for(college, user)

    def count_for(n: int) -> int:
        _reset(college)
        for drive in drives[:n]:
            make_offer(college, make_application(college, student, drive, "offered"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/{resource}/", {"page_size": 100})
        assert len(response.json()["data"]) == n
        return len(queries)

    client.get("/healthz")
    assert count_for(1) == count_for(100)
