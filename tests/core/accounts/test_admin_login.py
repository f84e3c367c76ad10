"""The Django admin (the operators' console, on the root domain only: college hosts serve
none) signs in through the API's sign-in: the lockout, the throttles, one generic error, and a
code step with limited guesses."""

import pytest
from django.test import Client

from core.accounts.models import Role, User
from tests.conftest import PASSWORD, client_for, host_of, login, make_user
from tests.core.accounts.test_two_factor import code_for, enable_2fa

GENERIC = "Enter the e-mail address, password and code of a staff account."


@pytest.fixture
def admin_with_2fa(public_tenant):
    """An operator of the console with a confirmed TOTP device."""
    user = make_user(public_tenant, Role.OPERATOR, "ops@placemate.example")
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    client = client_for(public_tenant)
    login(client, user.email)
    secret, _codes = enable_2fa(client)
    return user, secret


def admin_login(tenant, email: str, password: str, code: str = "", address: str = "10.5.0.1"):
    browser = Client(HTTP_HOST=host_of(tenant))
    response = browser.post(
        "/admin/login/",
        {"username": email, "password": password, "otp_token": code, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return browser, response


def errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def test_a_right_password_and_a_wrong_one_answer_alike(public_tenant, admin_with_2fa):
    user, _secret = admin_with_2fa

    _, wrong = admin_login(public_tenant, user.email, "not-the-password")
    _, right_without_code = admin_login(public_tenant, user.email, PASSWORD)
    _, unknown = admin_login(public_tenant, "nobody@alpha.edu", PASSWORD)

    assert errors(wrong) == errors(right_without_code) == errors(unknown) == [GENERIC]


def test_the_right_password_and_code_sign_in(public_tenant, admin_with_2fa):
    user, secret = admin_with_2fa

    browser, response = admin_login(public_tenant, user.email, PASSWORD, code_for(secret, 1))

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_admin_failures_lock_the_account_for_the_api_too(public_tenant, admin_with_2fa, settings):
    user, secret = admin_with_2fa
    for n in range(settings.ACCOUNT_LOCKOUT_FAILURES):
        admin_login(public_tenant, user.email, "wrong", address=f"10.5.1.{n}")

    api = login(client_for(public_tenant), user.email, REMOTE_ADDR="10.5.2.1")
    _, admin = admin_login(public_tenant, user.email, PASSWORD, code_for(secret, 1), "10.5.2.2")

    assert api.json()["error"]["code"] == "account_locked"
    assert admin.status_code == 200 and "locked" in errors(admin)[0]


def test_wrong_codes_lock_the_account_and_then_the_right_code_is_refused(
    public_tenant, admin_with_2fa, settings
):
    user, secret = admin_with_2fa
    for n in range(settings.ACCOUNT_LOCKOUT_FAILURES):
        _, response = admin_login(public_tenant, user.email, PASSWORD, "000000", f"10.5.3.{n}")
        assert response.status_code == 200

    _, right = admin_login(public_tenant, user.email, PASSWORD, code_for(secret, 1), "10.5.4.1")

    assert right.status_code == 200 and "locked" in errors(right)[0]


def test_the_admin_sign_in_is_throttled_per_address_and_account(
    public_tenant, admin_with_2fa, settings
):
    settings.AUTH_ACCOUNT_ADDRESS_RATE = "3/min"
    settings.ACCOUNT_LOCKOUT_FAILURES = 100
    user, _secret = admin_with_2fa

    answers = [errors(admin_login(public_tenant, user.email, "wrong")[1]) for _ in range(4)]

    assert answers[:3] == [[GENERIC]] * 3
    assert "wait" in answers[3][0].lower()


def test_a_college_host_has_no_admin_sign_in(college, coordinator):
    _, response = admin_login(college, coordinator.email, PASSWORD)

    assert response.status_code == 404


def test_an_operator_signs_in_to_the_root_domain_s_admin(public_tenant, settings):
    from django_tenants.utils import tenant_context

    from core.accounts.models import TOTPDevice, User
    from core.accounts.services import email_mark_verified
    from tests.core.accounts.test_two_factor import code_for as code

    with tenant_context(public_tenant):
        operator = User.objects.create_superuser(email="ops@placemate.example", password=PASSWORD)
        email_mark_verified(user=operator)
        device = TOTPDevice.for_new_secret(user=operator, hex_key="31323334353637383930" * 2)
        device.confirmed = True
        device.save()
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    wrong = Client(HTTP_HOST="localhost").post(
        "/admin/login/", {"username": operator.email, "password": "nope", "otp_token": code(secret)}
    )
    right = Client(HTTP_HOST="localhost").post(
        "/admin/login/",
        {"username": operator.email, "password": PASSWORD, "otp_token": code(secret)},
    )

    assert errors(wrong) == [GENERIC]
    assert right.status_code == 302
