"""Statuses on the college host, trial expiry, cancellation, export and purge."""

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from tenant_apps.companies.models import Company
from tenants.lifecycle import college_set_status, colleges_purge_due
from tenants.models import College, CollegeStatus, Domain
from tenants.services import AdminAccount, college_provision
from tenants.tasks import expire_trials, purge_cancelled
from tests.conftest import client_for


def set_status(college: College, status: str) -> None:
    college_set_status(college=college, status=status, reason="test")


def write(client):
    return client.post("/api/v1/companies/", {"name": "Acme"}, format="json")


@pytest.mark.parametrize("status", [CollegeStatus.TRIALING, CollegeStatus.ACTIVE])
def test_trialing_and_active_have_full_access(college, coordinator_client, status):
    set_status(college, status)

    assert coordinator_client.get("/api/v1/companies/").status_code == 200
    assert write(coordinator_client).status_code == 201


def test_past_due_has_full_access_and_a_header(college, coordinator_client):
    set_status(college, CollegeStatus.PAST_DUE)

    response = coordinator_client.get("/api/v1/companies/")

    assert response.status_code == 200
    assert response["X-Billing-Status"] == "past_due"
    assert write(coordinator_client).status_code == 201


def test_read_only_allows_reads_auth_and_billing_but_no_writes(college, coordinator):
    # given a logged-in coordinator, then the college turns read-only
    client = client_for(college)
    from tests.conftest import login

    assert login(client, coordinator.email).status_code == 200
    set_status(college, CollegeStatus.READ_ONLY)
    csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}

    # then
    assert client.get("/api/v1/companies/").status_code == 200
    refused = client.post("/api/v1/companies/", {"name": "Acme"}, format="json", **csrf)
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "subscription_inactive"
    assert client.delete("/api/v1/companies/1/", **csrf).status_code == 402
    assert client.post("/api/v1/auth/token/refresh/").status_code == 200  # auth still works
    assert client.post("/api/v1/auth/logout/").status_code == 200
    assert client.post("/api/v1/billing/checkout/", **csrf).status_code != 402


