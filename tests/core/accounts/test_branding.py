"""The college's mail branding in `settings/`: everybody reads it, the admin sets it, and only
on a plan with the `custom_branding` feature (`402 plan_limit_reached` otherwise)."""

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from shared_apps.billing.models import Plan

SETTINGS = "/api/v1/settings/"
BRANDING = {"brand_name": "Alpha Careers", "brand_color": "#aa0033", "email_footer": "T&P cell"}


def stored(college) -> CollegeSettings:
    with tenant_context(college):
        return CollegeSettings.load()


@pytest.fixture
def enterprise(college):
    college.plan = Plan.objects.get(code="enterprise")
    college.save()


def test_branding_needs_the_custom_branding_feature(college, admin_client):
    response = admin_client.patch(SETTINGS, BRANDING, format="json")

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert error["details"] == {"feature": "custom_branding", "plan": "trial"}
    assert stored(college).brand_name == ""


def test_other_settings_change_without_the_feature(college, admin_client):
    response = admin_client.patch(SETTINGS, {"self_signup_enabled": True}, format="json")

    assert response.status_code == 200
    assert stored(college).self_signup_enabled is True


def test_on_a_plan_with_the_feature_the_admin_brands_and_everybody_reads_it(
    college, enterprise, admin_client, student_client
):
    response = admin_client.patch(SETTINGS, BRANDING, format="json")

    assert response.status_code == 200, response.json()
    data = student_client.get(SETTINGS).json()["data"]
    assert {name: data[name] for name in BRANDING} == BRANDING
    assert stored(college).brand_color == "#aa0033"


def test_after_a_downgrade_branding_can_be_kept_or_cleared_but_not_changed(college, admin_client):
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(pk=1, defaults=BRANDING)

    same = admin_client.patch(SETTINGS, BRANDING, format="json")
    changed = admin_client.patch(SETTINGS, {"brand_name": "Something else"}, format="json")
    cleared = admin_client.patch(SETTINGS, {"brand_name": "", "email_footer": ""}, format="json")

    assert (same.status_code, changed.status_code, cleared.status_code) == (200, 402, 200)
    assert (stored(college).brand_name, stored(college).email_footer) == ("", "")
    assert stored(college).brand_color == "#aa0033"


@pytest.mark.parametrize(
    "change",
    [
        {"brand_color": "red"},
        {"brand_color": "#aa0033;background:url(x)"},
        {"brand_name": "x" * 101},
        {"email_footer": "x" * 1001},
    ],
)
def test_bad_branding_is_a_validation_error(college, enterprise, admin_client, change):
    response = admin_client.patch(SETTINGS, change, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert set(response.json()["error"]["details"]) == set(change)


def test_only_the_admin_brands(college, enterprise, coordinator_client):
    response = coordinator_client.patch(SETTINGS, BRANDING, format="json")

    assert response.status_code == 403
    assert stored(college).brand_name == ""


def test_branding_belongs_to_one_college(college, other_college, enterprise, admin_client):
    admin_client.patch(SETTINGS, BRANDING, format="json")

    assert stored(college).brand_name == "Alpha Careers"
    assert stored(other_college).brand_name == ""
