"""The envelope and the error mapping of docs/api.md, on a college host."""

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.companies.apis import CompanyViewSet
from tenant_apps.companies.models import Company


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert set(body["error"]) == {"code", "message", "type", "details"}
    assert body["timestamp"].endswith("Z")
    return body


def test_success_envelope(coordinator_client):
    response = coordinator_client.post("/api/v1/companies/", {"name": "Acme"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "OK"
    assert body["timestamp"].endswith("Z")
    assert body["data"]["name"] == "Acme"


def test_list_has_pagination_block(college, coordinator_client):
    with tenant_context(college):
        Company.objects.bulk_create(Company(name=f"Company {i:02}") for i in range(25))

    body = coordinator_client.get("/api/v1/companies/?page=2&page_size=10").json()

    assert [c["name"] for c in body["data"]] == [f"Company {i:02}" for i in range(10, 20)]
    pagination = body["pagination"]
    assert {k: pagination[k] for k in ("page", "page_size", "total", "total_pages")} == {
        "page": 2,
        "page_size": 10,
        "total": 25,
        "total_pages": 3,
    }
    assert "page=3" in pagination["next"]
    assert "page=1" in pagination["previous"] or pagination["previous"].endswith("page_size=10")


def test_page_size_is_capped_at_100(college, coordinator_client):
    with tenant_context(college):
        Company.objects.bulk_create(Company(name=f"C{i:03}") for i in range(105))

    body = coordinator_client.get("/api/v1/companies/?page_size=500").json()

    assert body["pagination"]["page_size"] == 100
    assert len(body["data"]) == 100


def test_400_validation_error_names_the_field(coordinator_client):
    response = coordinator_client.post(
        "/api/v1/companies/", {"name": "", "website": "not a url"}, format="json"
    )

    body = assert_error(response, 400, "validation_error")
    assert set(body["error"]["details"]) == {"name", "website"}


def test_400_on_malformed_json(coordinator_client):
    response = coordinator_client.post(
        "/api/v1/companies/", data="{not json", content_type="application/json"
    )

    assert_error(response, 400, "validation_error")


def test_401_not_authenticated(anonymous_client):
    assert_error(anonymous_client.get("/api/v1/companies/"), 401, "not_authenticated")


def test_403_permission_denied_for_a_student(student_client):
    assert_error(student_client.get("/api/v1/companies/"), 403, "permission_denied")


def test_404_unknown_path_and_unknown_object(coordinator_client):
    assert_error(coordinator_client.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(coordinator_client.get("/api/v1/companies/999999/"), 404, "not_found")


def test_404_on_a_page_past_the_end(coordinator_client):
    assert_error(coordinator_client.get("/api/v1/companies/?page=9"), 404, "not_found")


def test_405_method_not_allowed(coordinator_client):
    assert_error(coordinator_client.patch("/api/v1/companies/", {}), 405, "method_not_allowed")


def test_415_unsupported_media_type(coordinator_client):
    response = coordinator_client.post(
        "/api/v1/companies/", data="<x/>", content_type="application/xml"
    )

    assert_error(response, 415, "unsupported_media_type")


def test_409_when_a_unique_row_already_exists(coordinator_client):
    coordinator_client.post("/api/v1/companies/", {"name": "Acme"}, format="json")

    response = coordinator_client.post("/api/v1/companies/", {"name": "ACME"}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert "name" in body["error"]["details"]


def test_integrity_race_is_a_409_not_a_500(college, coordinator_client, monkeypatch):
    # given a check that misses the clash (as a concurrent request would)
    monkeypatch.setattr(
        "tenant_apps.companies.serializers.CompanySerializer.validate_name", lambda self, v: v
    )
    with tenant_context(college):
        Company.objects.create(name="Acme")

    response = coordinator_client.post("/api/v1/companies/", {"name": "acme"}, format="json")

    assert_error(response, 409, "conflict")


@pytest.mark.parametrize("secret", ["SELECT * FROM c_beta.accounts_user"])
def test_500_in_a_view_has_no_trace(coordinator_client, monkeypatch, secret):
    def explode(self, request, *args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr(CompanyViewSet, "list", explode)

    response = coordinator_client.get("/api/v1/companies/")

    body = assert_error(response, 500, "server_error")
    assert secret not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["error"]["details"] == {}


def test_500_outside_drf_is_an_envelope_too(college, monkeypatch):
    from tests.conftest import client_for

    def explode(hostname):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("tenants.middleware.resolve_host", explode)
    client = client_for(college)
    client.raise_request_exception = False

    response = client.get("/healthz")

    assert_error(response, 500, "server_error")
    assert b"secret internals" not in response.content


def test_csrf_failure_is_a_403_envelope(college, coordinator):
    from tests.conftest import client_for, login

    client = client_for(college, csrf=True)
    assert login(client, coordinator.email).status_code == 200  # cookies set

    response = client.post("/api/v1/companies/", {"name": "Acme"}, format="json")

    assert_error(response, 403, "permission_denied")
