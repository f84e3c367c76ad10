"""The account pages: the name through the API's serializer, the password change that signs
every other session out, and 2FA (QR code, confirm, recovery codes once, disable, new codes),
reachable to staff who must still set it up."""

import re

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import RecoveryCode, Role, TOTPDevice, User
from tests.conftest import PASSWORD, client_for, make_user
from tests.core.accounts.test_two_factor import code_for
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

ACCOUNT = "/account/"
SECURITY = "/account/security/"
NEW_PASSWORD = "a-much-longer-passphrase-2026"


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post(client, form_page: str, path: str, data: dict):
    """A POST from the form of `form_page`, with its CSRF token."""
    token = csrf_of(client.get(form_page))
    return client.post(path, {"csrfmiddlewaretoken": token, **data})


def secret_on(response) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', text_of(response)).group(1)


def set_up_2fa(client) -> tuple[str, list[str]]:
    """Through the pages: a new key, then its first code; the secret and the recovery codes."""
    post(client, SECURITY, "/account/security/setup/", {})
    secret = secret_on(client.get(SECURITY))
    shown = post(client, SECURITY, "/account/security/confirm/", {"confirm-code": code_for(secret)})
    codes = re.findall(r"<li><code>([^<]+)</code></li>", text_of(shown))
    return secret, codes


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.RECRUITER, Role.STUDENT])
def test_every_role_has_an_account_page(college, role):
    user = make_user(college, role)

    response = page_client(college, user).get(ACCOUNT)

    assert response.status_code == 200
    assert user.email in text_of(response)
    assert page_client(college).get(ACCOUNT)["Location"].startswith("/sign-in/")


def test_the_name_is_saved_through_the_apis_serializer(college, student):
    client = page_client(college, student, csrf=True)

    response = post(client, ACCOUNT, ACCOUNT, {"first_name": "Meera", "last_name": "Iyer"})
    saved = client.get(ACCOUNT)
    blank = post(client, ACCOUNT, ACCOUNT, {"first_name": "", "last_name": "Kept"})

    assert response.status_code == 302
    assert "Your name is saved" in text_of(saved)
    with tenant_context(college):
        assert User.objects.get(pk=student.pk).get_full_name() == "Meera Iyer"
    assert blank.status_code == 400
    assert 'id="error-first_name"' in text_of(blank)
    assert 'value="Kept"' in text_of(blank)


def test_the_account_form_needs_the_csrf_token(college, student):
    client = page_client(college, student, csrf=True)

    response = client.post(ACCOUNT, {"first_name": "Nope"})

    assert response.status_code == 403


