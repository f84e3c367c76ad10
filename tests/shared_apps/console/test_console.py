"""The operators' platform API and console: actions, their effect on the college host, the
operator audit log, usage snapshots, metrics, and who may use them."""

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_tenants.utils import tenant_context

from core import datacache
from core.accounts.models import Role, TOTPDevice, User
from shared_apps.billing.models import Plan, Subscription
from shared_apps.console.models import OperatorAction, UsageSnapshot
from shared_apps.console.services import usage_refresh, usage_refresh_all
from tenants.models import College, CollegeStatus
from tests.conftest import PASSWORD, client_for, host_of, make_user
from tests.fakes.stripe_server import FakeStripe
from tests.shared_apps.console.conftest import bearer_client

# --- Who may -------------------------------------------------------------------------------------


def test_anonymous_and_non_operators_are_refused(public_tenant, operator):
    anonymous = client_for(public_tenant).get("/api/v1/platform/tenants/")
    other = make_user(public_tenant, Role.STUDENT, "not-an-operator@placemate.example")
    client, auth = bearer_client(public_tenant, other)
    not_operator = client.get("/api/v1/platform/tenants/", **auth)
    client, auth = bearer_client(public_tenant, operator, otp=False)
    without_2fa = client.get("/api/v1/platform/tenants/", **auth)

    assert anonymous.status_code == 401
    assert not_operator.status_code == 403
    assert not_operator.json()["error"]["code"] == "permission_denied"
    assert without_2fa.status_code == 403
    assert without_2fa.json()["error"]["code"] == "otp_required"


def test_the_platform_api_does_not_exist_on_a_college_host(college, admin_client):
    assert admin_client.get("/api/v1/platform/tenants/").status_code == 404


# --- Tenants and actions -------------------------------------------------------------------------


def test_tenants_list_with_usage_filters_and_search(ops, college, other_college):
    usage_refresh(college=college)
    make_user(college, Role.ADMIN, "head@alpha.edu")
    usage_refresh(college=college)
    College.objects.filter(pk=other_college.pk).update(status=CollegeStatus.ACTIVE)

    listed = ops.get("/api/v1/platform/tenants/").json()
    trialing = ops.get("/api/v1/platform/tenants/", status="trialing").json()["data"]
    by_admin = ops.get("/api/v1/platform/tenants/", search="head@alpha").json()["data"]
    detail = ops.get(f"/api/v1/platform/tenants/{college.pk}/").json()["data"]

    assert {t["subdomain"] for t in listed["data"]} >= {"alpha", "beta"}
    assert "public" not in {t["subdomain"] for t in listed["data"]}
    assert [t["subdomain"] for t in trialing] == ["alpha"]
    assert [t["subdomain"] for t in by_admin] == ["alpha"]
    assert detail["usage"]["staff"] == 1 and detail["usage"]["admin_email"] == "head@alpha.edu"
    assert set(detail["usage"]) >= {"students", "drives", "applications", "storage_mb"}


def test_suspend_refuses_the_college_host_at_once_and_reactivate_restores_it(
    ops, operator, college, coordinator_client
):
    assert coordinator_client.get("/api/v1/companies/").status_code == 200  # host cached warm

    suspended = ops.post(f"/api/v1/platform/tenants/{college.pk}/suspend/", {"reason": "abuse"})
    blocked = coordinator_client.get("/api/v1/companies/")
    reactivated = ops.post(f"/api/v1/platform/tenants/{college.pk}/reactivate/")
    back = coordinator_client.get("/api/v1/companies/")

    assert suspended.status_code == 200 and suspended.json()["data"]["status"] == "suspended"
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "tenant_suspended"
    assert reactivated.json()["data"]["status"] == "trialing"
    assert back.status_code == 200
    log = list(OperatorAction.objects.order_by("id").values("action", "reason", "ip", "operator"))
    assert log == [
        {"action": "suspend", "reason": "abuse", "ip": "192.0.2.44", "operator": operator.pk},
        {"action": "reactivate", "reason": "", "ip": "192.0.2.44", "operator": operator.pk},
    ]


