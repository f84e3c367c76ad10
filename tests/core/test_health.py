"""/healthz and /readyz, including Redis stopped or unreachable."""

import time

from config.settings.base import redis_cache
from tests.conftest import client_for, free_port


def caches_at(url: str) -> dict:
    return {
        "default": redis_cache(url, tenant_prefixed=True),
        "tenancy": redis_cache(url, tenant_prefixed=False),
    }


def test_healthz_on_both_url_sets(public_tenant, college):
    for tenant in (public_tenant, college):
        response = client_for(tenant).get("/healthz")
        assert response.status_code == 200
        assert response.json()["data"] == {"status": "ok"}


def test_readyz_reports_database_and_redis(college):
    response = client_for(college).get("/readyz")

    assert response.status_code == 200
    assert response.json()["data"] == {"database": "ok", "redis": "ok"}


def test_readyz_names_an_unreachable_redis_and_the_api_keeps_answering(
    college, coordinator_client, settings
):
    settings.CACHES = caches_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    ready = client_for(college).get("/readyz")
    listing = coordinator_client.get("/api/v1/companies/")

    assert ready.status_code == 503
    error = ready.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["details"] == {"database": "ok", "redis": "unavailable"}
    assert "redis" in error["message"]
    assert listing.status_code == 200  # cache misses, not errors


def test_readyz_and_api_when_redis_stops(college, coordinator_client, redis_server, settings):
    port, process = redis_server
    settings.CACHES = caches_at(f"redis://127.0.0.1:{port}/0")
    client = client_for(college)
    assert client.get("/readyz").status_code == 200

    process.terminate()
    process.wait()
    started = time.monotonic()
    ready = client.get("/readyz")
    listing = coordinator_client.get("/api/v1/companies/")
    elapsed = time.monotonic() - started

    assert ready.status_code == 503
    assert ready.json()["error"]["details"]["redis"] == "unavailable"
    assert listing.status_code == 200
    assert elapsed < 5 * settings.REDIS_SOCKET_TIMEOUT + 2  # misses, not hangs
