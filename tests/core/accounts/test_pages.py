"""The college host's pages behind e-mailed links: verify, reset, accept an invitation."""

import re

from django.test import Client
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role
from tests.conftest import client_for, host_of, login

STRONG = "a-long-and-unusual-passphrase"


def page_client(college) -> Client:
    return Client(HTTP_HOST=host_of(college))


def test_verify_email_page_confirms_with_one_click(
    college, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(
            pk=1, defaults={"self_signup_enabled": True, "student_email_domains": ["alpha.edu"]}
        )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(college).post(
            "/api/v1/auth/registration/",
            {"email": "s@alpha.edu", "password1": STRONG, "password2": STRONG, "first_name": "S"},
        )
    path = re.search(r"http://alpha\.localhost(/verify-email/\?key=\w+)", mailoutbox[0].body)[1]
    browser = page_client(college)

    page = browser.get(path)
    key = re.search(r'name="key" value="(\w+)"', page.content.decode())[1]
    done = browser.post("/verify-email/", {"key": key})

    assert page.status_code == 200 and "Verify my address" in page.content.decode()
    assert "Your address is verified" in done.content.decode()
    assert login(client_for(college), "s@alpha.edu", STRONG).status_code == 200


def test_verify_email_page_shows_a_bad_key(college):
    response = page_client(college).post("/verify-email/", {"key": "nope"})

    assert response.status_code == 200
    assert 'id="error-key"' in response.content.decode()


def test_reset_password_page_sets_the_new_password(college, coordinator, mailoutbox):
    client_for(college).post("/api/v1/auth/password/reset/", {"email": coordinator.email})
    link = re.search(r"/reset-password/\?uid=(\w+)&token=([\w-]+)", mailoutbox[0].body)
    browser = page_client(college)

    weak = browser.post(
        "/reset-password/",
        {"uid": link[1], "token": link[2], "new_password1": "123", "new_password2": "123"},
    )
    done = browser.post(
        "/reset-password/",
        {"uid": link[1], "token": link[2], "new_password1": STRONG, "new_password2": STRONG},
    )

    assert 'class="error"' in weak.content.decode()
    assert "Your password is changed" in done.content.decode()
    assert login(client_for(college), coordinator.email, STRONG).status_code == 200


def test_accept_invitation_page_creates_the_account(
    college, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/api/v1/users/invite/",
            {"email": "new@alpha.edu", "role": Role.COORDINATOR},
            format="json",
        )
    key = re.search(r"/accept-invitation/\?key=([\w-]+)", mailoutbox[0].body)[1]

    done = page_client(college).post(
        "/accept-invitation/", {"key": key, "first_name": "Nia", "password": STRONG}
    )

    assert "Your account is ready" in done.content.decode()
    assert login(client_for(college), "new@alpha.edu", STRONG).status_code == 200
