"""The placement office's company pages: the list (search, industry, counts), a company's page
(recruiters, drives), creating and editing one through the API's serializer, for the office
only and each college on its own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.companies.models import Company, Recruiter
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

COMPANIES = "/office/companies/"


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post_form(client, url: str, data: dict):
    form = client.get(url)
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(form), **data})


def names_in(response) -> list[str]:
    return re.findall(r'<td data-label="Name"><a href="[^"]+">([^<]+)</a>', text_of(response))


@pytest.fixture
def coordinator_pages(college, coordinator):
    return page_client(college, coordinator, csrf=True)


@pytest.mark.parametrize("path", ["", "new/", "{pk}/", "{pk}/edit/"])
def test_the_office_opens_the_company_pages_and_nobody_else_does(college, path):
    company = make_company(college)
    url = COMPANIES + path.format(pk=company.pk)
    student = make_student(college)
    recruiter = make_recruiter(college, company)

    for role in (Role.ADMIN, Role.COORDINATOR):
        assert page_client(college, make_user(college, role)).get(url).status_code == 200
    for user in (student.user, recruiter):
        assert page_client(college, user).get(url).status_code == 403
    assert page_client(college).get(url).status_code == 302


def test_the_list_searches_filters_by_industry_and_counts_recruiters(college, coordinator_pages):
    acme = make_company(college, "Acme Robotics")
    make_company(college, "Beta Foods")
    with tenant_context(college):
        Company.objects.filter(pk=acme.pk).update(industry="Manufacturing")
    make_recruiter(college, acme)
    make_recruiter(college, acme)
    gone = make_recruiter(college, acme)
    with tenant_context(college):
        Recruiter.objects.get(user=gone).delete()
    make_drive(college, acme)

    everything = coordinator_pages.get(COMPANIES)
    searched = coordinator_pages.get(COMPANIES, {"q": "robot"})
    by_industry = coordinator_pages.get(COMPANIES, {"industry": "Manufacturing"})
    backwards = coordinator_pages.get(COMPANIES, {"ordering": "-name"})

    assert names_in(everything) == ["Acme Robotics", "Beta Foods"]
    assert names_in(searched) == names_in(by_industry) == ["Acme Robotics"]
    assert names_in(backwards) == ["Beta Foods", "Acme Robotics"]
    html = text_of(searched)
    assert '<td data-label="Recruiters" class="num">2</td>' in html  # the deleted one not counted
    assert '<td data-label="Drives" class="num">1</td>' in html
    assert "No company matches" in text_of(coordinator_pages.get(COMPANIES, {"q": "zzz"}))


def test_htmx_searching_answers_the_table_alone(college, coordinator_pages):
    make_company(college, "Acme")
    response = coordinator_pages.get(COMPANIES, {"q": "acme"}, HTTP_HX_REQUEST="true")
    assert "<html" not in text_of(response) and names_in(response) == ["Acme"]
    assert "HX-Request" in response["Vary"]


def test_the_list_costs_the_same_queries_for_1_or_20_rows(college, coordinator_pages):
    def count_for(n: int) -> int:
        with tenant_context(college):
            Recruiter.all_objects.hard_delete()
            Company.all_objects.hard_delete()
        for _ in range(n):
            make_recruiter(college, make_company(college))
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_pages.get(COMPANIES)
        assert len(names_in(response)) == n
        return len(queries)

    coordinator_pages.get(COMPANIES)
    assert count_for(1) == count_for(20)


def test_a_companys_page_shows_its_recruiters_and_drives(college, coordinator_pages):
    company = make_company(college, "Acme")
    make_recruiter(college, company, email="hire@acme.example.com")
    drive = make_drive(college, company, title="Graduate engineer", ctc="1250000")
    make_application(college, make_student(college), drive)
    make_drive(college, make_company(college, "Other"), title="Not this one")

    html = text_of(coordinator_pages.get(f"{COMPANIES}{company.pk}/"))

    assert "hire@acme.example.com" in html
    assert "Graduate engineer" in html and "Not this one" not in html
    assert "₹12.5 L" in html
    assert '<td data-label="Applicants" class="num">1</td>' in html


def test_only_the_placement_head_is_offered_to_invite_recruiters(college, coordinator_pages):
    company = make_company(college)
    url = f"{COMPANIES}{company.pk}/"
    admin = page_client(college, make_user(college, Role.ADMIN))
    try:
        members = reverse("office:members")
    except NoReverseMatch:  # the Members page is not installed: no link to it
        members = None

    assert 'id="invite-recruiter"' not in text_of(coordinator_pages.get(url))
    if members is None:
        assert 'id="invite-recruiter"' not in text_of(admin.get(url))
    else:
        assert f'href="{members}?company={company.pk}"' in text_of(admin.get(url))


def test_adding_a_company_uses_the_apis_serializer(college, coordinator_pages):
    response = post_form(
        coordinator_pages,
        f"{COMPANIES}new/",
        {"name": "  Acme  ", "website": "https://acme.example.com", "industry": "Robotics"},
    )

    with tenant_context(college):
        company = Company.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{COMPANIES}{company.pk}/"
    assert (company.name, company.industry) == ("Acme", "Robotics")  # stripped by the serializer


def test_adding_a_company_shows_errors_and_keeps_what_was_typed(college, coordinator_pages):
    make_company(college, "Acme")

    response = post_form(
        coordinator_pages,
        f"{COMPANIES}new/",
        {"name": "ACME", "website": "not a url", "description": "Robots."},
    )

    html = text_of(response)
    assert response.status_code == 200
    assert "A company with this name already exists." in html and 'id="error-name"' in html
    assert 'id="error-website"' in html and "Enter a valid URL." in html
    assert 'value="ACME"' in html and "Robots." in html
    with tenant_context(college):
        assert Company.objects.count() == 1


def test_editing_a_company(college, coordinator_pages):
    company = make_company(college, "Acme")
    make_company(college, "Taken")
    url = f"{COMPANIES}{company.pk}/edit/"

    clash = post_form(coordinator_pages, url, {"name": "taken"})
    saved = post_form(coordinator_pages, url, {"name": "Acme Robotics", "industry": "Robots"})

    assert "A company with this name already exists." in text_of(clash)
    assert saved.status_code == 302
    assert refreshed(college, company).name == "Acme Robotics"


def test_another_colleges_office_cannot_read_or_change_companies(college, other_college):
    ours = make_company(college, "Ours", pk=515151)
    stranger = page_client(other_college, make_user(other_college, Role.ADMIN), csrf=True)

    assert stranger.get(f"{COMPANIES}{ours.pk}/").status_code == 404
    assert stranger.get(f"{COMPANIES}{ours.pk}/edit/").status_code == 404
    token = csrf_of(stranger.get(COMPANIES))
    changed = stranger.post(
        f"{COMPANIES}{ours.pk}/edit/", {"csrfmiddlewaretoken": token, "name": "Theirs"}
    )
    assert changed.status_code == 404
    assert refreshed(college, ours).name == "Ours"
    assert "Ours" not in text_of(stranger.get(COMPANIES))