def test_suspended_refuses_everything_at_once(college, coordinator_client):
    assert coordinator_client.get("/api/v1/companies/").status_code == 200  # cache warm

    set_status(college, CollegeStatus.SUSPENDED)

    for response in (
        coordinator_client.get("/api/v1/companies/"),
        write(coordinator_client),
        client_for(college).post("/api/v1/auth/login/", {"email": "a@b.c", "password": "x"}),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "tenant_suspended"
    assert client_for(college).get("/healthz").status_code == 200  # the process is fine

    set_status(college, CollegeStatus.ACTIVE)  # reactivated: back at once
    assert coordinator_client.get("/api/v1/companies/").status_code == 200


def test_cancelled_host_is_not_found(college, coordinator_client):
    set_status(college, CollegeStatus.CANCELLED)

    response = coordinator_client.get("/api/v1/companies/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"


def test_expired_trials_turn_read_only(college, other_college):
    College.objects.filter(pk=college.pk).update(trial_ends_at=timezone.now() - timedelta(hours=1))
    College.objects.filter(pk=other_college.pk).update(
        trial_ends_at=timezone.now() + timedelta(days=3)
    )
    client_for(college).get("/healthz")  # resolution cached before the change

    expired = expire_trials.delay().get()

    assert expired == 1
    college.refresh_from_db()
    other_college.refresh_from_db()
    assert college.status == CollegeStatus.READ_ONLY
    assert other_college.status == CollegeStatus.TRIALING
    assert write(client_for(college)).status_code == 402  # seen at once, cache or not


# --- Cancellation ------------------------------------------------------------------------------


@pytest.fixture
def zeta(db, _schemas, django_capture_on_commit_callbacks):
    admin = AdminAccount("head@zeta.edu", "a-long-and-unusual-passphrase", "Zia", "Khan")
    college = college_provision(name="Zeta", subdomain="zeta", admin=admin, verified_admin=True)
    with tenant_context(college):
        Company.objects.create(name="Zeta Works", industry="Steel")
    return college


def test_cancel_needs_the_admin_and_the_typed_subdomain(zeta, coordinator_client):
    from core.accounts.models import Role, User

    with tenant_context(zeta):
        admin = User.objects.get(role=Role.ADMIN)
    client = client_for(zeta, admin)

    wrong = client.post("/api/v1/workspace/cancel/", {"confirm": "alpha"}, format="json")

    assert wrong.status_code == 400 and "confirm" in wrong.json()["error"]["details"]
    assert (
        coordinator_client.post("/api/v1/workspace/cancel/", {"confirm": "alpha"}).status_code
        == 403
    )
    zeta.refresh_from_db()
    assert zeta.status == CollegeStatus.TRIALING


def test_cancellation_pipeline_end_to_end(zeta, mailoutbox, public_tenant):
    from core.accounts.models import Role, User

    with tenant_context(zeta):
        admin = User.objects.get(role=Role.ADMIN)
    client = client_for(zeta, admin)
    with tenant_context(zeta):
        Company.objects.create(name='=HYPERLINK("http://evil")', industry="+91 98")

    # when the admin cancels
    response = client.post("/api/v1/workspace/cancel/", {"confirm": "zeta"}, format="json")

    # then the host is gone at once and the admins got a link to the export
    assert response.status_code == 200
    assert client.get("/api/v1/companies/").json()["error"]["code"] == "tenant_not_found"
    zeta.refresh_from_db()
    assert zeta.status == CollegeStatus.CANCELLED and zeta.cancelled_at is not None
    (mail,) = mailoutbox
    assert mail.to == ["head@zeta.edu"]
    link = re.search(r"http://localhost(/api/v1/exports/[^/\s]+/)", mail.body).group(1)

    # and the export holds every resource as JSON and CSV, without secrets
    download = client_for(public_tenant).get(link)
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(archive.namelist())
    assert {"companies.company.json", "companies.company.csv", "accounts.user.json"} <= names
    companies = json.loads(archive.read("companies.company.json"))
    assert [c["name"] for c in companies] == ["Zeta Works", '=HYPERLINK("http://evil")']
    rows = list(csv.DictReader(io.StringIO(archive.read("companies.company.csv").decode())))
    assert rows[1]["name"] == '\'=HYPERLINK("http://evil")'  # no formula in a spreadsheet
    assert rows[1]["industry"] == "'+91 98"
    users = json.loads(archive.read("accounts.user.json"))
    assert users[0]["email"] == "head@zeta.edu" and "password" not in users[0]
    assert "accounts.totpdevice.json" not in names

    # when the retention period is not over, the purge leaves it alone
    assert purge_cancelled.delay().get() == 0
    assert schema_exists(zeta.schema_name)

    # when it is over, the schema, the domain and the files go
    export_file = zeta.export_file
    assert colleges_purge_due(now=timezone.now() + timedelta(days=31)) == 1
    zeta.refresh_from_db()
    assert zeta.purged_at is not None
    assert not schema_exists(zeta.schema_name)
    assert not Domain.objects.filter(tenant=zeta).exists()
    assert not storages["exports"].exists(export_file)
    assert client_for(public_tenant).get(link).status_code == 404


def test_an_operator_can_cancel_and_drop_at_once(zeta):
    from django.core.management import call_command

    call_command("cancel_college", "zeta", "--now")

    zeta.refresh_from_db()
    assert zeta.status == CollegeStatus.CANCELLED and zeta.purged_at is not None
    assert not schema_exists(zeta.schema_name)


def test_a_forged_export_link_is_refused(public_tenant):
    response = client_for(public_tenant).get("/api/v1/exports/not-a-signed-token/")

    assert response.status_code == 404
