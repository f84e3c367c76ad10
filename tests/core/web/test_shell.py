"""The workspace shell: one sign-in with the API, pages by role, friendly errors for browsers."""

import re

import pytest
from django.core import mail
from django.test import RequestFactory
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from core.web.decorators import OFFICE, page
from tests.conftest import PASSWORD, client_for, host_of, login, make_user
from tests.core.accounts.test_two_factor import code_for
from tests.web import HTML, page_client, text_of

pytestmark = pytest.mark.django_db


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def sign_in_form(client, email, password=PASSWORD, **extra):
    form = client.get("/sign-in/")
    return client.post(
        "/sign-in/",
        {"csrfmiddlewaretoken": csrf_of(form), "email": email, "password": password, **extra},
    )


def test_the_workspace_address_is_a_sign_in_page_in_the_colleges_name(college):
    response = page_client(college).get("/")
    assert response.status_code == 200
    assert f"Sign in to {college.name}" in text_of(response)
    assert 'name="password"' in text_of(response)


def test_signing_in_on_the_page_sets_the_apis_cookies_and_leads_to_the_role_home(college):
    # given
    coordinator = make_user(college, Role.COORDINATOR)
    client = page_client(college, csrf=True)
    # when
    response = sign_in_form(client, coordinator.email)
    # then
    assert response.status_code == 302
    assert response.cookies["access_token"]["httponly"]
    api = client_for(college)
    api.cookies = client.cookies
    me = api.get("/api/v1/auth/user/")
    assert me.status_code == 200
    assert me.json()["data"]["email"] == coordinator.email


def test_a_wrong_password_shows_one_generic_error_and_counts_toward_the_lockout(college):
    user = make_user(college, Role.STUDENT)
    client = page_client(college, csrf=True)
    response = sign_in_form(client, user.email, "wrong-password-123")
    assert response.status_code == 200
    assert 'id="form-errors"' in text_of(response)
    assert "access_token" not in response.cookies
    with tenant_context(college):
        assert User.objects.get(pk=user.pk).failed_login_count == 1


def test_an_account_with_2fa_signs_in_through_the_code_step(college, admin_client, college_admin):
    # given an admin with a confirmed TOTP device
    setup = admin_client.post("/api/v1/auth/2fa/totp/setup/").json()["data"]
    admin_client.post("/api/v1/auth/2fa/totp/confirm/", {"code": code_for(setup["secret"])})
    client = page_client(college, csrf=True)
    # when
    step = sign_in_form(client, college_admin.email)
    # then a code is asked before any cookie is set
    assert step.status_code == 200 and "access_token" not in step.cookies
    token = re.search(r'name="otp_token" value="([^"]+)"', text_of(step)).group(1)
    wrong = client.post(
        "/sign-in/code/",
        {"csrfmiddlewaretoken": csrf_of(step), "otp_token": token, "code": "000000"},
    )
    assert wrong.status_code == 200 and "access_token" not in wrong.cookies
    right = client.post(
        "/sign-in/code/",
        {
            "csrfmiddlewaretoken": csrf_of(step),
            "otp_token": token,
            "code": code_for(setup["secret"], 1),
        },
    )
    assert right.status_code == 302 and right.cookies["access_token"].value


def test_a_page_without_sign_in_leads_to_the_sign_in_page_and_back(college):
    response = page_client(college).get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Faccount%2F"


def test_pages_renew_an_expired_access_token_from_the_refresh_cookie(college, student):
    client = page_client(college, student)
    client.cookies["access_token"] = "expired-or-garbage"
    response = client.get("/account/")
    assert response.status_code == 200
    assert student.email in text_of(response)
    assert response.cookies["access_token"].value not in ("", "expired-or-garbage")


def test_a_token_of_another_college_signs_nobody_in(college, other_college):
    stranger = make_user(other_college, Role.ADMIN)
    client = page_client(other_college, stranger)
    client.defaults["HTTP_HOST"] = host_of(college)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_staff_who_must_use_2fa_are_sent_to_set_it_up(college, admin_client, coordinator):
    admin_client.patch("/api/v1/settings/", {"require_2fa_for_staff": True}, format="json")
    client = page_client(college, coordinator, otp_verified=False)
    assert client.get("/account/")["Location"] == "/account/security/"
    assert client.get("/account/security/").status_code == 200


