"""The drives a student sees: every open drive, the reasons in the eligibility rules' own words
for those they cannot apply to, a drive's page, and applying through the applications service."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Application
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_student,
    set_policy,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


@pytest.fixture
def profile(college):
    return make_student(college, cgpa="7.00", department="CSE", graduation_year=2027)


@pytest.fixture
def client(college, profile):
    return page_client(college, profile.user, csrf=True)


def apply(client, drive):
    page = client.get(f"/me/drives/{drive.pk}/")
    return client.post(
        f"/me/drives/{drive.pk}/apply/", {"csrfmiddlewaretoken": csrf_of(page)}, follow=True
    )


def test_the_list_shows_every_open_drive_with_the_reasons_for_those_out_of_reach(
    college, profile, client
):
    company = make_company(college, "Acme")
    open_to_me = make_drive(college, company, title="Backend Engineer")
    too_high = make_drive(college, company, title="Quant", min_cgpa="9.00")
    other_dept = make_drive(college, company, title="Chip Designer", departments=["ECE"])
    draft = make_drive(college, company, title="Secret", status="draft")
    closed = make_drive(
        college, company, title="Late", apply_by=timezone.now() - timedelta(hours=1)
    )
    html = text_of(client.get("/me/drives/"))
    assert f'id="drive-{open_to_me.pk}"' in html
    assert f'id="drive-{too_high.pk}"' in html and f'id="drive-{other_dept.pk}"' in html
    assert "A CGPA of at least 9.00 is required; yours is 7.00." in html
    assert "Open to ECE only; your department is CSE." in html
    assert f'id="drive-{draft.pk}"' not in html and f'id="drive-{closed.pk}"' not in html


def test_the_filter_keeps_only_the_drives_i_can_apply_to(college, profile, client):
    mine = make_drive(college, title="Backend Engineer")
    not_mine = make_drive(college, title="Quant", min_cgpa="9.00")
    applied = make_drive(college, title="Applied already")
    make_application(college, profile, applied)
    html = text_of(client.get("/me/drives/", {"can_apply": "1"}))
    assert f'id="drive-{mine.pk}"' in html
    assert f'id="drive-{not_mine.pk}"' not in html and f'id="drive-{applied.pk}"' not in html


def test_an_htmx_filter_returns_only_the_results(college, profile, client):
    make_drive(college, title="Backend Engineer")
    response = client.get("/me/drives/", {"q": "backend"}, HTTP_HX_REQUEST="true")
    html = text_of(response)
    assert "Backend Engineer" in html and "<html" not in html


def test_the_list_costs_the_same_queries_for_1_or_20_drives(college, profile, client):
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/drives/").status_code == 200
        return len(queries)

    make_drive(college, min_cgpa="9.00")
    count()
    first = count()
    for _ in range(19):
        make_drive(college, min_cgpa="9.00", departments=["ECE"])
    assert count() == first


def test_a_drives_page_shows_company_role_ctc_rounds_and_dates(college, profile, client):
    drive = make_drive(
        college, make_company(college, "Acme"), title="Backend Engineer", ctc="1250000"
    )
    html = text_of(client.get(f"/me/drives/{drive.pk}/"))
    assert "Acme" in html and "Backend Engineer" in html
    assert "₹12.5 L" in html
    assert "Aptitude test" in html and "HR interview" in html
    assert 'id="apply-button"' in html


def test_applying_goes_through_the_service_and_withdrawing_too(college, profile, client):
    drive = make_drive(college, title="Backend Engineer")
    response = apply(client, drive)
    assert "You applied to Backend Engineer" in text_of(response)
    with tenant_context(college):
        application = Application.objects.get(student=profile, drive=drive)
    page = client.get(f"/me/drives/{drive.pk}/")
    assert 'id="withdraw"' in text_of(page)
    client.post(
        f"/me/applications/{application.pk}/withdraw/",
        {"csrfmiddlewaretoken": csrf_of(page), "next": f"/me/drives/{drive.pk}/"},
    )
    with tenant_context(college):
        assert Application.objects.get(pk=application.pk).status == "withdrawn"


def test_applying_twice_says_so(college, profile, client):
    drive = make_drive(college)
    apply(client, drive)
    html = text_of(apply(client, drive))
    assert "You have already applied to this drive." in html
    with tenant_context(college):
        assert Application.objects.filter(student=profile, drive=drive).count() == 1


def test_applying_when_not_eligible_gives_the_rules_reasons(college, profile, client):
    drive = make_drive(college, min_cgpa="9.00")
    html = text_of(apply(client, drive))
    assert "You are not eligible for this drive." in html
    assert "A CGPA of at least 9.00 is required; yours is 7.00." in html


def test_the_placement_policy_is_a_reason_on_the_page(college, client):
    set_policy(college, one_offer_policy=True)
    placed = make_student(college, placed=True)
    drive = make_drive(college, title="Backend Engineer")
    html = text_of(page_client(college, placed.user).get(f"/me/drives/{drive.pk}/"))
    assert "one-offer policy allows no further applications" in html
    assert 'id="apply-button"' not in html


def test_applying_to_a_closed_drive_says_it_is_closed(college, profile, client):
    # given a drive the student sees (they applied, then withdrew) that has closed since
    drive = make_drive(college, title="Backend Engineer")
    make_application(college, profile, drive, "withdrawn")
    with tenant_context(college):
        type(drive).objects.filter(pk=drive.pk).update(status="closed")
    # when
    html = text_of(apply(client, drive))
    # then
    assert "This drive is closed: it does not accept applications." in html


def test_other_roles_get_a_403(college):
    drive = make_drive(college)
    for role in (Role.COORDINATOR, Role.RECRUITER):
        client = page_client(college, make_user(college, role))
        assert client.get("/me/drives/").status_code == 403
        assert client.get(f"/me/drives/{drive.pk}/").status_code == 403


def test_a_draft_or_another_colleges_drive_is_a_404(college, other_college, profile, client):
    draft = make_drive(college, status="draft")
    assert client.get(f"/me/drives/{draft.pk}/").status_code == 404
    theirs = make_drive(other_college, title="Beta only", pk=draft.pk + 1000)
    assert client.get(f"/me/drives/{theirs.pk}/").status_code == 404
    response = client.post(
        f"/me/drives/{theirs.pk}/apply/",
        {"csrfmiddlewaretoken": csrf_of(client.get("/me/drives/"))},
    )
    assert response.status_code == 404
    with tenant_context(other_college):
        assert not Application.objects.exists()
