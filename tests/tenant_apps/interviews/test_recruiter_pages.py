"""The recruiter's interview agenda (their company's only) and recording a round's result."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.accounts.models import Role
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_recruiter,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

SLOT = datetime(2031, 3, 10, 4, 30, tzinfo=UTC)


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


@pytest.fixture
def acme(college):
    return make_company(college, "Acme")


@pytest.fixture
def client(college, acme):
    return page_client(college, make_recruiter(college, acme), csrf=True)


def interview_at(college, company, **kwargs):
    application = make_application(
        college, make_student(college, **kwargs), make_drive(college, company), "shortlisted"
    )
    return make_interview(college, application, scheduled_at=SLOT)


def record(client, interview, status, feedback=""):
    token = csrf_of(client.get("/recruiter/interviews/"))
    return client.post(
        f"/recruiter/interviews/{interview.pk}/result/",
        {
            "csrfmiddlewaretoken": token,
            f"i{interview.pk}-status": status,
            f"i{interview.pk}-feedback": feedback,
        },
        follow=True,
    )


def test_the_agenda_shows_only_the_companys_interviews(college, acme, client):
    ours = interview_at(college, acme, first_name="Asha")
    theirs = interview_at(college, make_company(college, "Globex"), first_name="Ravi")
    html = text_of(client.get("/recruiter/interviews/"))
    assert f'id="interview-{ours.pk}"' in html and "Asha" in html
    assert f'id="interview-{theirs.pk}"' not in html and "Ravi" not in html


def test_recording_a_round_result_goes_through_the_service(college, acme, client):
    interview = interview_at(college, acme)
    html = text_of(record(client, interview, "cleared", "Solid on SQL"))
    assert "Round result saved: cleared." in html
    saved = refreshed(college, interview)
    assert (saved.status, saved.feedback) == ("cleared", "Solid on SQL")


def test_an_unknown_result_is_refused(college, acme, client):
    interview = interview_at(college, acme)
    html = text_of(record(client, interview, "hired"))
    assert "Choose a result" in html
    assert refreshed(college, interview).status == "scheduled"


def test_another_companys_or_colleges_interview_cannot_be_recorded(college, other_college, client):
    theirs = interview_at(college, make_company(college, "Globex"))
    assert record(client, theirs, "rejected").status_code == 404
    assert refreshed(college, theirs).status == "scheduled"
    application = make_application(
        other_college,
        make_student(other_college),
        make_drive(other_college, make_company(other_college, "Acme")),
        "shortlisted",
    )
    elsewhere = make_interview(other_college, application, pk=theirs.pk + 700)
    assert record(client, elsewhere, "rejected").status_code == 404
    assert refreshed(other_college, elsewhere).status == "scheduled"


def test_the_agenda_costs_the_same_queries_for_1_or_10(college, acme, client):
    interview_at(college, acme)
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/recruiter/interviews/").status_code == 200
        return len(queries)

    count()
    first = count()
    for _ in range(9):
        interview_at(college, acme)
    count()  # the new rows' users dropped the cached user: read it again first
    assert count() == first


def test_other_roles_get_a_403(college):
    for role in (Role.STUDENT, Role.COORDINATOR):
        response = page_client(college, make_user(college, role)).get("/recruiter/interviews/")
        assert response.status_code == 403
