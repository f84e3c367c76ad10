"""Billing: checkout and portal against a fake Stripe over HTTP, signed webhooks, statuses."""

import json
import time
from datetime import timedelta

import pytest
import stripe
from django.utils import timezone

from shared_apps.billing.models import StripeEvent, Subscription, SubscriptionStatusChange
from shared_apps.billing.services import billing_enforce
from tenants.models import College, CollegeStatus
from tests.conftest import client_for
from tests.fakes.stripe_server import FakeStripe

SECRET = "whsec_test_placemate"


@pytest.fixture
def fake_stripe(settings):
    server = FakeStripe().start()
    settings.STRIPE_API_BASE = server.url
    yield server
    server.stop()


@pytest.fixture
def root(public_tenant):
    return client_for(public_tenant)


def deliver(root, event: dict, *, secret: str = SECRET, timestamp: int | None = None):
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return root.generic(
        "POST",
        "/api/v1/billing/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


_counter = iter(range(1, 10**6))


def event(kind: str, obj: dict, *, created: int | None = None, event_id: str | None = None):
    return {
        "id": event_id or f"evt_test_{next(_counter)}",
        "object": "event",
        "type": kind,
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "api_version": "2025-01-01",
    }


def subscription_object(customer: str, status: str, price: str = "price_growth_monthly"):
    return {
        "id": "sub_test_1",
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "current_period_end": int(time.time()) + 30 * 86400,
        "items": {"object": "list", "data": [{"id": "si_1", "price": {"id": price}}]},
        "metadata": {},
    }


@pytest.fixture
def customer(college):
    Subscription.objects.create(college=college, stripe_customer_id="cus_alpha")
    return "cus_alpha"


def status_of(college: College) -> str:
    college.refresh_from_db()
    return college.status


# --- College side --------------------------------------------------------------------------------


def test_checkout_creates_the_customer_once_and_a_subscription_session(
    college, admin_client, college_admin, fake_stripe
):
    first = admin_client.post("/api/v1/billing/checkout/", {"plan": "growth"}, format="json")
    admin_client.post("/api/v1/billing/checkout/", {"plan": "starter"}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["data"]["url"].startswith("https://checkout.stripe.test/")
    (customer,) = fake_stripe.calls("POST", "/v1/customers")
    assert customer["email"] == college_admin.email
    assert customer["metadata[college_id]"] == str(college.pk)
    sessions = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert len(sessions) == 2
    customer_id = Subscription.objects.get(college=college).stripe_customer_id
    prices = ["price_growth_monthly", "price_starter_monthly"]
    for session, price in zip(sessions, prices, strict=True):
        assert session["mode"] == "subscription"
        assert session["customer"] == customer_id
        assert session["line_items[0][price]"] == price
        assert session["success_url"].startswith("http://alpha.localhost/billing/")
        assert session["cancel_url"].startswith("http://alpha.localhost/billing/")
        assert session["client_reference_id"] == str(college.pk)
    auth = {r["authorization"] for r in fake_stripe.requests}
    assert auth == {"Bearer sk_test_placemate"}


def test_checkout_refuses_the_trial_plan_and_non_admins(
    admin_client, coordinator_client, fake_stripe
):
    trial = admin_client.post("/api/v1/billing/checkout/", {"plan": "trial"}, format="json")
    coordinator = coordinator_client.post(
        "/api/v1/billing/checkout/", {"plan": "growth"}, format="json"
    )

    assert trial.status_code == 400 and "plan" in trial.json()["error"]["details"]
    assert coordinator.status_code == 403
    assert fake_stripe.requests == []


def test_portal_needs_a_customer_and_returns_to_the_college(
    college, admin_client, customer, fake_stripe
):
    response = admin_client.post("/api/v1/billing/portal/")

    assert response.status_code == 200
    (call,) = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert call == {"customer": "cus_alpha", "return_url": "http://alpha.localhost/billing/"}


def test_portal_without_a_customer_is_a_400(admin_client, fake_stripe):
    response = admin_client.post("/api/v1/billing/portal/")

    assert response.status_code == 400
    assert fake_stripe.requests == []


def test_billing_overview_shows_plan_status_and_usage(admin_client, college):
    data = admin_client.get("/api/v1/billing/").json()["data"]

    assert data["plan"]["code"] == "trial"
    assert data["status"] == "trialing"
    assert data["subscription"] is None
    assert data["usage"]["max_staff"] == {"used": 1, "limit": 3}
    assert set(data["usage"]) == {"max_students", "max_active_drives", "max_staff", "storage_mb"}


# --- Webhook -------------------------------------------------------------------------------------


def test_a_bad_signature_is_refused_and_nothing_is_written(root, customer):
    response = deliver(root, event("invoice.paid", {"customer": customer}), secret="whsec_wrong")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not StripeEvent.objects.exists()


def test_a_stale_signature_is_refused(root, customer):
    old = int(time.time()) - 3600

    response = deliver(root, event("invoice.paid", {"customer": customer}), timestamp=old)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_missing_signature_is_refused(root):
    response = root.post("/api/v1/billing/webhook/", {"id": "evt_x"}, format="json")

    assert response.status_code == 400


def test_checkout_completed_links_the_subscription_and_activates(root, college, customer):
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "customer": customer,
        "subscription": "sub_test_1",
        "client_reference_id": str(college.pk),
        "payment_status": "paid",
        "metadata": {"college_id": str(college.pk), "plan": "growth"},
    }

    response = deliver(root, event("checkout.session.completed", session))

    assert response.status_code == 200 and response.json()["data"]["processed"] is True
    subscription = Subscription.objects.get(college=college)
    assert subscription.stripe_subscription_id == "sub_test_1"
    assert subscription.plan.code == "growth"
    college.refresh_from_db()
    assert (college.status, college.plan.code) == (CollegeStatus.ACTIVE, "growth")


def test_subscription_events_set_plan_period_and_status(root, college, customer):
    deliver(root, event("customer.subscription.created", subscription_object(customer, "active")))

    subscription = Subscription.objects.get(college=college)
    assert subscription.status == "active"
    assert subscription.current_period_end > timezone.now()
    assert status_of(college) == CollegeStatus.ACTIVE
    assert college.plan.code == "growth"

    updated = subscription_object(customer, "active", price="price_enterprise_monthly")
    updated["cancel_at_period_end"] = True
    deliver(root, event("customer.subscription.updated", updated))

    subscription.refresh_from_db()
    college.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert college.plan.code == "enterprise"


def test_updated_before_created_ends_in_the_updated_state(root, college, customer):
    now = int(time.time())
    created = event(
        "customer.subscription.created",
        subscription_object(customer, "incomplete"),
        created=now - 60,
    )
    updated = event(
        "customer.subscription.updated", subscription_object(customer, "active"), created=now
    )

    deliver(root, updated)
    deliver(root, created)  # arrives last, happened first

    assert Subscription.objects.get(college=college).status == "active"
    assert status_of(college) == CollegeStatus.ACTIVE


def test_payment_failure_is_past_due_and_payment_makes_it_active(root, college, customer):
    deliver(root, event("invoice.payment_failed", {"customer": customer}))

    assert status_of(college) == CollegeStatus.PAST_DUE
    response = client_for(college).get("/healthz")
    assert response["X-Billing-Status"] == "past_due"

    deliver(root, event("invoice.paid", {"customer": customer}))

    assert status_of(college) == CollegeStatus.ACTIVE
    assert "X-Billing-Status" not in client_for(college).get("/healthz")
    history = list(
        SubscriptionStatusChange.objects.order_by("id").values_list("from_status", "to_status")
    )
    assert history == [("", "past_due"), ("past_due", "active")]


def test_paid_before_failed_ends_active(root, college, customer):
    now = int(time.time())
    failed = event("invoice.payment_failed", {"customer": customer}, created=now - 120)
    paid = event("invoice.paid", {"customer": customer}, created=now)

    deliver(root, paid)
    deliver(root, failed)

    assert status_of(college) == CollegeStatus.ACTIVE
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_deleted_subscription_makes_the_college_read_only(
    root, college, customer, coordinator_client
):
    deliver(root, event("customer.subscription.deleted", subscription_object(customer, "active")))

    assert status_of(college) == CollegeStatus.READ_ONLY
    assert Subscription.objects.get(college=college).ended_at is not None
    refused = coordinator_client.post("/api/v1/companies/", {"name": "Acme"}, format="json")
    assert refused.status_code == 402
    assert coordinator_client.get("/api/v1/companies/").status_code == 200


def test_a_duplicate_delivery_is_processed_once(root, college, customer):
    failed = event("invoice.payment_failed", {"customer": customer})

    first = deliver(root, failed)
    second = deliver(root, failed)

    assert first.json()["data"]["processed"] is True
    assert second.status_code == 200 and second.json()["data"]["processed"] is False
    assert SubscriptionStatusChange.objects.count() == 1
    assert StripeEvent.objects.count() == 1


def test_an_unknown_type_is_acknowledged(root):
    response = deliver(root, event("customer.tax_id.created", {"id": "txi_1"}))

    assert response.status_code == 200
    assert StripeEvent.objects.get().type == "customer.tax_id.created"


def test_an_event_for_an_unknown_customer_changes_nothing(root, college, customer):
    response = deliver(root, event("invoice.payment_failed", {"customer": "cus_somebody_else"}))

    assert response.status_code == 200
    assert status_of(college) == CollegeStatus.TRIALING


def test_a_handler_failure_is_a_500_and_leaves_nothing_half_applied(
    root, college, customer, monkeypatch
):
    def explode(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("shared_apps.billing.services.college_set_status", explode)
    failed = event("invoice.payment_failed", {"customer": customer})

    response = deliver(root, failed)

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert not StripeEvent.objects.exists()  # Stripe will retry it
    assert Subscription.objects.get(college=college).status == ""  # the first write undone
    monkeypatch.undo()
    assert deliver(root, failed).status_code == 200  # the retry goes through
    assert status_of(college) == CollegeStatus.PAST_DUE


def test_suspension_by_an_operator_is_not_overridden_by_billing(root, college, customer):
    from tenants.lifecycle import college_set_status

    college_set_status(college=college, status=CollegeStatus.SUSPENDED, reason="abuse")

    deliver(root, event("invoice.paid", {"customer": customer}))

    assert status_of(college) == CollegeStatus.SUSPENDED


# --- Periodic ------------------------------------------------------------------------------------


def test_grace_over_turns_read_only_then_ended_subscriptions_go_to_cancellation(
    root, college, customer, settings
):
    deliver(root, event("invoice.payment_failed", {"customer": customer}))
    within = billing_enforce(now=timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS - 1))
    assert within == {"read_only": 0, "cancelled": 0}
    assert status_of(college) == CollegeStatus.PAST_DUE

    over = billing_enforce(now=timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS + 1))

    assert over["read_only"] == 1
    assert status_of(college) == CollegeStatus.READ_ONLY