def test_sign_out_revokes_the_refresh_token(college, student):
    client = page_client(college, student, csrf=True)
    form = client.get("/account/")
    refresh = client.cookies["refresh_token"].value
    response = client.post("/sign-out/", {"csrfmiddlewaretoken": csrf_of(form)})
    assert response.status_code == 302
    renewed = client_for(college).post("/api/v1/auth/token/refresh/", {"refresh": refresh})
    assert renewed.status_code == 401


def test_sign_in_needs_the_csrf_token(college, student):
    client = page_client(college, csrf=True)
    response = client.post("/sign-in/", {"email": student.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]


def test_forgot_password_mails_a_link_to_the_college_host_and_tells_nobody_who_exists(
    college, student
):
    client = page_client(college, csrf=True)
    for email in (student.email, "nobody@nowhere.example"):
        form = client.get("/forgot-password/")
        response = client.post(
            "/forgot-password/", {"csrfmiddlewaretoken": csrf_of(form), "email": email}
        )
        assert response.status_code == 200
        assert 'id="result"' in text_of(response)
    assert len(mail.outbox) == 1
    assert host_of(college) in mail.outbox[0].body


@pytest.mark.parametrize(
    ("accept", "kind"), [(HTML, "text/html"), ("application/json", "application/json")]
)
def test_errors_are_pages_for_browsers_and_the_envelope_for_api_clients(college, accept, kind):
    client = page_client(college)
    response = client.get("/no-such-page/", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert response["Content-Type"].startswith(kind)
    if kind == "text/html":
        assert "We could not find that page" in text_of(response)
        assert "unsafe-inline" not in response["Content-Security-Policy"]
    else:
        assert response.json()["error"]["code"] == "not_found"


def test_api_paths_keep_the_envelope_even_for_browsers(college):
    response = page_client(college).get("/api/v1/students/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_suspended_college_shows_a_page_to_browsers(college):
    college.status = "suspended"
    college.save()
    response = page_client(college).get("/")
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]
    assert "You cannot open this page" in text_of(response)


def test_workspace_pages_have_a_strict_content_security_policy(college, student):
    response = page_client(college, student).get("/account/")
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_a_page_of_another_role_is_a_403_page(college, student):
    @page(roles=OFFICE)
    def office_only(request):  # pragma: no cover - never reached by a student
        raise AssertionError

    request = RequestFactory().get("/", HTTP_HOST=host_of(college), HTTP_ACCEPT=HTML)
    client = page_client(college, student)
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    with tenant_context(college):
        college.domain_url = host_of(college)
        response = office_only(request)
    assert response.status_code == 403


def test_a_read_only_college_can_still_sign_in_and_reach_billing_but_not_write(college, student):
    # given a college whose trial is over
    college.status = "read_only"
    college.save()
    client = page_client(college, csrf=True)
    # when its people sign in on the page
    response = sign_in_form(client, student.email)
    # then they get in, and writes elsewhere answer the read-only page
    assert response.status_code == 302 and response.cookies["access_token"].value
    refused = client.post("/account/password/", {"csrfmiddlewaretoken": "x"})
    assert refused.status_code == 402
    assert "Your workspace is read-only" in text_of(refused)


def test_the_navigation_marks_the_most_specific_entry_as_current(college):
    recruiter = make_user(college, Role.RECRUITER)
    response = page_client(college, recruiter).get("/recruiter/interviews/")
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', text_of(response))
    assert set(current) == {"/recruiter/interviews/"}


def test_the_page_sign_in_shares_the_apis_throttles(college, student, settings):
    settings.AUTH_ACCOUNT_ADDRESS_RATE = "3/min"
    settings.ACCOUNT_LOCKOUT_FAILURES = 100
    client = page_client(college, csrf=True)
    answers = [sign_in_form(client, student.email, "wrong-password-123") for _ in range(4)]
    assert all(a.status_code == 200 for a in answers)
    assert "wait" in text_of(answers[3]).lower()
    api = login(client_for(college), student.email)  # the same budget as the API's
    assert api.status_code == 429
