"""Login, JWT cookies, refresh, logout and the binding of every token to one college's host."""

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.utils import aware_utcnow

from core.accounts import tokens as tokens_module
from core.accounts.models import Role, User
from core.accounts.services import email_mark_verified
from core.accounts.throttling import parse_rate
from tests.conftest import PASSWORD, client_for, login, make_user
from tests.core.test_datacache import redis_commands
from tests.core.test_health import caches_at

USER_FIELDS = {"id", "email", "first_name", "last_name", "role", "is_2fa_enabled"}


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_login_sets_host_only_httponly_cookies_and_returns_the_user(college, coordinator):
    response = login(client_for(college), coordinator.email)

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data["user"]) == USER_FIELDS
    assert data["user"]["email"] == coordinator.email and data["user"]["role"] == "coordinator"
    access, refresh = response.cookies["access_token"], response.cookies["refresh_token"]
    for cookie in (access, refresh):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["secure"] is True
        assert cookie["domain"] == ""  # host-only: never sent to another college's host
    assert refresh["path"] == "/"  # the workspace pages renew access tokens from it
    assert "csrftoken" in response.cookies


def test_cookies_authenticate_and_unsafe_requests_need_the_csrf_token(college, coordinator):
    client = client_for(college, csrf=True)
    login(client, coordinator.email)

    me = client.get("/api/v1/auth/user/")
    without = client.post("/api/v1/companies/", {"name": "Acme"}, format="json")
    with_token = client.post(
        "/api/v1/companies/",
        {"name": "Acme"},
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert me.status_code == 200 and me.json()["data"]["email"] == coordinator.email
    assert without.status_code == 403
    assert with_token.status_code == 201


def test_bearer_token_needs_no_csrf(college, coordinator):
    access = login(client_for(college), coordinator.email).json()["data"]["access"]
    service = client_for(college, csrf=True)

    response = service.post(
        "/api/v1/companies/", {"name": "Acme"}, format="json", HTTP_AUTHORIZATION=f"Bearer {access}"
    )

    assert response.status_code == 201


def test_wrong_password_and_unknown_email_answer_alike(college, coordinator):
    wrong = login(client_for(college), coordinator.email, "not-the-password")
    unknown = login(client_for(college), "nobody@alpha.example.edu")

    assert wrong.status_code == unknown.status_code == 401
    assert error_code(wrong) == error_code(unknown) == "authentication_failed"
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert "access_token" not in wrong.cookies


def test_login_before_email_verification_is_refused(college):
    user = make_user(college, Role.STUDENT, verified=False)

    response = login(client_for(college), user.email)

    assert response.status_code == 403
    assert error_code(response) == "email_not_verified"
    assert "access_token" not in response.cookies


def test_email_is_case_insensitive(college, coordinator):
    assert login(client_for(college), coordinator.email.upper()).status_code == 200


def test_bad_input_is_a_validation_error(college):
    response = client_for(college).post("/api/v1/auth/login/", {"email": "nope"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"email", "password"}


def test_refresh_rotates_and_blacklists_the_old_refresh_token(college, coordinator):
    # given
    client = client_for(college)
    login(client, coordinator.email)
    old_refresh = client.cookies["refresh_token"].value

    # when
    refreshed = client.post("/api/v1/auth/token/refresh/")

    # then
    assert refreshed.status_code == 200
    assert refreshed.json()["data"]["access"]
    assert refreshed.cookies["refresh_token"].value != old_refresh
    assert client.get("/api/v1/auth/user/").status_code == 200  # the new access cookie works
    replay = client_for(college).post(
        "/api/v1/auth/token/refresh/", {"refresh": old_refresh}, format="json"
    )
    assert replay.status_code == 401 and error_code(replay) == "token_invalid"


def test_a_replayed_refresh_token_ends_its_whole_family(college, coordinator):
    # given a session whose refresh token was rotated (the old one copied by a thief)
    owner = client_for(college)
    login(owner, coordinator.email)
    stolen = owner.cookies["refresh_token"].value
    assert owner.post("/api/v1/auth/token/refresh/").status_code == 200
    successor = owner.cookies["refresh_token"].value

    # when the rotated token is presented again
    replay = client_for(college).post(
        "/api/v1/auth/token/refresh/", {"refresh": stolen}, format="json"
    )

    # then it is refused and the successor and its access token end too
    assert replay.status_code == 401 and error_code(replay) == "token_invalid"
    assert owner.get("/api/v1/auth/user/").status_code == 401
    again = client_for(college).post(
        "/api/v1/auth/token/refresh/", {"refresh": successor}, format="json"
    )
    assert again.status_code == 401 and error_code(again) == "token_invalid"
    # and the person signs in again as usual
    assert login(client_for(college), coordinator.email).status_code == 200


def test_a_forged_replay_ends_nobody_s_sessions(college, coordinator):
    import jwt

    client = client_for(college)
    login(client, coordinator.email)
    payload = jwt.decode(client.cookies["refresh_token"].value, options={"verify_signature": False})
    forged = jwt.encode(payload, "another-key-" + "x" * 32, algorithm="HS256")

    response = client_for(college).post(
        "/api/v1/auth/token/refresh/", {"refresh": forged}, format="json"
    )

    assert response.status_code == 401
    assert client.get("/api/v1/auth/user/").status_code == 200


def test_refresh_without_a_token_is_token_invalid(college):
    response = client_for(college).post("/api/v1/auth/token/refresh/")

    assert response.status_code == 401 and error_code(response) == "token_invalid"


def test_logout_blacklists_the_refresh_token_and_clears_cookies(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)
    refresh = client.cookies["refresh_token"].value

    response = client.post("/api/v1/auth/logout/")

    assert response.status_code == 200
    assert response.cookies["access_token"]["max-age"] == 0
    assert response.cookies["refresh_token"]["max-age"] == 0
    again = client_for(college).post(
        "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
    )
    assert again.status_code == 401 and error_code(again) == "token_invalid"


def test_user_endpoint_reads_and_patches_names_only(college, coordinator):
    client = client_for(college)
    login(client, coordinator.email)

    response = client.patch(
        "/api/v1/auth/user/",
        {"first_name": "Asha", "role": "admin", "email": "x@y.z"},
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 200
    assert response.json()["data"]["first_name"] == "Asha"
    with tenant_context(college):
        user = User.objects.get(pk=coordinator.pk)
    assert (user.first_name, user.role, user.email) == ("Asha", "coordinator", coordinator.email)


def test_anonymous_user_endpoint_is_401(college):
    response = client_for(college).get("/api/v1/auth/user/")

    assert response.status_code == 401 and error_code(response) == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- Isolation -----------------------------------------------------------------------------------


@pytest.fixture
def twins(college, other_college):
    """A user in each college with the same id and the same e-mail address."""
    email = "twin@example.edu"
    ours = make_user(college, Role.COORDINATOR, email)
    with tenant_context(other_college):
        theirs = User.objects.create_user(
            id=ours.pk, email=email, password=PASSWORD, role=Role.COORDINATOR
        )
        email_mark_verified(user=theirs)
    return ours, theirs


def test_a_token_of_one_college_is_refused_on_another_and_on_the_root_domain(
    college, other_college, public_tenant, twins
):
    # given a login on college A
    client = client_for(college)
    access = login(client, twins[0].email).json()["data"]["access"]
    refresh = client.cookies["refresh_token"].value

    for host_tenant in (other_college, public_tenant):
        # when the same tokens are presented on another host
        bearer = client_for(host_tenant).get(
            "/api/v1/auth/user/", HTTP_AUTHORIZATION=f"Bearer {access}"
        )
        cookie_client = client_for(host_tenant)
        cookie_client.cookies = SimpleCookie({"access_token": access})
        by_cookie = cookie_client.get("/api/v1/auth/user/")
        refreshed = client_for(host_tenant).post(
            "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
        )

        # then each is refused as token_invalid
        for response in (bearer, by_cookie, refreshed):
            assert response.status_code == 401, host_tenant
            assert error_code(response) == "token_invalid"

    # and still works where it was minted
    assert client.get("/api/v1/auth/user/").status_code == 200


def bearer_user(college, access: str):
    return client_for(college).get("/api/v1/auth/user/", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_a_token_whose_signature_was_checked_is_still_refused_on_another_host(
    college, other_college, twins
):
    access = login(client_for(college), twins[0].email).json()["data"]["access"]
    assert bearer_user(college, access).status_code == 200  # checked, and remembered

    refused = bearer_user(other_college, access)  # the twin with the same id lives there

    assert refused.status_code == 401 and error_code(refused) == "token_invalid"


def test_a_signature_is_checked_once_a_process_and_the_claims_on_every_request(
    college, coordinator, monkeypatch
):
    access = login(client_for(college), coordinator.email).json()["data"]["access"]
    decodes = []
    decode = TokenBackend.decode
    monkeypatch.setattr(
        TokenBackend, "decode", lambda self, *a, **kw: decodes.append(1) or decode(self, *a, **kw)
    )
    for _ in range(3):
        assert bearer_user(college, access).status_code == 200
    assert decodes == [1]

    # a token with one character of its signature changed is another string: it is checked
    at = len(access) - 10
    forged = access[:at] + ("A" if access[at] != "A" else "B") + access[at + 1 :]
    refused = bearer_user(college, forged)
    assert refused.status_code == 401 and error_code(refused) == "token_invalid"
    assert len(decodes) == 2


def test_a_remembered_token_expires_on_time(college, coordinator, monkeypatch):
    access = login(client_for(college), coordinator.email).json()["data"]["access"]
    assert bearer_user(college, access).status_code == 200  # remembered
    later = aware_utcnow() + settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] + timedelta(minutes=1)
    monkeypatch.setattr(tokens_module, "aware_utcnow", lambda: later)

    expired = bearer_user(college, access)

    assert expired.status_code == 401 and error_code(expired) == "token_invalid"


def test_lockout_in_one_college_does_not_lock_the_same_email_in_another(
    college, other_college, twins, settings
):
    for attempt in range(settings.ACCOUNT_LOCKOUT_FAILURES):
        login(
            client_for(college), twins[0].email, "wrong-password", REMOTE_ADDR=f"10.0.0.{attempt}"
        )

    assert error_code(login(client_for(college), twins[0].email, REMOTE_ADDR="10.1.0.1")) == (
        "account_locked"
    )
    assert login(client_for(other_college), twins[1].email).status_code == 200


# --- Brute force ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_minute")
def test_attempts_at_one_account_from_one_address_are_throttled(college, coordinator, settings):
    attempts, _seconds = parse_rate(settings.AUTH_ACCOUNT_ADDRESS_RATE)
    client = client_for(college)
    for _ in range(attempts):
        assert login(client, "nobody@alpha.example.edu").status_code == 401

    response = login(client, "nobody@alpha.example.edu")

    assert response.status_code == 429
    assert error_code(response) == "throttled"
    retry_after = response.json()["error"]["details"]["retry_after"]
    assert 0 < retry_after <= 60
    assert response["Retry-After"] == str(retry_after)
    assert login(client, coordinator.email).status_code == 200  # another account, same address


@pytest.mark.usefixtures("fresh_minute")
def test_spoofed_forwarded_for_does_not_reset_the_throttle(college, settings):
    attempts, _seconds = parse_rate(settings.AUTH_ACCOUNT_ADDRESS_RATE)
    client = client_for(college)
    responses = [
        login(client, "nobody@alpha.example.edu", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(attempts + 1)
    ]

    assert [r.status_code for r in responses] == [401] * attempts + [429]


@pytest.mark.usefixtures("fresh_minute")
def test_throttle_counts_per_college(college, other_college, settings):
    attempts, _seconds = parse_rate(settings.AUTH_ACCOUNT_ADDRESS_RATE)
    for _ in range(attempts + 1):
        login(client_for(college), "nobody@example.edu")

    assert login(client_for(other_college), "nobody@example.edu").status_code == 401


def test_account_locks_after_consecutive_failures_even_with_the_right_password(
    college, coordinator, settings
):
    # given five wrong passwords from five addresses (no throttle involved)
    statuses = [
        login(
            client_for(college), coordinator.email, "wrong", REMOTE_ADDR=f"10.0.0.{n}"
        ).status_code
        for n in range(settings.ACCOUNT_LOCKOUT_FAILURES)
    ]

    # when the right password comes
    response = login(client_for(college), coordinator.email, REMOTE_ADDR="10.0.1.1")

    # then
    assert statuses == [401] * (settings.ACCOUNT_LOCKOUT_FAILURES - 1) + [403]
    assert response.status_code == 403 and error_code(response) == "account_locked"
    assert "access_token" not in response.cookies


def test_a_success_resets_the_count_of_consecutive_failures(college, coordinator, settings):
    for n in range(settings.ACCOUNT_LOCKOUT_FAILURES - 1):
        login(client_for(college), coordinator.email, "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    assert login(client_for(college), coordinator.email, REMOTE_ADDR="10.0.2.1").status_code == 200

    response = login(client_for(college), coordinator.email, "wrong", REMOTE_ADDR="10.0.2.2")

    assert response.status_code == 401  # counting starts again


def test_the_lock_expires(college, coordinator, settings):
    from datetime import timedelta

    from django.utils import timezone

    with tenant_context(college):
        User.objects.filter(pk=coordinator.pk).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )

    assert login(client_for(college), coordinator.email).status_code == 200


def test_lockout_does_not_need_redis(college, coordinator, settings):
    settings.CACHES = {
        alias: {**config, "LOCATION": "redis://127.0.0.1:1/0"}
        for alias, config in settings.CACHES.items()
    }
    for n in range(settings.ACCOUNT_LOCKOUT_FAILURES):
        login(client_for(college), coordinator.email, "wrong", REMOTE_ADDR=f"10.0.3.{n}")

    assert error_code(login(client_for(college), coordinator.email)) == "account_locked"


def test_passwords_are_hashed_with_argon2(college, settings):
    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    with tenant_context(college):
        user = User.objects.create_user(email="hash@alpha.example.edu", password=PASSWORD)

    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_made_with_other_argon2_parameters_is_upgraded_at_sign_in(college, settings):
    from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

    from config.settings import base

    # given a password hashed with Django's default Argon2 parameters (100 MiB, 8 lanes)
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = make_user(college, Role.COORDINATOR, "old-hash@alpha.example.edu")
    with tenant_context(college):
        old = make_password(PASSWORD, hasher=Argon2PasswordHasher())
        User.objects.filter(pk=user.pk).update(password=old)
    assert "m=102400" in old

    # when its owner signs in
    response = login(client_for(college), user.email)

    # then the sign-in works and the hash now has the web parameters
    assert response.status_code == 200
    with tenant_context(college):
        assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$v=19$m=19456,")


def test_login_query_count_is_bounded(college, coordinator):
    client = client_for(college)
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        assert login(client, coordinator.email).status_code == 200
    assert len(queries) <= 8


def test_a_sign_in_reads_the_account_once_and_writes_in_one_transaction(college, coordinator):
    # given a warm worker
    client = client_for(college)
    client.get("/healthz")

    # when a student of a drive's opening signs in
    with CaptureQueriesContext(connection) as queries:
        assert login(client, coordinator.email).status_code == 200

    # then one query reads the account with its verified address and its second factor
    statements = [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]
    assert [s.split()[0] for s in statements] == [
        "SELECT", "SAVEPOINT", "UPDATE", "INSERT", "INSERT", "RELEASE"
    ]  # fmt: skip
    assert "account_emailaddress" in statements[0] and "accounts_totpdevice" in statements[0]
    # and last_login, the security log and the session's token commit together (a savepoint
    # here: the test runs in a transaction), the log entry reading its content type itself
    assert 'SET "last_login"' in statements[2]
    assert "auditlog_logentry" in statements[3] and "django_content_type" in statements[3]
    assert "token_blacklist_outstandingtoken" in statements[4]
    with tenant_context(college):
        assert User.objects.get(pk=coordinator.pk).last_login is not None


def test_a_sign_in_costs_three_redis_round_trips(college, coordinator, redis_server, settings):
    # given a Redis of the test's own (its statistics count only this test's commands)
    settings.CACHES = caches_at(f"redis://127.0.0.1:{redis_server[0]}/0")
    client = client_for(college)
    client.get("/healthz")
    cache.client.get_client().config_resetstat()

    # when a student signs in
    assert login(client, coordinator.email).status_code == 200

    # then three transactions: the flood ceiling's count, the sign-in's (the attempt counted,
    # the failure budget read) and the data cache's new versions after last_login; no usage
    # refresh (a sign-in adds no user), no DRF throttle history read and written whole
    assert redis_commands() == {"multi": 3, "exec": 3, "set": 4, "incrby": 2, "get": 1}
