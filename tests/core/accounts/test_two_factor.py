"""TOTP two-factor authentication: setup, two-step login, recovery codes, policies, admin."""

import time
from base64 import b32decode
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.db import connection
from django.utils import timezone
from django_otp.oath import TOTP
from django_tenants.utils import tenant_context

from core.accounts.models import (
    CollegeSettings,
    LoginChallenge,
    RecoveryCode,
    Role,
    TOTPDevice,
    User,
)
from tests.conftest import client_for, login, make_user


def code_for(secret_b32: str, steps_ahead: int = 0) -> str:
    """The TOTP code of a time step; each step is accepted once, so each use takes the next."""
    totp = TOTP(b32decode(secret_b32), step=30, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def csrf(client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def enable_2fa(client) -> tuple[str, list[str]]:
    """Set up and confirm TOTP for the logged-in client's user; returns (secret, codes)."""
    setup = client.post("/api/v1/auth/2fa/totp/setup/", **csrf(client)).json()["data"]
    confirmed = client.post(
        "/api/v1/auth/2fa/totp/confirm/",
        {"code": code_for(setup["secret"])},
        format="json",
        **csrf(client),
    )
    assert confirmed.status_code == 200, confirmed.content
    return setup["secret"], confirmed.json()["data"]["recovery_codes"]


@pytest.fixture
def with_2fa(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)
    secret, codes = enable_2fa(client)
    return coordinator, secret, codes


def test_setup_returns_a_secret_and_an_otpauth_uri(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)

    data = client.post("/api/v1/auth/2fa/totp/setup/", **csrf(client)).json()["data"]

    uri = urlparse(data["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [data["secret"]]
    assert unquote(uri.path).endswith(f":{coordinator.email}")
    with tenant_context(college):
        assert TOTPDevice.objects.get(user=coordinator).confirmed is False


def test_confirm_with_a_wrong_code_is_refused(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)
    client.post("/api/v1/auth/2fa/totp/setup/", **csrf(client))

    response = client.post(
        "/api/v1/auth/2fa/totp/confirm/", {"code": "000000"}, format="json", **csrf(client)
    )

    assert response.status_code == 400
    assert "code" in response.json()["error"]["details"]
    with tenant_context(college):
        assert not User.objects.get(pk=coordinator.pk).is_2fa_enabled


def test_confirm_gives_ten_distinct_recovery_codes(college, with_2fa):
    coordinator, _secret, codes = with_2fa

    assert len(codes) == len(set(codes)) == 10
    client_for(college)
    with tenant_context(college):
        assert User.objects.get(pk=coordinator.pk).is_2fa_enabled


def test_login_with_2fa_takes_two_steps(college, with_2fa):
    coordinator, secret, _codes = with_2fa
    client = client_for(college)

    first = login(client, coordinator.email)

    assert first.status_code == 200
    assert first.json()["data"]["otp_required"] is True
    assert "access_token" not in first.cookies
    assert client.get("/api/v1/auth/user/").status_code == 401

    second = client.post(
        "/api/v1/auth/2fa/verify/",
        {"otp_token": first.json()["data"]["otp_token"], "code": code_for(secret, 1)},
        format="json",
    )

    assert second.status_code == 200
    assert second.json()["data"]["user"]["is_2fa_enabled"] is True
    assert client.get("/api/v1/auth/user/").status_code == 200


def test_otp_token_is_single_use(college, with_2fa):
    coordinator, secret, codes = with_2fa
    otp_token = login(client_for(college), coordinator.email).json()["data"]["otp_token"]
    verify = {"otp_token": otp_token, "code": code_for(secret, 1)}
    assert client_for(college).post("/api/v1/auth/2fa/verify/", verify).status_code == 200

    again = client_for(college).post(
        "/api/v1/auth/2fa/verify/", {"otp_token": otp_token, "code": codes[0]}
    )

    assert again.status_code == 401
    assert again.json()["error"]["code"] == "token_invalid"


def test_otp_token_expires(college, with_2fa):
    coordinator, _secret, codes = with_2fa
    otp_token = login(client_for(college), coordinator.email).json()["data"]["otp_token"]
    with tenant_context(college):
        LoginChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client_for(college).post(
        "/api/v1/auth/2fa/verify/", {"otp_token": otp_token, "code": codes[0]}
    )

    assert response.status_code == 401 and response.json()["error"]["code"] == "token_invalid"


def test_otp_token_is_valid_only_on_the_college_that_issued_it(college, other_college, with_2fa):
    coordinator, _secret, codes = with_2fa
    twin = make_user(other_college, Role.COORDINATOR, coordinator.email)
    with tenant_context(other_college):
        assert twin.pk  # the same e-mail exists on the other college
    otp_token = login(client_for(college), coordinator.email).json()["data"]["otp_token"]

    response = client_for(other_college).post(
        "/api/v1/auth/2fa/verify/", {"otp_token": otp_token, "code": codes[0]}
    )

    assert response.status_code == 401 and response.json()["error"]["code"] == "token_invalid"


def test_a_recovery_code_works_once(college, with_2fa):
    coordinator, _secret, codes = with_2fa

    def sign_in_with(code: str):
        otp_token = login(client_for(college), coordinator.email).json()["data"]["otp_token"]
        return client_for(college).post(
            "/api/v1/auth/2fa/verify/", {"otp_token": otp_token, "code": code}
        )

    assert sign_in_with(codes[0].upper()).status_code == 200  # case and dash tolerant
    reused = sign_in_with(codes[0])
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "authentication_failed"
    assert sign_in_with(codes[1]).status_code == 200


def test_wrong_codes_lock_the_account_like_wrong_passwords(college, with_2fa, settings):
    coordinator, _secret, _codes = with_2fa
    statuses = []
    for attempt in range(settings.ACCOUNT_LOCKOUT_FAILURES):
        otp_token = login(
            client_for(college), coordinator.email, REMOTE_ADDR=f"10.9.0.{attempt}"
        ).json()["data"]["otp_token"]
        statuses.append(
            client_for(college)
            .post(
                "/api/v1/auth/2fa/verify/",
                {"otp_token": otp_token, "code": "123456"},
                REMOTE_ADDR=f"10.9.1.{attempt}",
            )
            .status_code
        )

    response = login(client_for(college), coordinator.email, REMOTE_ADDR="10.9.2.1")

    assert statuses[-1] == 403
    assert response.status_code == 403 and response.json()["error"]["code"] == "account_locked"


def test_invalid_otp_tokens_spend_the_address_s_failure_budget(college, settings):
    settings.AUTH_ADDRESS_FAILURE_RATE = "5/min"
    client = client_for(college)
    statuses = [
        client.post("/api/v1/auth/2fa/verify/", {"otp_token": "x", "code": "1"}).status_code
        for _ in range(6)
    ]

    assert statuses == [401] * 5 + [429]


def test_disable_needs_a_valid_code(college, with_2fa):
    coordinator, _secret, codes = with_2fa
    client = client_for(college)
    otp_token = login(client, coordinator.email).json()["data"]["otp_token"]
    client.post("/api/v1/auth/2fa/verify/", {"otp_token": otp_token, "code": codes[0]})

    refused = client.post("/api/v1/auth/2fa/disable/", {"code": "000000"}, **csrf(client))
    done = client.post("/api/v1/auth/2fa/disable/", {"code": codes[1]}, **csrf(client))

    assert refused.status_code == 400
    assert done.status_code == 200
    assert login(client_for(college), coordinator.email).json()["data"].get("otp_required") is None


def test_secrets_are_not_stored_in_clear(college, with_2fa, settings):
    coordinator, secret, codes = with_2fa
    with tenant_context(college):
        device = TOTPDevice.objects.get(user=coordinator)
        stored_codes = list(RecoveryCode.objects.values_list("code_hash", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT encrypted_key FROM accounts_totpdevice")
            (raw,) = cursor.fetchone()
    hex_secret = b32decode(secret).hex()

    assert hex_secret not in raw and secret not in raw
    assert device.hex_key == hex_secret  # the application can still use it
    assert not any(code.replace("-", "") in stored for code in codes for stored in stored_codes)
    # a dump plus a different key (another deployment, an attacker) yields nothing usable
    from cryptography.fernet import InvalidToken

    from core.accounts import crypto

    crypto._fernet.cache_clear()
    settings.SECRET_KEY = "another-secret-key-of-sufficient-length-0123456789abcdefghij"
    try:
        with pytest.raises(InvalidToken):
            crypto.decrypt(raw)
    finally:
        crypto._fernet.cache_clear()


# --- Policies ------------------------------------------------------------------------------------


def test_required_2fa_blocks_staff_without_a_device_except_setup(college, coordinator, student):
    # given a college that requires 2FA for staff
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(pk=1, defaults={"require_2fa_for_staff": True})
    staff = client_for(college)
    login(staff, coordinator.email)
    pupil = client_for(college)
    login(pupil, student.email)

    # when / then: staff are stopped everywhere but the setup endpoints
    blocked = staff.get("/api/v1/companies/")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "otp_required"
    assert staff.get("/api/v1/auth/user/").status_code == 403
    assert pupil.get("/api/v1/auth/user/").status_code == 200  # students are not staff

    enable_2fa(staff)  # setup + confirm are allowed, and re-issue the session's tokens

    assert staff.get("/api/v1/companies/").status_code == 200


def test_policy_change_applies_at_once(college, coordinator, admin_client):
    staff = client_for(college)
    login(staff, coordinator.email)
    assert staff.get("/api/v1/companies/").status_code == 200

    admin_client.patch("/api/v1/settings/", {"require_2fa_for_staff": True}, format="json")

    assert staff.get("/api/v1/companies/").status_code == 403


def test_operators_always_need_2fa(public_tenant):
    operator = make_user(public_tenant, Role.OPERATOR, "operator@placemate.example")
    client = client_for(public_tenant)
    assert login(client, operator.email).status_code == 200

    blocked = client.get("/api/v1/auth/user/")
    enable_2fa(client)

    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "otp_required"
    assert client.get("/api/v1/auth/user/").status_code == 200
