"""Student self sign-up: the college's switch and allow-list, password rules, e-mail
verification with a link on the college's own host, and keys that mean nothing elsewhere."""

import re
from contextlib import contextmanager

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, User
from tests.conftest import client_for, login

REGISTER = "/api/v1/auth/registration/"
VERIFY = "/api/v1/auth/registration/verify-email/"
STRONG_PASSWORD = "violet-Tangerine-42-orbit"
VERIFY_LINK = re.compile(r"http://alpha\.localhost/verify-email/\?key=(?P<key>[A-Za-z0-9_-]+)")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the requests' on-commit work (the verification mail), which the test's own
    transaction would otherwise hold back."""

    @contextmanager
    def context():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return context


def allow_signup(college, *, enabled: bool = True, domains: tuple[str, ...] = ("alpha.edu",)):
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(
            pk=1,
            defaults={"self_signup_enabled": enabled, "student_email_domains": list(domains)},
        )


def sign_up(client, email: str = "asha@alpha.edu", **overrides):
    body = {
        "email": email,
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "first_name": "Asha",
        "last_name": "Rao",
        **overrides,
    }
    return client.post(REGISTER, body, format="json")


def users_with_email(college, email: str) -> int:
    with tenant_context(college):
        return User.objects.filter(email__iexact=email).count()


def verification_key(message) -> str:
    match = VERIFY_LINK.search(message.body)
    assert match is not None, message.body
    return match["key"]


def test_sign_up_is_refused_when_the_college_has_not_enabled_it(college, anonymous_client):
    # given a college with an allow-list but self sign-up switched off
    allow_signup(college, enabled=False)

    # when a student with an allowed address signs up
    response = sign_up(anonymous_client)

    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert users_with_email(college, "asha@alpha.edu") == 0


def test_sign_up_is_refused_by_default(college, anonymous_client):
    with tenant_context(college):
        CollegeSettings.objects.filter(pk=1).delete()  # the defaults of a fresh college

    response = sign_up(anonymous_client)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert users_with_email(college, "asha@alpha.edu") == 0


def test_sign_up_verify_then_log_in(college, anonymous_client, mailoutbox, committed):
    # given a college that lets alpha.edu students sign up
    allow_signup(college)

    # when a student signs up
    with committed():
        response = sign_up(anonymous_client, email="Asha@Alpha.edu")

    # then the account exists as a student and a verification mail links to the college's host
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["success"] is True
    assert body["data"]["email"] == "asha@alpha.edu"
    assert body["data"]["role"] == "student"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["asha@alpha.edu"]
    key = verification_key(mailoutbox[0])

    # when logging in before verifying
    early = login(anonymous_client, "asha@alpha.edu", STRONG_PASSWORD)

    # then
    assert early.status_code == 403
    assert early.json()["error"]["code"] == "email_not_verified"
    assert "access_token" not in early.cookies

    # when the key from the mail is posted, then the login works
    verified = anonymous_client.post(VERIFY, {"key": key}, format="json")
    assert verified.status_code == 200, verified.json()
    late = login(anonymous_client, "asha@alpha.edu", STRONG_PASSWORD)
    assert late.status_code == 200, late.json()
    assert late.json()["data"]["user"]["email"] == "asha@alpha.edu"
    assert late.cookies["access_token"].value


def test_an_unknown_verification_key_is_refused(college, anonymous_client):
    response = anonymous_client.post(VERIFY, {"key": "not-a-key"}, format="json")

    assert response.status_code == 400
    assert "key" in response.json()["error"]["details"]


def test_an_address_outside_the_allow_list_is_refused(
    college, anonymous_client, mailoutbox, committed
):
    allow_signup(college)

    with committed():
        response = sign_up(anonymous_client, email="asha@gmail.com")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "email" in error["details"]
    assert users_with_email(college, "asha@gmail.com") == 0
    assert mailoutbox == []


def test_a_subdomain_of_an_allowed_domain_is_not_allowed(college, anonymous_client):
    allow_signup(college)

    response = sign_up(anonymous_client, email="asha@evil-alpha.edu")

    assert response.status_code == 400
    assert "email" in response.json()["error"]["details"]


def test_passwords_that_differ_are_refused(college, anonymous_client):
    allow_signup(college)

    response = sign_up(anonymous_client, password2=STRONG_PASSWORD + "x")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "password2" in error["details"]
    assert users_with_email(college, "asha@alpha.edu") == 0


@pytest.mark.parametrize("weak", ["password123", "short", "31415926535897"])
def test_a_weak_password_is_refused(college, anonymous_client, weak):
    allow_signup(college)

    response = sign_up(anonymous_client, password1=weak, password2=weak)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "password1" in error["details"]
    assert users_with_email(college, "asha@alpha.edu") == 0


def test_an_existing_address_is_refused(college, anonymous_client, mailoutbox, committed):
    # given a student who already signed up
    allow_signup(college)
    with committed():
        assert sign_up(anonymous_client).status_code == 201
    assert len(mailoutbox) == 1
    mailoutbox.clear()

    # when somebody signs up again with the same address, in other capitals
    with committed():
        response = sign_up(anonymous_client, email="ASHA@alpha.edu", first_name="Mallory")

    # then
    assert response.status_code == 400
    assert "email" in response.json()["error"]["details"]
    assert users_with_email(college, "asha@alpha.edu") == 1
    with tenant_context(college):
        assert User.objects.get(email="asha@alpha.edu").first_name == "Asha"
    assert mailoutbox == []


def test_a_verification_key_only_works_on_its_own_college(
    college, other_college, anonymous_client, mailoutbox, committed
):
    # given a student who signed up in college A
    allow_signup(college)
    allow_signup(other_college)
    with committed():
        assert sign_up(anonymous_client).status_code == 201
    key = verification_key(mailoutbox[0])

    # when the key is posted to college B's host
    response = client_for(other_college).post(VERIFY, {"key": key}, format="json")

    # then B refuses it, has no such user, and A's address is still unverified
    assert response.status_code == 400
    assert "key" in response.json()["error"]["details"]
    assert users_with_email(other_college, "asha@alpha.edu") == 0
    early = login(anonymous_client, "asha@alpha.edu", STRONG_PASSWORD)
    assert early.json()["error"]["code"] == "email_not_verified"
    # and the key still works where it belongs
    assert anonymous_client.post(VERIFY, {"key": key}, format="json").status_code == 200
