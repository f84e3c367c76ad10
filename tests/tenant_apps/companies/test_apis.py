"""Companies: isolation between colleges, list query count, search and filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.companies.models import Company
from tests.conftest import client_for, make_user


@pytest.fixture
def other_coordinator_client(other_college):
    return client_for(other_college, make_user(other_college, Role.COORDINATOR))


def test_a_college_cannot_read_change_or_delete_another_colleges_company(
    college, other_college, coordinator_client, other_coordinator_client
):
    # given a company in each college under the same id, and one only the other college has
    with tenant_context(college):
        ours = Company.objects.create(name="Ours Ltd")
    with tenant_context(other_college):
        Company.objects.create(pk=ours.pk, name="Theirs Ltd")
        only_theirs = Company.objects.create(pk=10**9, name="Secret Corp")

    # when the other college's staff go through the API
    detail = other_coordinator_client.get(f"/api/v1/companies/{only_theirs.pk}/")
    listing = coordinator_client.get("/api/v1/companies/").json()["data"]
    guess = coordinator_client.get(f"/api/v1/companies/{only_theirs.pk}/")
    change = coordinator_client.patch(
        f"/api/v1/companies/{only_theirs.pk}/", {"name": "Hijacked"}, format="json"
    )
    delete = coordinator_client.delete(f"/api/v1/companies/{only_theirs.pk}/")
    search = coordinator_client.get("/api/v1/companies/?search=Secret").json()["data"]

    # then college A only ever sees its own row
    assert detail.status_code == 200
    assert [c["name"] for c in listing] == ["Ours Ltd"]
    assert guess.status_code == change.status_code == delete.status_code == 404
    assert coordinator_client.get(f"/api/v1/companies/{ours.pk}/").json()["data"]["name"] == (
        "Ours Ltd"
    )
    same_id = other_coordinator_client.get(f"/api/v1/companies/{ours.pk}/").json()["data"]
    assert same_id["name"] == "Theirs Ltd"
    assert search == []
    with tenant_context(other_college):
        assert Company.objects.get(pk=only_theirs.pk).name == "Secret Corp"


def test_list_query_count_does_not_grow_with_rows(college, coordinator_client):
    def count_for(n: int) -> int:
        with tenant_context(college):
            Company.all_objects.hard_delete()
            Company.objects.bulk_create(Company(name=f"C{i}") for i in range(n))
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get("/api/v1/companies/?page_size=100")
        assert len(response.json()["data"]) == n
        return len(queries)

    coordinator_client.get("/healthz")  # host resolution cached: only the list's own queries
    assert count_for(2) == count_for(60)


def test_search_filter_and_ordering(college, coordinator_client):
    with tenant_context(college):
        Company.objects.create(name="Zeta Steel", industry="steel")
        Company.objects.create(name="Alpha Soft", industry="software")
        Company.objects.create(name="Beta Soft", industry="software")

    searched = coordinator_client.get("/api/v1/companies/?search=soft").json()["data"]
    filtered = coordinator_client.get("/api/v1/companies/?industry=steel").json()["data"]
    ordered = coordinator_client.get("/api/v1/companies/?ordering=-name").json()["data"]

    assert [c["name"] for c in searched] == ["Alpha Soft", "Beta Soft"]
    assert [c["name"] for c in filtered] == ["Zeta Steel"]
    assert [c["name"] for c in ordered] == ["Zeta Steel", "Beta Soft", "Alpha Soft"]
