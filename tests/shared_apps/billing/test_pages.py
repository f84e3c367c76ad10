"""The billing page on a college host: plan, status, trial and usage; Checkout and the portal
through the billing services (a fake Stripe over HTTP), and plain words when Stripe fails."""

import re

import pytest

from core.accounts.models import Role
from shared_apps.billing.models import Plan, Subscription
from tests.conftest import make_user
from tests.fakes.stripe_server import FakeStripe
from tests.tenant_apps.factories import make_student
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

BILLING = "/office/billing/"
UNAVAILABLE = "Payments are unavailable right now: nothing was charged"


@pytest.fixture
def fake_stripe(settings):
    server = FakeStripe().start()
    settings.STRIPE_API_BASE = server.url
    yield server
    server.stop()


@pytest.fixture
def admin_page(college, college_admin):
    return page_client(college, college_admin, csrf=True)


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post(client, path: str, data: dict | None = None):
    return client.post(path, {"csrfmiddlewaretoken": csrf_of(client.get(BILLING)), **(data or {})})


def test_the_page_shows_plan_status_and_usage_against_each_limit(college, college_admin):
    for _ in range(3):
        make_student(college)

    response = page_client(college, college_admin).get(BILLING)

    body = text_of(response)
    assert response.status_code == 200
    assert 'id="billing-plan"><strong>Trial' in body
    assert college.get_status_display() in body
    assert re.search(
        r'id="meter-max_students" min="0" max="\d+" high="\d+" optimum="0" value="3"', body
    )
    for limit in ("max_active_drives", "max_staff", "storage_mb"):
        assert f'id="meter-{limit}"' in body
    assert 'id="choose-growth"' in body and 'id="choose-trial"' not in body


def test_billing_is_for_the_placement_head(college, coordinator, student):
    assert page_client(college, coordinator).get(BILLING).status_code == 403
    assert page_client(college, student).get(BILLING).status_code == 403
    assert page_client(college).get(BILLING)["Location"].startswith("/sign-in/")


def test_choosing_a_plan_goes_to_stripe_checkout(college, college_admin, admin_page, fake_stripe):
    response = post(admin_page, "/office/billing/checkout/", {"plan": "growth"})

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/")
    (session,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert session["line_items[0][price]"] == "price_growth_monthly"
    (customer,) = fake_stripe.calls("POST", "/v1/customers")
    assert customer["email"] == college_admin.email


def test_a_plan_that_cannot_be_bought_is_explained(college, admin_page, fake_stripe):
    response = post(admin_page, "/office/billing/checkout/", {"plan": "trial"})

    assert response["Location"] == BILLING
    assert "Choose a paid plan." in text_of(admin_page.get(BILLING))
    assert fake_stripe.requests == []


def test_stripe_unreachable_is_a_clear_message_not_a_500(college, admin_page, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    checkout = post(admin_page, "/office/billing/checkout/", {"plan": "growth"})
    shown = text_of(admin_page.get(BILLING))

    assert checkout.status_code == 302 and checkout["Location"] == BILLING
    assert UNAVAILABLE in shown


def test_the_portal_needs_a_billing_account_then_opens(college, admin_page, fake_stripe):
    without = post(admin_page, "/office/billing/portal/")
    assert "Subscribe first" in text_of(admin_page.get(BILLING))
    Subscription.objects.create(college=college, stripe_customer_id="cus_alpha")

    page = text_of(admin_page.get(BILLING))
    opened = post(admin_page, "/office/billing/portal/")

    assert without["Location"] == BILLING
    assert 'id="manage-billing"' in page
    assert opened.status_code == 302 and opened["Location"].startswith("http")
    (call,) = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert call["customer"] == "cus_alpha"


def test_each_college_sees_its_own_subscription_and_usage(college, other_college, fake_stripe):
    Subscription.objects.create(
        college=other_college, stripe_customer_id="cus_beta", stripe_subscription_id="sub_beta"
    )
    make_student(other_college)
    admin = make_user(college, Role.ADMIN)

    body = text_of(page_client(college, admin).get(BILLING))

    assert 'id="manage-billing"' not in body
    assert 'value="0"' in body.split('id="meter-max_students"')[1][:80]


def test_coming_back_from_checkout_says_what_happened(college, admin_page):
    response = admin_page.get(BILLING, {"checkout": "cancelled"})

    assert response["Location"] == BILLING
    assert "nothing was charged" in text_of(admin_page.get(BILLING))


def test_a_custom_plan_without_limits_says_no_limit(college, admin_page):
    plan = Plan.objects.create(code="unlimited-test", name="Unlimited", is_public=False, limits={})
    college.plan = plan
    college.save()

    body = text_of(admin_page.get(BILLING))

    assert "(no limit)" in body and 'id="meter-max_students"' not in body


def test_stripe_brings_the_placement_head_back_to_the_billing_page(college, admin_page):
    back = admin_page.get("/billing/", {"checkout": "success", "session_id": "cs_1"})
    landed = admin_page.get(back["Location"])

    assert back["Location"].startswith(BILLING + "?checkout=success")
    assert landed["Location"] == BILLING
    assert "being confirmed" in text_of(admin_page.get(BILLING))