def test_suspend_needs_a_reason(ops, college):
    response = ops.post(f"/api/v1/platform/tenants/{college.pk}/suspend/", {})

    assert response.status_code == 400 and "reason" in response.json()["error"]["details"]
    assert not OperatorAction.objects.exists()


def test_extend_trial_reopens_an_expired_trial(ops, college, coordinator_client):
    College.objects.filter(pk=college.pk).update(
        status=CollegeStatus.READ_ONLY, trial_ends_at=timezone.now() - timedelta(days=1)
    )
    college.refresh_from_db()
    college.save()  # drop the cached resolution, as the status change did

    response = ops.post(f"/api/v1/platform/tenants/{college.pk}/extend-trial/", {"days": 10})

    assert response.status_code == 200
    college.refresh_from_db()
    assert college.status == CollegeStatus.TRIALING
    assert timedelta(days=9) < college.trial_ends_at - timezone.now() <= timedelta(days=10)
    assert (
        coordinator_client.post("/api/v1/companies/", {"name": "A"}, format="json").status_code
        == 201
    )
    assert OperatorAction.objects.get().details["days"] == 10


def test_change_plan_without_a_subscription_is_local(ops, college):
    response = ops.post(f"/api/v1/platform/tenants/{college.pk}/change-plan/", {"plan": "growth"})

    assert response.json()["data"]["plan"] == "growth"
    assert OperatorAction.objects.get().details == {"previous_plan": "trial", "plan": "growth"}


def test_change_plan_goes_through_stripe_when_subscribed(ops, college, settings):
    server = FakeStripe().start()
    settings.STRIPE_API_BASE = server.url
    try:
        Subscription.objects.create(
            college=college, stripe_customer_id="cus_a", stripe_subscription_id="sub_a"
        )

        ops.post(f"/api/v1/platform/tenants/{college.pk}/change-plan/", {"plan": "enterprise"})

        (update,) = server.calls("POST", "/v1/subscriptions/sub_a")
        assert update["items[0][price]"] == "price_enterprise_monthly"
        assert update["items[0][id]"] == "si_fake"
    finally:
        server.stop()
    college.refresh_from_db()
    assert college.plan.code == "enterprise"


def test_the_operator_log_is_append_only(ops, college):
    ops.post(f"/api/v1/platform/tenants/{college.pk}/suspend/", {"reason": "abuse"})
    entry = OperatorAction.objects.get()

    entry.reason = "nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        OperatorAction.objects.all().delete()
    with pytest.raises(PermissionError):
        OperatorAction.objects.update(reason="x")


# --- Usage and metrics ---------------------------------------------------------------------------


