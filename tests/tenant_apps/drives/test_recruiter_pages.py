"""The recruiter's drives and a drive's applicants: their company's only, nothing of another
company or college."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_skill,
    make_student,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(college):
    return make_company(college, "Acme")


@pytest.fixture
def recruiter(college, acme):
    return make_recruiter(college, acme)


@pytest.fixture
def client(college, recruiter):
    return page_client(college, recruiter, csrf=True)


def test_the_recruiter_sees_their_companys_drives_with_applicant_counts(college, acme, client):
    ours = make_drive(college, acme, title="Backend Engineer")
    theirs = make_drive(college, make_company(college, "Globex"), title="Globex Analyst")
    for status in ("applied", "shortlisted", "rejected"):
        make_application(college, make_student(college), ours, status)
    html = text_of(client.get("/recruiter/"))
    row = html.split(f'id="drive-{ours.pk}"')[1].split("</tr>")[0]
    assert "Backend Engineer" in row
    assert '<td data-label="Applicants" class="num">3</td>' in row
    assert '<td data-label="In process" class="num">2</td>' in row
    assert "Globex Analyst" not in html and f'id="drive-{theirs.pk}"' not in html


def test_a_drives_applicants_show_their_profiles_and_resumes(college, acme, client):
    skill = make_skill(college, "Python")
    drive = make_drive(college, acme, title="Backend Engineer")
    student = make_student(college, first_name="Asha", cgpa="9.10", skills={skill: 8})
    with tenant_context(college):
        student.resume.save("resumes/x.pdf", ContentFile(b"%PDF-1.7"), save=True)
    application = make_application(college, student, drive)
    html = text_of(client.get(f"/recruiter/drives/{drive.pk}/"))
    row = html.split(f'id="applicant-{application.pk}"')[1].split("</tr>")[0]
    assert "Asha" in row and "9.10" in row and "Python 8/10" in row
    assert f"/api/v1/students/{student.pk}/resume/" in row
    assert f'href="/recruiter/applicants/{application.pk}/"' in row
    assert 'id="bulk-move"' in html and 'data-select-all="applications"' in html


def test_applicants_filter_by_stage_and_search(college, acme, client):
    drive = make_drive(college, acme)
    applied = make_application(college, make_student(college, first_name="Asha"), drive)
    shortlisted = make_application(
        college, make_student(college, first_name="Ravi"), drive, "shortlisted"
    )
    html = text_of(client.get(f"/recruiter/drives/{drive.pk}/", {"status": "shortlisted"}))
    assert f'id="applicant-{shortlisted.pk}"' in html and f'id="applicant-{applied.pk}"' not in html
    partial = client.get(f"/recruiter/drives/{drive.pk}/", {"q": "asha"}, HTTP_HX_REQUEST="true")
    assert f'id="applicant-{applied.pk}"' in text_of(partial)
    assert "<html" not in text_of(partial)


def test_the_applicants_cost_the_same_queries_for_1_or_20(college, acme, client):
    drive = make_drive(college, acme)
    skill = make_skill(college)
    make_application(college, make_student(college, skills={skill: 5}), drive)
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/recruiter/drives/{drive.pk}/").status_code == 200
        return len(queries)

    count()
    first = count()
    for _ in range(19):
        make_application(college, make_student(college, skills={skill: 5}), drive)
    count()  # the new rows' users dropped the cached user: read it again first
    assert count() == first


def test_the_drive_list_costs_the_same_queries_for_1_or_20(college, acme, client):
    make_drive(college, acme)
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/recruiter/").status_code == 200
        return len(queries)

    count()
    first = count()
    for _ in range(19):
        make_application(college, make_student(college), make_drive(college, acme))
    count()  # the new rows' users dropped the cached user: read it again first
    assert count() == first


def test_another_companys_drive_is_a_404(college, acme, client):
    theirs = make_drive(college, make_company(college, "Globex"))
    make_application(college, make_student(college), theirs)
    assert client.get(f"/recruiter/drives/{theirs.pk}/").status_code == 404


def test_another_colleges_drive_of_a_same_named_company_is_a_404(college, other_college, client):
    elsewhere = make_drive(other_college, make_company(other_college, "Acme"), pk=9100)
    assert client.get(f"/recruiter/drives/{elsewhere.pk}/").status_code == 404


def test_other_roles_get_a_403(college, acme):
    drive = make_drive(college, acme)
    for role in (Role.STUDENT, Role.COORDINATOR):
        client = page_client(college, make_user(college, role))
        assert client.get("/recruiter/").status_code == 403
        assert client.get(f"/recruiter/drives/{drive.pk}/").status_code == 403
