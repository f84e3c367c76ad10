from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import CollegeStatus, Domain
from tests.conftest import client_for


def test_unknown_host_answers_tenant_not_found_envelope(db, _schemas):
    response = client_for_host("nope.localhost").get("/api/v1/")

    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "tenant_not_found"
    assert "timestamp" in body


def test_college_host_serves_the_college_url_set(college):
    assert client_for(college).get("/healthz").json()["data"] == {"status": "ok"}
    # companies/ exists on a college host (401: it needs a login) ...
    assert client_for(college).get("/api/v1/companies/").status_code == 401


def test_root_domain_serves_the_public_url_set(public_tenant):
    # ... and not on the root domain.
    response = client_for(public_tenant).get("/api/v1/companies/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_warm_cache_resolves_a_college_without_database_queries(college):
    client = client_for(college)
    with CaptureQueriesContext(connection) as cold:
        client.get("/healthz")
    with CaptureQueriesContext(connection) as warm:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert lookups(cold) == 1  # the domain → college lookup
    assert len(warm) == 0  # not even a SET search_path


def test_status_change_invalidates_cached_resolution_at_once(college):
    client = client_for(college)
    client.get("/healthz")  # warm the cache

    college.status = CollegeStatus.SUSPENDED
    college.save()

    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert lookups(queries) == 1  # resolved again from the database
    assert client.get("/healthz").wsgi_request.tenant.status == CollegeStatus.SUSPENDED


def test_removed_domain_stops_resolving_at_once(college):
    client = client_for(college)
    assert client.get("/healthz").status_code == 200

    Domain.objects.filter(tenant=college).delete()

    assert client.get("/healthz").json()["error"]["code"] == "tenant_not_found"


def test_new_domain_resolves_although_it_was_unknown_before(college):
    client = client_for_host("placements-alpha.localhost")
    assert client.get("/healthz").status_code == 404  # now cached as unknown

    Domain.objects.create(domain="placements-alpha.localhost", tenant=college)

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == college


def test_host_outside_allowed_hosts_is_a_400_envelope(db, _schemas):
    client = client_for_host("evil.example.com")
    client.raise_request_exception = False

    response = client.get("/healthz")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def client_for_host(host: str):
    from rest_framework.test import APIClient

    return APIClient(HTTP_HOST=host)


def lookups(queries: CaptureQueriesContext) -> int:
    return sum('FROM "tenants_domain"' in query["sql"] for query in queries.captured_queries)