def test_usage_snapshot_follows_changes_in_the_college(college, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_user(college, Role.COORDINATOR, "one@alpha.edu")

    snapshot = UsageSnapshot.objects.get(college=college)
    assert snapshot.staff == 1
    assert snapshot.last_activity_at is None or snapshot.last_activity_at <= timezone.now()


def test_usage_refresh_counts_each_college_in_its_own_schema(college, other_college):
    for n in range(3):
        make_user(other_college, Role.COORDINATOR, f"c{n}@beta.edu")

    usage_refresh(college=college)
    usage_refresh(college=other_college)

    assert UsageSnapshot.objects.get(college=college).staff == 0
    assert UsageSnapshot.objects.get(college=other_college).staff == 3


def test_the_hourly_refresh_counts_again_only_the_colleges_written_to(college, other_college):
    usage_refresh_all()
    assert usage_refresh_all() == 0  # nothing written since: no schema is read
    with tenant_context(other_college):
        User.objects.create_user(email="c1@beta.edu", password=PASSWORD, role=Role.COORDINATOR)
    alpha_before = UsageSnapshot.objects.get(college=college).refreshed_at

    assert usage_refresh_all() == 1
    assert UsageSnapshot.objects.get(college=other_college).staff == 1
    assert UsageSnapshot.objects.get(college=college).refreshed_at == alpha_before

    with tenant_context(other_college):  # a bulk write, which no model signal sees
        User.objects.filter(email="c1@beta.edu").update(role=Role.STUDENT)
    assert usage_refresh_all() == 1
    assert UsageSnapshot.objects.get(college=other_college).staff == 0


def test_a_college_whose_data_version_is_lost_is_counted_again(college, other_college):
    usage_refresh_all()
    with tenant_context(college):
        cache.delete(datacache.VERSION_KEY)  # as if Redis had lost it

    assert usage_refresh_all() == 1
    assert usage_refresh_all() == 0  # the refresh started a new version and kept it
    assert usage_refresh_all(changed_only=False) >= 2


def test_metrics(ops, college, other_college):
    Subscription.objects.create(
        college=college, status="active", plan=Plan.objects.get(code="growth")
    )
    College.objects.filter(pk=college.pk).update(status=CollegeStatus.ACTIVE)

    data = ops.get("/api/v1/platform/metrics/").json()["data"]

    assert data["tenants_by_status"]["active"] == 1
    assert data["tenants_by_status"]["trialing"] == 1
    assert data["mrr"] == "149.00"
    assert data["paying_colleges"] == 1
    assert len(data["signups_per_week"]) == 12
    assert data["signups_per_week"][-1]["count"] >= 2


# --- The console (Django admin) ------------------------------------------------------------------


@pytest.fixture
def console(public_tenant, operator):
    """A browser session in the console: password and TOTP code through the OTP admin login."""
    from core.accounts.services import otpauth_uri  # noqa: F401 (the same device machinery)

    with tenant_context(public_tenant):
        device = TOTPDevice.for_new_secret(
            user=operator, hex_key="3132333435363738393031323334353637383930"
        )
        device.confirmed = True
        device.save()
    code = TOTP(b32decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), step=30, digits=6)
    code.time = time.time()
    browser = Client(HTTP_HOST="localhost")
    response = browser.post(
        "/admin/login/",
        {
            "username": operator.email,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": f"{code.token():06d}",
            "next": "/admin/",
        },
    )
    assert response.status_code == 302, response.content[:500]
    return browser


def test_console_lists_searches_and_suspends_with_a_reason(console, college, other_college):
    usage_refresh(college=college)

    listing = console.get("/admin/tenants/college/", {"q": "alpha"})
    html = listing.content.decode()
    assert "Alpha Institute" in html and "Beta College" not in html

    ask = console.post(
        "/admin/tenants/college/",
        {"action": "suspend", "_selected_action": [college.pk]},
    )
    assert "reason" in ask.content.decode()
    done = console.post(
        "/admin/tenants/college/",
        {"action": "suspend", "_selected_action": [college.pk], "apply": "1", "reason": "spam"},
        follow=True,
    )

    assert "Suspend: 1 college(s)." in done.content.decode()
    college.refresh_from_db()
    assert college.status == CollegeStatus.SUSPENDED
    assert OperatorAction.objects.get().reason == "spam"


def test_drop_now_needs_the_typed_confirmation(console, college):
    refused = console.post(
        "/admin/tenants/college/",
        {"action": "drop_now", "_selected_action": [college.pk], "apply": "1", "reason": "x",
         "confirm": "drop"},
    )  # fmt: skip

    assert "Type DROP in capitals" in refused.content.decode()
    college.refresh_from_db()
    assert college.status != CollegeStatus.CANCELLED


def test_console_metrics_page_draws_charts(console, college):
    page = console.get("/admin/metrics/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-status"' in html and 'id="chart-signups"' in html
    assert re.search(r"<rect [^>]*height=\"\d+\"", html)


def test_console_needs_an_operator_session(public_tenant):
    assert Client(HTTP_HOST="localhost").get("/admin/metrics/").status_code == 302


def test_college_hosts_serve_no_console(college):
    """The console (the Django admin) lives on the root domain only: a college's host has no
    admin site at all (its people work in the workspace)."""
    browser = Client(HTTP_HOST=host_of(college))

    for path in ("/admin/", "/admin/login/", "/admin/tenants/college/"):
        assert browser.get(path).status_code == 404
