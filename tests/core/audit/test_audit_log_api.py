"""The college admin's audit log: data changes and security events, filtered, read-only."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.companies.models import Company
from tests.conftest import client_for, login, make_user


def entries(client, **params) -> list[dict]:
    response = client.get("/api/v1/audit-log/", params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_admin_sees_changes_with_actor_and_fields(admin_client, college_admin):
    company = admin_client.post(
        "/api/v1/companies/",
        {"name": "Acme", "industry": "Steel"},
        format="json",
        REMOTE_ADDR="203.0.113.5",
    ).json()["data"]
    admin_client.patch(f"/api/v1/companies/{company['id']}/", {"industry": "Software"})
    admin_client.delete(f"/api/v1/companies/{company['id']}/")
    admin_client.post(f"/api/v1/companies/{company['id']}/restore/")

    log = entries(admin_client, model="company", object_id=company["id"], ordering="timestamp")

    assert [e["action"] for e in log] == ["create", "update", "delete", "restore"]
    assert log[1]["changes"] == {"industry": ["Steel", "Software"]}
    assert log[0]["actor"] == {"id": college_admin.pk, "email": college_admin.email}
    assert log[0]["ip"] == "203.0.113.5"


def test_security_events_are_recorded_with_ip_and_user_agent(college, coordinator, admin_client):
    # given a failed login, a successful one and a password change
    client = client_for(college)
    login(client, coordinator.email, "wrong", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Probe/1")
    login(client, coordinator.email, REMOTE_ADDR="198.51.100.8", HTTP_USER_AGENT="Browser/2")
    client.post(
        "/api/v1/auth/password/change/",
        {
            "old_password": "correct-horse-battery-staple",
            "new_password1": "an-entirely-new-passphrase",
            "new_password2": "an-entirely-new-passphrase",
        },
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        REMOTE_ADDR="198.51.100.8",
    )

    # when the admin reads the security part of the log
    log = entries(admin_client, action="security", ordering="timestamp")

    # then
    assert [(e["action"], e["ip"]) for e in log] == [
        ("login_failed", "198.51.100.7"),
        ("login", "198.51.100.8"),
        ("password_changed", "198.51.100.8"),
    ]
    assert log[0]["user_agent"] == "Probe/1"
    assert log[0]["object_repr"] == coordinator.email
    assert {e["actor"]["id"] for e in log} == {coordinator.pk}


def test_lockout_is_recorded(college, coordinator, admin_client, settings):
    for n in range(settings.ACCOUNT_LOCKOUT_FAILURES):
        login(client_for(college), coordinator.email, "wrong", REMOTE_ADDR=f"10.2.0.{n}")

    assert [e["action"] for e in entries(admin_client, event="account_locked")] == [
        "account_locked"
    ]


def test_filters_by_actor_and_date(college, admin_client, college_admin, coordinator_client):
    coordinator_client.post("/api/v1/companies/", {"name": "By coordinator"}, format="json")
    admin_client.post("/api/v1/companies/", {"name": "By admin"}, format="json")

    mine = entries(admin_client, actor=college_admin.pk, action="create")
    future = entries(admin_client, since="2999-01-01T00:00:00Z")

    assert [e["object_repr"] for e in mine] == ["By admin"]
    assert future == []


def test_only_admins_read_the_log_and_nobody_writes_it(coordinator_client, admin_client):
    assert coordinator_client.get("/api/v1/audit-log/").status_code == 403
    assert admin_client.post("/api/v1/audit-log/", {}).status_code == 405
    assert admin_client.delete("/api/v1/audit-log/1/").status_code == 404


def test_a_college_never_sees_another_colleges_entries(college, other_college, admin_client):
    other_admin = make_user(other_college, Role.ADMIN)
    client_for(other_college, other_admin).post(
        "/api/v1/companies/", {"name": "Their secret"}, format="json"
    )

    assert all(e["object_repr"] != "Their secret" for e in entries(admin_client))


def test_query_count_does_not_grow_with_entries(college, admin_client):
    def count_for(n: int) -> int:
        with tenant_context(college):
            for i in range(n):
                Company.objects.create(name=f"C{n}-{i}")
        with CaptureQueriesContext(connection) as queries:
            assert len(entries(admin_client, page_size=100)) >= n
        return len(queries)

    admin_client.get("/healthz")
    assert count_for(2) == count_for(25)
