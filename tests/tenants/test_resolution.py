import os
import subprocess
import sys

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import CollegeStatus, Domain
from tenants.resolution import LocalLayer, local_layer
from tests.conftest import client_for, host_of, wait_for


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


def test_warm_process_needs_neither_database_nor_redis(college, settings):
    client = client_for(college)
    client.get("/healthz")  # warm both layers

    settings.CACHES = {  # from here on, Redis is unreachable for this process's caches
        alias: {**config, "LOCATION": "redis://127.0.0.1:1/0"}
        for alias, config in settings.CACHES.items()
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.wsgi_request.tenant == college
    assert len(queries) == 0


def test_change_announced_by_another_process_drops_the_local_entry(college):
    # given a college resolved from this process's memory
    client = client_for(college)
    client.get("/healthz")
    assert local_layer.get(host_of(college)) == (True, college)

    # when another process (a web worker elsewhere) announces that the college changed
    script = (
        "import django; django.setup(); "
        "from tenants.resolution import forget_hosts; "
        f"forget_hosts([{host_of(college)!r}])"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=True,
        timeout=60,
    )

    # then this process forgets it and reads it again
    assert wait_for(lambda: local_layer.get(host_of(college))[0] is False)
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert lookups(queries) == 1


def test_local_layer_switches_off_when_its_subscription_breaks(college, redis_server):
    port, process = redis_server
    layer = LocalLayer()
    layer.start(f"redis://127.0.0.1:{port}/0")
    assert wait_for(lambda: layer.live)
    layer.put("alpha.localhost", college, layer.generation())
    assert layer.get("alpha.localhost") == (True, college)

    process.terminate()
    process.wait()

    assert wait_for(lambda: not layer.live)
    assert layer.get("alpha.localhost") == (False, None)


def test_a_lookup_that_raced_with_a_change_is_not_kept(college):
    generation = local_layer.generation()  # a lookup starts...
    local_layer.forget(host_of(college))  # ...a change is announced meanwhile...
    local_layer.put(host_of(college), college, generation)  # ...the lookup ends

    assert local_layer.get(host_of(college)) == (False, None)
