"""The application state machine: every allowed move (stamped with when and who), every refused
one, who may make which move, and bulk moves that are all or nothing."""

import itertools

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import (
    MOVER_TARGETS,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    OfferStatus,
)
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
STATUSES = [status.value for status in ApplicationStatus]
ALLOWED = [(start, target) for start, targets in TRANSITIONS.items() for target in targets]
REFUSED = [
    (start, target)
    for start, target in itertools.product(STATUSES, STATUSES)
    if target not in TRANSITIONS.get(start, ())
]


def move(client, application, status, note=""):
    return client.post(
        f"{APPLICATIONS}{application.pk}/move/", {"status": status, "note": note}, format="json"
    )


@pytest.fixture
def company(college):
    return make_company(college)


@pytest.fixture
def drive(college, company):
    return make_drive(college, company)


@pytest.fixture
def recruiter_client(college, company):
    return client_for(college, make_recruiter(college, company))


@pytest.mark.parametrize(("start", "target"), [(s, t) for s, t in ALLOWED if t in MOVER_TARGETS])
@pytest.mark.parametrize("mover", ["coordinator", "recruiter"])
def test_staff_and_the_drives_recruiter_make_the_forward_moves_and_reject(
    college, drive, company, start, target, mover
):
    # given
    user = (
        make_user(college, Role.COORDINATOR)
        if mover == "coordinator"
        else make_recruiter(college, company)
    )
    application = make_application(college, make_student(college), drive, start)

    # when
    response = move(client_for(college, user), application, target, note="Good aptitude")

    # then the move is made and stamped with its time and author
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["status"] == target and data["note"] == "Good aptitude"
    assert data["timeline"][-1]["status"] == target
    assert data["timeline"][-1]["by"] == user.pk
    stored = refreshed(college, application)
    assert stored.status == target
    assert getattr(stored, f"{target}_at") == stored.status_changed_at
    assert getattr(stored, f"{target}_by_id") == user.pk


@pytest.mark.parametrize("start", [s for s, t in ALLOWED if t == "withdrawn"])
def test_the_student_withdraws_from_any_open_status(college, drive, start):
    student = make_student(college)
    application = make_application(college, student, drive, start)

    response = client_for(college, student.user).post(f"{APPLICATIONS}{application.pk}/withdraw/")

    assert response.status_code == 200, response.json()
    stored = refreshed(college, application)
    assert (stored.status, stored.withdrawn_by_id) == ("withdrawn", student.user.pk)


def test_withdrawing_an_offered_application_withdraws_its_pending_offer(college, drive):
    student = make_student(college)
    application = make_application(college, student, drive, "offered")
    offer = make_offer(college, application)

    response = client_for(college, student.user).post(f"{APPLICATIONS}{application.pk}/withdraw/")

    assert response.status_code == 200
    assert refreshed(college, offer).status == OfferStatus.WITHDRAWN


def test_rejecting_an_offered_application_withdraws_its_pending_offer(
    college, drive, coordinator_client
):
    application = make_application(college, make_student(college), drive, "offered")
    offer = make_offer(college, application)

    assert move(coordinator_client, application, "rejected").status_code == 200
    assert refreshed(college, offer).status == OfferStatus.WITHDRAWN


@pytest.mark.parametrize(("start", "target"), REFUSED)
def test_every_other_move_is_an_invalid_transition(
    college, drive, coordinator_client, start, target
):
    application = make_application(college, make_student(college), drive, start)

    response = move(coordinator_client, application, target)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"
    assert refreshed(college, application).status == start


@pytest.mark.parametrize("target", ["withdrawn", "accepted", "declined"])
def test_staff_cannot_make_the_students_or_the_offers_moves(
    college, drive, coordinator_client, target
):
    application = make_application(college, make_student(college), drive, "offered")

    response = move(coordinator_client, application, target)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"
    assert refreshed(college, application).status == "offered"


def test_roles_reaching_outside_their_rows_get_404(college, drive, coordinator_client):
    # given an application, another company's recruiter and another student
    student = make_student(college)
    application = make_application(college, student, drive)
    other_recruiter = client_for(college, make_recruiter(college, make_company(college)))
    other_student = client_for(college, make_student(college).user)
    owner = client_for(college, student.user)

    # then
    assert move(other_recruiter, application, "shortlisted").status_code == 404
    assert other_recruiter.get(f"{APPLICATIONS}{application.pk}/").status_code == 404
    assert other_student.post(f"{APPLICATIONS}{application.pk}/withdraw/").status_code == 404
    assert other_student.get(f"{APPLICATIONS}{application.pk}/").status_code == 404
    # and their own rows with another role's action are refused
    assert move(owner, application, "shortlisted").status_code == 403
    assert coordinator_client.post(f"{APPLICATIONS}{application.pk}/withdraw/").status_code == 403
    assert refreshed(college, application).status == "applied"


# --- Bulk moves --------------------------------------------------------------------------------


def bulk(client, applications, status, note=""):
    return client.post(
        f"{APPLICATIONS}bulk-move/",
        {"applications": [a.pk for a in applications], "status": status, "note": note},
        format="json",
    )


def test_staff_shortlist_200_applicants_in_one_request(
    college, drive, coordinator, coordinator_client
):
    # given 200 applicants
    with tenant_context(college):
        students = [make_student(college) for _ in range(200)]
        applications = Application.objects.bulk_create(
            Application(student=student, drive=drive) for student in students
        )
    coordinator_client.get("/healthz")

    # when they are shortlisted at once
    with CaptureQueriesContext(connection) as queries:
        response = bulk(coordinator_client, applications, "shortlisted", note="Round 1")

    # then every one is, with its stamp and its audit entry, in a handful of queries
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["data"]["moved"]) == sorted(a.pk for a in applications)
    assert len(queries) < 20
    with tenant_context(college):
        stored = Application.objects.filter(drive=drive)
        assert set(stored.values_list("status", flat=True)) == {"shortlisted"}
        assert set(stored.values_list("shortlisted_by", flat=True)) == {coordinator.pk}
        assert set(stored.values_list("note", flat=True)) == {"Round 1"}
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            action=LogEntry.Action.UPDATE,
        )
        assert entries.count() == 200
        assert {e.changes_dict["status"][1] for e in entries} == {"shortlisted"}
        assert {e.actor_id for e in entries} == {coordinator.pk}


def test_a_bulk_move_is_all_or_nothing(college, drive, coordinator_client):
    # given two applicants who can be shortlisted and one already rejected
    applied = [make_application(college, make_student(college), drive) for _ in range(2)]
    rejected = make_application(college, make_student(college), drive, "rejected")

    response = bulk(coordinator_client, [*applied, rejected], "shortlisted")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert [item["id"] for item in error["details"]["refused"]] == [rejected.pk]
    assert [refreshed(college, a).status for a in applied] == ["applied", "applied"]


def test_a_bulk_move_cannot_reach_outside_the_callers_rows(college, company, drive):
    # given a recruiter, an applicant of their drive and one of another company's drive
    recruiter = client_for(college, make_recruiter(college, company))
    ours = make_application(college, make_student(college), drive)
    theirs = make_application(college, make_student(college), make_drive(college))

    response = bulk(recruiter, [ours, theirs], "shortlisted")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert refreshed(college, ours).status == refreshed(college, theirs).status == "applied"


def test_students_cannot_bulk_move(college, drive):
    student = make_student(college)
    application = make_application(college, student, drive)

    response = bulk(client_for(college, student.user), [application], "withdrawn")

    assert response.status_code == 403