def test_a_long_ended_subscription_takes_the_deletion_path(root, college, customer, settings):
    deliver(root, event("customer.subscription.deleted", subscription_object(customer, "active")))

    later = timezone.now() + timedelta(days=settings.COLLEGE_DATA_RETENTION_DAYS + 1)
    result = billing_enforce(now=later)

    assert result["cancelled"] == 1
    assert status_of(college) == CollegeStatus.CANCELLED


# --- Answers that were 500 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "malformed",
    [
        {"id": "evt_bad_1", "object": "event", "type": "invoice.paid", "created": 1},
        {"id": "evt_bad_2", "type": "invoice.paid", "created": 1, "data": {"object": "x"}},
        {"id": 7, "type": "invoice.paid", "created": 1, "data": {"object": {}}},
        {"type": "invoice.paid", "created": "yesterday", "data": {"object": {}}},
    ],
)
def test_a_signed_but_malformed_event_is_a_400_and_writes_nothing(root, malformed):
    response = deliver(root, malformed)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not StripeEvent.objects.exists()


def test_a_signed_event_with_a_malformed_object_is_a_400(root, college, customer):
    broken = event(
        "customer.subscription.updated",
        {**subscription_object(customer, "active"), "items": {"data": [{"price": None}]}},
    )

    response = deliver(root, broken)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert status_of(college) == CollegeStatus.TRIALING


def test_a_deeply_nested_signed_payload_is_a_400(root):
    payload = '{"id": "evt_deep", "data": ' + "[" * 5000 + "]" * 5000 + "}"
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    response = root.generic(
        "POST",
        "/api/v1/billing/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_checkout_and_portal_with_stripe_unreachable_answer_billing_unavailable(
    admin_client, customer, settings
):
    from tests.conftest import free_port

    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nobody listens there

    checkout = admin_client.post("/api/v1/billing/checkout/", {"plan": "growth"}, format="json")
    portal = admin_client.post("/api/v1/billing/portal/")

    for response in (checkout, portal):
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "billing_unavailable"
        assert "nothing was charged" in error["message"]


def test_checkout_without_stripe_configured_says_so(admin_client, customer, settings):
    settings.STRIPE_SECRET_KEY = ""

    response = admin_client.post("/api/v1/billing/checkout/", {"plan": "growth"}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "billing_unavailable"
    assert "not set up" in response.json()["error"]["message"]
