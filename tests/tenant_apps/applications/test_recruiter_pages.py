"""The recruiter moves applicants in bulk (the bulk move service: all or nothing, their scope
only) and reads one applicant's profile, timeline and rounds."""

import re

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Application
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


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


@pytest.fixture
def acme(college):
    return make_company(college, "Acme")


@pytest.fixture
def drive(college, acme):
    return make_drive(college, acme, title="Backend Engineer")


@pytest.fixture
def client(college, acme):
    return page_client(college, make_recruiter(college, acme), csrf=True)


def move(client, drive, ids, status="shortlisted", note=""):
    token = csrf_of(client.get(f"/recruiter/drives/{drive.pk}/"))
    return client.post(
        f"/recruiter/drives/{drive.pk}/applicants/move/",
        {"csrfmiddlewaretoken": token, "applications": ids, "status": status, "note": note},
        follow=True,
    )


def test_shortlisting_in_bulk_moves_every_selected_applicant(college, drive, client):
    chosen = [make_application(college, make_student(college), drive) for _ in range(3)]
    left = make_application(college, make_student(college), drive)
    html = text_of(move(client, drive, [a.pk for a in chosen], note="Strong CGPA"))
    assert "3 applicants shortlisted." in html
    assert [refreshed(college, a).status for a in chosen] == ["shortlisted"] * 3
    assert refreshed(college, chosen[0]).note == "Strong CGPA"
    assert refreshed(college, left).status == "applied"


def test_a_bulk_move_is_all_or_nothing_and_names_who_cannot_move(college, drive, client):
    fine = make_application(college, make_student(college), drive)
    withdrawn = make_application(college, make_student(college), drive, "withdrawn")
    html = text_of(move(client, drive, [fine.pk, withdrawn.pk]))
    assert "Nobody was moved." in html and f"#{withdrawn.pk} (Withdrawn)" in html
    assert refreshed(college, fine).status == "applied"


def test_rejecting_in_bulk(college, drive, client):
    applications = [make_application(college, make_student(college), drive) for _ in range(2)]
    assert "2 applicants rejected." in text_of(
        move(client, drive, [a.pk for a in applications], "rejected")
    )


def test_a_move_with_nobody_selected_or_a_bad_status_says_so(college, drive, client):
    application = make_application(college, make_student(college), drive)
    assert "Select the applicants to move first." in text_of(move(client, drive, []))
    html = text_of(move(client, drive, [application.pk], "accepted"))
    assert "Nobody was moved." in html
    assert refreshed(college, application).status == "applied"


def test_another_companys_applicants_cannot_be_moved_from_a_drive_of_ours(
    college, acme, drive, client
):
    theirs = make_application(
        college, make_student(college), make_drive(college, make_company(college, "Globex"))
    )
    html = text_of(move(client, drive, [theirs.pk]))
    assert "Nobody was moved." in html and "Not found" in html
    assert refreshed(college, theirs).status == "applied"
    with tenant_context(college):
        their_drive = Application.objects.get(pk=theirs.pk).drive_id
    token = csrf_of(client.get(f"/recruiter/drives/{drive.pk}/"))
    response = client.post(
        f"/recruiter/drives/{their_drive}/applicants/move/",
        {"csrfmiddlewaretoken": token, "applications": [theirs.pk], "status": "rejected"},
    )
    assert response.status_code == 404
    assert refreshed(college, theirs).status == "applied"


def test_the_applicant_page_shows_the_profile_timeline_and_rounds(college, drive, client):
    student = make_student(college, first_name="Asha", last_name="Rao", cgpa="9.10")
    application = make_application(college, student, drive, "shortlisted")
    interview = make_interview(college, application)
    html = text_of(client.get(f"/recruiter/applicants/{application.pk}/"))
    assert "Asha Rao" in html and "9.10" in html and student.roll_number in html
    assert "<strong>Applied</strong>" in html
    assert f'id="result-form-{interview.pk}"' in html


def test_another_companys_or_colleges_applicant_is_a_404(college, other_college, client):
    theirs = make_application(
        college, make_student(college), make_drive(college, make_company(college, "Globex"))
    )
    assert client.get(f"/recruiter/applicants/{theirs.pk}/").status_code == 404
    elsewhere = make_application(
        other_college,
        make_student(other_college),
        make_drive(other_college, make_company(other_college, "Acme")),
        pk=theirs.pk + 500,
    )
    assert client.get(f"/recruiter/applicants/{elsewhere.pk}/").status_code == 404


def test_other_roles_get_a_403(college, drive):
    application = make_application(college, make_student(college), drive)
    for role in (Role.STUDENT, Role.COORDINATOR):
        client = page_client(college, make_user(college, role))
        assert client.get(f"/recruiter/applicants/{application.pk}/").status_code == 403
