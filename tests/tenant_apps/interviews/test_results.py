"""Recording a round's result moves the application: cleared the last round, on to `offered`
(ready for an offer); cleared another, `in_process` (the next round); rejected, `rejected`; one
interview or many in one request (all or nothing, in the same few queries), with the mails the
stage moves send."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.applications.models import ApplicationStatus, OfferStatus
from tenant_apps.interviews.models import Interview
from tests.conftest import client_for
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_offer,
    make_recruiter,
    make_student,
    refreshed,
)

RESULTS = "/api/v1/interviews/results/"
S = ApplicationStatus


@pytest.fixture
def company(college):
    return make_company(college)


@pytest.fixture
def drive(college, company):
    return make_drive(college, company)  # rounds 1 (aptitude), 2 (technical), 3 (hr)


def interviewed(college, drive, status=S.SHORTLISTED, round_sequence=1):
    application = make_application(college, make_student(college), drive, status)
    return make_interview(college, application, round_sequence=round_sequence)


def record(client, *results):
    body = {"results": [{"id": i.pk, "status": s, "feedback": f"{s}!"} for i, s in results]}
    return client.post(RESULTS, body, format="json")


@pytest.mark.parametrize(
    ("start", "round_sequence", "result", "after"),
    [
        (S.SHORTLISTED, 1, "cleared", S.IN_PROCESS),  # another round: the next one
        (S.IN_PROCESS, 2, "cleared", S.IN_PROCESS),
        (S.IN_PROCESS, 3, "cleared", S.OFFERED),  # the last round: ready for an offer
        (S.SHORTLISTED, 3, "cleared", S.OFFERED),
        (S.SHORTLISTED, 1, "rejected", S.REJECTED),
        (S.IN_PROCESS, 3, "rejected", S.REJECTED),
        (S.IN_PROCESS, 2, "no_show", S.IN_PROCESS),  # a no-show moves nothing
    ],
)
def test_a_result_moves_the_application(
    college, drive, coordinator, coordinator_client, start, round_sequence, result, after
):
    interview = interviewed(college, drive, start, round_sequence)

    response = record(coordinator_client, (interview, result))

    assert response.status_code == 200, response.json()
    application = refreshed(college, interview.application)
    assert application.status == after
    assert response.json()["data"]["applications"] == {str(application.pk): after}
    stored = refreshed(college, interview)
    assert (stored.status, stored.feedback) == (result, f"{result}!")
    if after != start:
        assert getattr(application, f"{after}_by_id") == coordinator.pk


def test_a_single_result_moves_the_application_too(college, drive, coordinator_client):
    interview = interviewed(college, drive, S.IN_PROCESS, round_sequence=3)

    response = coordinator_client.patch(
        f"/api/v1/interviews/{interview.pk}/", {"status": "cleared"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert refreshed(college, interview.application).status == S.OFFERED


def test_the_applicants_hear_of_the_moves_results_make(
    college, drive, coordinator_client, django_capture_on_commit_callbacks
):
    offered = interviewed(college, drive, S.IN_PROCESS, round_sequence=3)
    rejected = interviewed(college, drive, S.IN_PROCESS, round_sequence=2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = record(coordinator_client, (offered, "cleared"), (rejected, "rejected"))

    assert response.status_code == 200
    to = {message.to[0]: message.subject for message in mail.outbox}
    with tenant_context(college):
        offered_email = offered.application.student.user.email
        rejected_email = rejected.application.student.user.email
    assert set(to) == {offered_email, rejected_email}
    assert "offer" in to[offered_email].lower() or "offered" in to[offered_email].lower()


def test_rejecting_an_offered_application_withdraws_its_pending_offer(
    college, drive, coordinator_client
):
    interview = interviewed(college, drive, S.OFFERED, round_sequence=3)
    offer = make_offer(college, interview.application)

    record(coordinator_client, (interview, "rejected"))

    assert refreshed(college, interview.application).status == S.REJECTED
    assert refreshed(college, offer).status == OfferStatus.WITHDRAWN


def test_a_closed_application_keeps_its_status(college, drive, coordinator_client):
    interview = interviewed(college, drive, S.SHORTLISTED)
    with tenant_context(college):
        interview.application.status = S.WITHDRAWN
        interview.application.save(update_fields=["status"])

    response = record(coordinator_client, (interview, "cleared"))

    assert response.status_code == 200
    assert refreshed(college, interview.application).status == S.WITHDRAWN
    assert refreshed(college, interview).status == "cleared"


def test_many_results_in_one_request_cost_the_same_queries_as_a_few(
    college, drive, coordinator, coordinator_client
):
    def queries_for(count: int) -> int:
        interviews = [
            interviewed(college, drive, S.IN_PROCESS, round_sequence=sequence)
            for sequence in (1, 2, 3)
            for _ in range(count)
        ]
        coordinator_client.get("/healthz")
        with CaptureQueriesContext(connection) as queries:
            response = record(
                coordinator_client,
                *[(i, ("cleared", "rejected")[n % 2]) for n, i in enumerate(interviews)],
            )
        assert response.status_code == 200, response.json()
        assert len(response.json()["data"]["recorded"]) == 3 * count
        # the path is sent only when the connection was on another schema: not the request's
        return len([q for q in queries.captured_queries if "search_path" not in q["sql"]])

    few, many = queries_for(2), queries_for(30)

    assert many == few
    with tenant_context(college):
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Interview), actor=coordinator
        )
        assert entries.count() == 96


def test_results_are_all_or_nothing(college, drive, coordinator_client):
    good = interviewed(college, drive, S.SHORTLISTED)
    theirs = interviewed(college, make_drive(college), S.SHORTLISTED)
    with tenant_context(college):
        Interview.objects.filter(pk=theirs.pk).delete()

    response = record(coordinator_client, (good, "cleared"), (theirs, "cleared"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert refreshed(college, good).status == "scheduled"
    assert refreshed(college, good.application).status == S.SHORTLISTED


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"results": []},
        {"results": [{"id": 1, "status": "scheduled"}]},
        {"results": [{"id": "x", "status": "cleared"}]},
        {"results": "all"},
    ],
)
def test_bad_results_are_a_validation_error(coordinator_client, body):
    response = coordinator_client.post(RESULTS, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_a_recruiter_records_only_their_companys_results_and_students_none(college, company, drive):
    mine = interviewed(college, drive)
    other = interviewed(college, make_drive(college))
    recruiter = client_for(college, make_recruiter(college, company))

    refused = record(recruiter, (mine, "cleared"), (other, "cleared"))
    assert refused.status_code == 400
    assert refreshed(college, other).status == "scheduled"
    assert record(recruiter, (mine, "cleared")).status_code == 200
    assert refreshed(college, mine.application).status == S.IN_PROCESS

    student = client_for(college, mine.application.student.user)
    assert record(student, (mine, "rejected")).status_code == 403


def test_another_colleges_interviews_cannot_be_given_results(
    college, other_college, coordinator_client
):
    theirs = interviewed(other_college, make_drive(other_college))

    response = record(coordinator_client, (theirs, "rejected"))

    assert response.status_code == 400
    assert refreshed(other_college, theirs).status == "scheduled"
    assert refreshed(other_college, theirs.application).status == S.SHORTLISTED
