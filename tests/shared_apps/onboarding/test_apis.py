"""Sign-up on the root domain: plans, the sub-domain check, the sign-up itself."""

import re

import pytest
from allauth.account.models import EmailAddress
from django_tenants.utils import schema_exists, tenant_context

from core.accounts.models import Role, User
from tenants.models import College, CollegeStatus, Domain
from tests.conftest import client_for, login

STRONG = "a-long-and-unusual-passphrase"


def signup_body(**overrides) -> dict:
    body = {
        "college_name": "Gamma Institute",
        "subdomain": "gamma",
        "admin_email": "Head@Gamma.edu",
        "admin_password": STRONG,
        "admin_first_name": "Gita",
        "admin_last_name": "Menon",
    }
    return {**body, **overrides}


@pytest.fixture
def root(public_tenant):
    return client_for(public_tenant)


def test_plans_are_public_with_limits_and_features(root):
    response = root.get("/api/v1/plans/")

    assert response.status_code == 200
    plans = response.json()["data"]
    assert [p["code"] for p in plans] == ["trial", "starter", "growth", "enterprise"]
    assert set(plans[0]) == {"code", "name", "price_monthly", "currency", "limits", "features"}
    assert plans[1]["limits"]["max_students"] == 500
    assert plans[1]["features"]["assessments"] is False


@pytest.mark.parametrize(
    ("subdomain", "reason"),
    [
        ("ab", "Use between 3 and 30 characters."),
        ("a" * 31, "Use between 3 and 30 characters."),
        ("-abc", "It cannot start or end with '-'."),
        ("abc-", "It cannot start or end with '-'."),
        ("ab_c", "Use only lower-case letters a-z, digits 0-9 and '-'."),
        ("ab.c", "Use only lower-case letters a-z, digits 0-9 and '-'."),
        ("www", "This name is reserved."),
        ("admin", "This name is reserved."),
        ("console", "This name is reserved."),
        ("alpha", "This sub-domain is already taken."),
    ],
)
def test_check_subdomain_explains_why_not(root, college, subdomain, reason):
    data = root.get("/api/v1/signup/check-subdomain/", {"subdomain": subdomain}).json()["data"]

    assert data == {"available": False, "reason": reason}


def test_check_subdomain_says_yes(root, college):
    data = root.get("/api/v1/signup/check-subdomain/", {"subdomain": "new-college-9"}).json()[
        "data"
    ]

    assert data == {"available": True, "reason": ""}


def test_signup_creates_a_usable_workspace(root, mailoutbox, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = root.post("/api/v1/signup/", signup_body(), format="json")

    # then the contract's answer
    assert response.status_code == 201, response.content
    tenant = response.json()["data"]["tenant"]
    assert tenant["name"] == "Gamma Institute" and tenant["subdomain"] == "gamma"
    assert tenant["domain"] == "gamma.localhost"
    assert tenant["url"] == "http://gamma.localhost/"
    assert tenant["status"] == "trialing" and tenant["plan"] == "trial"
    assert tenant["trial_ends_at"]
    # and the workspace: row, domain, schema, an unverified admin in the new schema
    college = College.objects.get(subdomain="gamma")
    assert college.status == CollegeStatus.TRIALING
    assert Domain.objects.filter(tenant=college, domain="gamma.localhost").exists()
    assert schema_exists(college.schema_name)
    with tenant_context(college):
        admin = User.objects.get()
        assert (admin.email, admin.role, admin.is_staff) == ("head@gamma.edu", Role.ADMIN, True)
        assert not EmailAddress.objects.get(user=admin).verified
    # a verification mail links to the new college's own host
    (mail,) = mailoutbox
    assert mail.to == ["head@gamma.edu"]
    key = re.search(r"http://gamma\.localhost/verify-email/\?key=(\w+)", mail.body).group(1)
    gamma = client_for(college)
    assert login(gamma, "head@gamma.edu", STRONG).json()["error"]["code"] == "email_not_verified"
    assert gamma.post("/api/v1/auth/registration/verify-email/", {"key": key}).status_code == 200
    assert login(gamma, "head@gamma.edu", STRONG).status_code == 200


def test_signup_with_a_paid_plan_trials_on_that_plan(root):
    response = root.post("/api/v1/signup/", signup_body(plan="growth"), format="json")

    assert response.json()["data"]["tenant"]["plan"] == "growth"
    assert response.json()["data"]["tenant"]["status"] == "trialing"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subdomain": "alpha"}, "subdomain"),  # taken
        ({"subdomain": "www"}, "subdomain"),  # reserved
        ({"subdomain": "Bad_Name"}, "subdomain"),  # invalid
        ({"plan": "platinum"}, "plan"),
        ({"admin_password": "password123"}, "admin_password"),
        ({"admin_password": "head@gamma.edu!!"}, "admin_password"),  # like the e-mail
        ({"admin_email": "not-an-email"}, "admin_email"),
        ({"college_name": ""}, "college_name"),
    ],
)
def test_signup_refusals_name_the_field_and_create_nothing(root, college, overrides, field):
    before = College.objects.count()

    response = root.post("/api/v1/signup/", signup_body(**overrides), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]
    assert College.objects.count() == before


def test_signup_is_only_on_the_root_domain(college):
    response = client_for(college).post("/api/v1/signup/", signup_body(), format="json")

    assert response.status_code == 404


def test_signup_is_throttled(root, settings):
    statuses = [
        root.post("/api/v1/signup/", signup_body(subdomain="www"), format="json").status_code
        for _ in range(11)
    ]

    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


@pytest.mark.parametrize("subdomain", ["xn--80ak6aa92e", "xn--pple-43d", "ab--cd"])
def test_punycode_look_alikes_do_not_sign_up(root, subdomain):
    check = root.get("/api/v1/signup/check-subdomain/", {"subdomain": subdomain}).json()["data"]
    response = root.post("/api/v1/signup/", signup_body(subdomain=subdomain), format="json")

    assert check["available"] is False and "look-alike" in check["reason"]
    assert response.status_code == 400
    assert "subdomain" in response.json()["error"]["details"]
    assert not College.objects.filter(subdomain=subdomain).exists()


def test_a_deeply_nested_sign_up_body_is_a_400(root):
    body = '{"college_name": ' + "[" * 1000 + "]" * 1000 + "}"

    response = root.generic("POST", "/api/v1/signup/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