def test_a_password_change_signs_other_sessions_out_and_keeps_this_one(college, student):
    client = page_client(college, student, csrf=True)
    elsewhere = client.cookies["refresh_token"].value

    response = post(
        client,
        ACCOUNT,
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.cookies["access_token"].value
    assert client.get(ACCOUNT).status_code == 200  # this browser stays signed in
    refreshed = client_for(college).post("/api/v1/auth/token/refresh/", {"refresh": elsewhere})
    assert refreshed.status_code == 401
    with tenant_context(college):
        assert User.objects.get(pk=student.pk).check_password(NEW_PASSWORD)


def test_a_wrong_or_weak_password_is_explained_and_nothing_changes(college, student):
    client = page_client(college, student, csrf=True)

    wrong = post(
        client,
        ACCOUNT,
        "/account/password/",
        {
            "old_password": "not-it-at-all",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    weak = post(
        client,
        ACCOUNT,
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )

    assert wrong.status_code == weak.status_code == 400
    assert 'id="error-old_password"' in text_of(wrong)
    assert "too short" in text_of(weak)
    assert NEW_PASSWORD not in text_of(wrong)  # a password is never sent back
    with tenant_context(college):
        assert User.objects.get(pk=student.pk).check_password(PASSWORD)


def test_setting_up_2fa_shows_a_qr_code_then_the_recovery_codes_once(college, coordinator):
    client = page_client(college, coordinator, csrf=True)

    post(client, SECURITY, "/account/security/setup/", {})
    setup = client.get(SECURITY)
    body = text_of(setup)
    secret = secret_on(setup)
    wrong = post(client, SECURITY, "/account/security/confirm/", {"confirm-code": "000000"})
    right = post(client, SECURITY, "/account/security/confirm/", {"confirm-code": code_for(secret)})

    assert 'id="qr-code"><svg' in body and "<path" in body
    assert "style=" not in body
    assert wrong.status_code == 400 and 'id="error-confirm-code"' in text_of(wrong)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", text_of(right))
    assert right.status_code == 200 and len(codes) == 10
    assert "shown only this once" in text_of(right)
    assert right.cookies["access_token"].value  # this sign-in counts as two-factor now
    assert codes[0] not in text_of(client.get(SECURITY))
    with tenant_context(college):
        assert TOTPDevice.objects.get(user=coordinator).confirmed


def test_staff_forced_to_use_2fa_can_set_it_up_and_then_open_the_workspace(
    college, admin_client, coordinator
):
    admin_client.patch("/api/v1/settings/", {"require_2fa_for_staff": True}, format="json")
    client = page_client(college, coordinator, otp_verified=False, csrf=True)
    assert client.get("/office/")["Location"] == SECURITY
    assert 'id="2fa-required"' in text_of(client.get(SECURITY))

    set_up_2fa(client)

    assert client.get("/office/").status_code == 200


def test_2fa_is_turned_off_with_a_code_and_not_without(college, student):
    client = page_client(college, student, csrf=True)
    _secret, codes = set_up_2fa(client)

    refused = post(client, SECURITY, "/account/security/disable/", {"disable-code": "123456"})
    with tenant_context(college):
        still_on = TOTPDevice.objects.filter(user=student, confirmed=True).exists()
    done = post(client, SECURITY, "/account/security/disable/", {"disable-code": codes[0]})

    assert refused.status_code == 400 and "Invalid code" in text_of(refused)
    assert still_on
    assert done.status_code == 302
    with tenant_context(college):
        assert not TOTPDevice.objects.filter(user=student).exists()


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(college, student):
    client = page_client(college, student, csrf=True)
    secret, old_codes = set_up_2fa(client)

    refused = post(
        client, SECURITY, "/account/security/recovery-codes/", {"regenerate-code": old_codes[0]}
    )
    renewed = post(
        client,
        SECURITY,
        "/account/security/recovery-codes/",
        {"regenerate-code": code_for(secret, 1)},
    )

    assert refused.status_code == 400
    new_codes = re.findall(r"<li><code>([^<]+)</code></li>", text_of(renewed))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    with tenant_context(college):
        assert RecoveryCode.objects.filter(device__user=student, used_at__isnull=True).count() == 10
    api = client_for(college, student)
    assert api.post("/api/v1/auth/2fa/disable/", {"code": old_codes[1]}).status_code == 400


def test_a_setup_started_in_another_college_is_not_shown_here(college, other_college):
    alpha = make_user(college, Role.COORDINATOR, "same@person.example")
    beta = make_user(other_college, Role.COORDINATOR, "same@person.example")
    beta_client = page_client(other_college, beta, csrf=True)
    post(beta_client, SECURITY, "/account/security/setup/", {})

    body = text_of(page_client(college, alpha).get(SECURITY))

    assert 'id="start-setup"' in body and 'id="totp-secret"' not in body


def test_codes_on_the_pages_share_the_apis_throttle(college, student):
    client = page_client(college, student, csrf=True)
    post(client, SECURITY, "/account/security/setup/", {})
    api = client_for(college, student)
    for _ in range(10):  # the `auth_user` rate of the API: 10 a minute
        api.post("/api/v1/auth/2fa/totp/confirm/", {"code": "000000"})

    response = post(client, SECURITY, "/account/security/confirm/", {"confirm-code": "000000"})

    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)
