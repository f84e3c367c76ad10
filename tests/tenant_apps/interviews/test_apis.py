"""Interviews: rounds of an application scheduled by staff or the drive's recruiter, never two at
once for one student, results recorded; students read their own schedule."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews.models import Interview
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_recruiter,
    make_student,
    refreshed,
)

INTERVIEWS = "/api/v1/interviews/"
TOMORROW_10 = (timezone.now() + timedelta(days=1)).replace(
    hour=10, minute=0, second=0, microsecond=0
)


def round_of(college, drive, sequence: int = 1) -> DriveRound:
    with tenant_context(college):
        return DriveRound.objects.get(drive=drive, sequence=sequence)


def schedule(client, application, round_, at=TOMORROW_10, minutes=60, **extra):
    body = {
        "application": application.pk,
        "round": round_.pk,
        "scheduled_at": at.isoformat(),
        "duration_minutes": minutes,
        "venue": "Block A, room 12",
        **extra,
    }
    return client.post(INTERVIEWS, body, format="json")


@pytest.fixture
def company(college):
    return make_company(college)


@pytest.fixture
def student(college):
    return make_student(college)


@pytest.fixture
def application(college, student, company):
    return make_application(college, student, make_drive(college, company), "shortlisted")


@pytest.fixture
def recruiter_client(college, company):
    return client_for(college, make_recruiter(college, company))


@pytest.mark.parametrize("who", ["coordinator_client", "recruiter_client"])
def test_staff_and_the_drives_recruiter_schedule_a_round(college, application, request, who):
    client = request.getfixturevalue(who)
    technical = round_of(college, application.drive, 2)

    response = schedule(client, application, technical, interviewer="Priya (SDE 3)")

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["round"] == {"id": technical.pk, "sequence": 2, "kind": "technical", "name": ""}
    assert data["status"] == "scheduled"
    assert data["application"] == application.pk
    assert data["ends_at"] == (TOMORROW_10 + timedelta(hours=1)).isoformat().replace("+00:00", "Z")


def test_a_student_is_never_booked_twice_at_once(college, student, application, coordinator_client):
    # given an interview from 10:00 to 11:00 and the student's application to another drive
    drive = application.drive
    assert schedule(coordinator_client, application, round_of(college, drive)).status_code == 201
    other = make_application(college, student, make_drive(college), "in_process")
    other_round = round_of(college, other.drive)

    # when another interview overlaps, or follows right after
    overlapping = schedule(
        coordinator_client, other, other_round, at=TOMORROW_10 + timedelta(minutes=59)
    )
    inside = schedule(
        coordinator_client, other, other_round, at=TOMORROW_10 - timedelta(minutes=30), minutes=240
    )
    after = schedule(coordinator_client, other, other_round, at=TOMORROW_10 + timedelta(hours=1))

    # then overlaps are conflicts, and back to back is fine
    assert overlapping.status_code == inside.status_code == 409
    assert overlapping.json()["error"]["code"] == "conflict"
    assert after.status_code == 201


def test_other_students_may_share_a_slot(college, application, coordinator_client):
    drive = application.drive
    classmate = make_application(college, make_student(college), drive, "shortlisted")

    assert schedule(coordinator_client, application, round_of(college, drive)).status_code == 201
    assert schedule(coordinator_client, classmate, round_of(college, drive)).status_code == 201


def test_rescheduling_onto_another_interview_is_a_conflict(
    college, student, application, coordinator_client
):
    first = make_interview(college, application, scheduled_at=TOMORROW_10)
    later = make_interview(
        college, application, round_sequence=2, scheduled_at=TOMORROW_10 + timedelta(hours=3)
    )

    clash = coordinator_client.patch(
        f"{INTERVIEWS}{later.pk}/",
        {"scheduled_at": (TOMORROW_10 + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    longer = coordinator_client.patch(
        f"{INTERVIEWS}{first.pk}/", {"duration_minutes": 90}, format="json"
    )

    assert clash.status_code == 409
    assert longer.status_code == 200  # its own slot does not count against it
    assert refreshed(college, later).scheduled_at == TOMORROW_10 + timedelta(hours=3)


def test_one_interview_per_round_of_an_application(college, application, coordinator_client):
    aptitude = round_of(college, application.drive)
    assert schedule(coordinator_client, application, aptitude).status_code == 201

    again = schedule(coordinator_client, application, aptitude, at=TOMORROW_10 + timedelta(days=1))

    assert again.status_code == 409


def test_a_round_must_belong_to_the_applications_drive(college, application, coordinator_client):
    foreign_round = round_of(college, make_drive(college))

    response = schedule(coordinator_client, application, foreign_round)

    assert response.status_code == 400
    assert "round" in response.json()["error"]["details"]


@pytest.mark.parametrize("status", ["applied", "rejected", "withdrawn", "accepted"])
def test_only_shortlisted_or_in_process_applications_get_interviews(
    college, student, coordinator_client, status
):
    application = make_application(college, student, make_drive(college), status)

    response = schedule(coordinator_client, application, round_of(college, application.drive))

    assert response.status_code == 400
    assert "application" in response.json()["error"]["details"]


def test_a_venue_or_a_link_is_needed(college, application, coordinator_client):
    aptitude = round_of(college, application.drive)

    nowhere = schedule(coordinator_client, application, aptitude, venue="")
    online = schedule(
        coordinator_client, application, aptitude, venue="", meeting_link="https://meet.example/x"
    )

    assert nowhere.status_code == 400
    assert online.status_code == 201


def test_the_recruiter_records_a_round_result(college, application, recruiter_client):
    interview = make_interview(college, application)

    response = recruiter_client.patch(
        f"{INTERVIEWS}{interview.pk}/",
        {"status": "cleared", "feedback": "Strong on graphs."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    stored = refreshed(college, interview)
    assert (stored.status, stored.feedback) == ("cleared", "Strong on graphs.")


def test_a_student_reads_their_own_schedule_without_the_feedback(
    college, student, application, coordinator_client
):
    ours = make_interview(college, application)
    with tenant_context(college):
        Interview.objects.filter(pk=ours.pk).update(feedback="internal notes")
    others = make_interview(
        college, make_application(college, make_student(college), make_drive(college), "in_process")
    )
    client = client_for(college, student.user)

    listing = client.get(INTERVIEWS).json()["data"]

    assert [row["id"] for row in listing] == [ours.pk]
    assert "feedback" not in listing[0]
    assert coordinator_client.get(f"{INTERVIEWS}{ours.pk}/").json()["data"]["feedback"] == (
        "internal notes"
    )
    assert client.get(f"{INTERVIEWS}{others.pk}/").status_code == 404
    assert client.patch(
        f"{INTERVIEWS}{ours.pk}/", {"status": "cleared"}, format="json"
    ).status_code == (403)
    assert schedule(client, application, round_of(college, application.drive)).status_code == 403


def test_a_recruiter_of_another_company_gets_404(college, application):
    interview = make_interview(college, application)
    outsider = client_for(college, make_recruiter(college, make_company(college)))

    assert outsider.get(f"{INTERVIEWS}{interview.pk}/").status_code == 404
    assert (
        outsider.patch(
            f"{INTERVIEWS}{interview.pk}/", {"status": "rejected"}, format="json"
        ).status_code
        == 404
    )
    assert outsider.get(INTERVIEWS).json()["data"] == []
    # and cannot schedule for an applicant it cannot see
    refused = schedule(outsider, application, round_of(college, application.drive, 3))
    assert refused.status_code == 400
    assert "application" in refused.json()["error"]["details"]
    assert refreshed(college, interview).status == "scheduled"


def test_interviews_filter_and_order(college, student, application, coordinator_client):
    first = make_interview(college, application, scheduled_at=TOMORROW_10 + timedelta(hours=5))
    second = make_interview(college, application, round_sequence=2, scheduled_at=TOMORROW_10)
    with tenant_context(college):
        Interview.objects.filter(pk=second.pk).update(status="cleared")

    def listed(**params):
        return [row["id"] for row in coordinator_client.get(INTERVIEWS, params).json()["data"]]

    assert listed() == [second.pk, first.pk]
    assert listed(status="cleared") == [second.pk]
    assert listed(round_kind="aptitude") == [first.pk]
    assert listed(student=student.pk, ordering="-scheduled_at") == [first.pk, second.pk]
    assert listed(scheduled_after=(TOMORROW_10 + timedelta(hours=1)).isoformat()) == [first.pk]


def test_a_college_can_neither_read_change_nor_guess_another_colleges_interviews(
    college, other_college, application, coordinator_client
):
    make_interview(college, application, pk=2000)
    theirs_app = make_application(
        other_college, make_student(other_college), make_drive(other_college), "shortlisted"
    )
    make_interview(other_college, theirs_app, pk=2000)
    theirs_app2 = make_application(
        other_college, make_student(other_college), make_drive(other_college), "shortlisted"
    )
    secret = make_interview(other_college, theirs_app2, pk=2100)
    theirs_staff = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    listing = coordinator_client.get(INTERVIEWS).json()["data"]
    guess = coordinator_client.get(f"{INTERVIEWS}{secret.pk}/")
    change = coordinator_client.patch(
        f"{INTERVIEWS}{secret.pk}/", {"status": "rejected"}, format="json"
    )
    delete = coordinator_client.delete(f"{INTERVIEWS}{secret.pk}/")

    assert [row["id"] for row in listing] == [2000]
    assert listing[0]["application"] == application.pk
    assert theirs_staff.get(f"{INTERVIEWS}2000/").json()["data"]["application"] == theirs_app.pk
    assert guess.status_code == change.status_code == delete.status_code == 404
    assert refreshed(other_college, secret).status == "scheduled"


def test_deleting_an_interview_is_soft_and_restorable(college, application, admin_client):
    interview = make_interview(college, application)

    assert admin_client.delete(f"{INTERVIEWS}{interview.pk}/").status_code == 204
    assert admin_client.get(INTERVIEWS).json()["data"] == []
    assert [r["id"] for r in admin_client.get(INTERVIEWS, {"deleted": "only"}).json()["data"]] == [
        interview.pk
    ]
    assert admin_client.post(f"{INTERVIEWS}{interview.pk}/restore/").status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "recruiter", "student"])
def test_the_interview_list_costs_the_same_queries_for_1_or_100_rows(college, company, role):
    student = make_student(college)
    applications = [
        make_application(college, student, make_drive(college, company), "shortlisted")
        for _ in range(100)
    ]
    user = {
        "coordinator": lambda: make_user(college, Role.COORDINATOR),
        "recruiter": lambda: make_recruiter(college, company),
        "student": lambda: student.user,
    }[role]()
    client = client_for(college, user)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Interview.all_objects.hard_delete()
        for i, application in enumerate(applications[:n]):
            make_interview(college, application, scheduled_at=TOMORROW_10 + timedelta(hours=i))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INTERVIEWS, {"page_size": 100})
        assert len(response.json()["data"]) == n
        return len(queries)

    client.get("/healthz")
    assert count_for(1) == count_for(100)
