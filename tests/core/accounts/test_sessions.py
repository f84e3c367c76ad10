"""Revocation at once (logout, password change and reset end the access tokens too) and the
cross-site checks of the cookie flows (login, refresh, logout)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from tests.conftest import PASSWORD, client_for, host_of, login, make_user

ME = "/api/v1/auth/user/"
LOGOUT = "/api/v1/auth/logout/"
REFRESH = "/api/v1/auth/token/refresh/"
NEW_PASSWORD = "a-brand-new-passphrase-2026"


def error_code(response) -> str:
    return response.json()["error"]["code"]


def bearer(access: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def signed_in(college, user) -> tuple:
    client = client_for(college)
    access = login(client, user.email).json()["data"]["access"]
    return client, access


def test_logout_ends_the_access_token_at_once(college, coordinator):
    client, access = signed_in(college, coordinator)
    assert client.get(ME, **bearer(access)).status_code == 200

    assert client.post(LOGOUT).status_code == 200

    refused = client_for(college).get(ME, **bearer(access))
    assert refused.status_code == 401 and error_code(refused) == "token_invalid"


def test_a_password_change_ends_the_other_sessions_access_tokens(college, coordinator):
    _earlier, earlier_access = signed_in(college, coordinator)
    current, _access = signed_in(college, coordinator)

    changed = current.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )

    assert changed.status_code == 200
    assert client_for(college).get(ME, **bearer(earlier_access)).status_code == 401
    assert current.get(ME).status_code == 200  # the session that changed it carries on


def test_a_password_reset_ends_the_access_tokens(college, coordinator, mailoutbox):
    from tests.core.accounts.test_passwords import reset_link_params

    _client, access = signed_in(college, coordinator)
    client_for(college).post("/api/v1/auth/password/reset/", {"email": coordinator.email})
    params = reset_link_params(mailoutbox[0])

    done = client_for(college).post(
        "/api/v1/auth/password/reset/confirm/",
        {**params, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )

    assert done.status_code == 200
    assert client_for(college).get(ME, **bearer(access)).status_code == 401


def test_revocation_costs_no_query_on_a_warm_request(college, coordinator):
    _client, access = signed_in(college, coordinator)
    client = client_for(college)
    for _ in range(2):  # warms the data cache (the first creates the college's settings)
        client.get(ME, **bearer(access))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME, **bearer(access)).status_code == 200

    assert [query["sql"] for query in queries if "accounts_user" in query["sql"]] == []


def test_logging_out_in_one_college_leaves_the_other_alone(college, other_college):
    mine = make_user(college, Role.STUDENT, "twin@example.edu")
    theirs = make_user(other_college, Role.STUDENT, "twin@example.edu")
    client, _access = signed_in(college, mine)
    _other, other_access = signed_in(other_college, theirs)

    client.post(LOGOUT)

    assert client_for(other_college).get(ME, **bearer(other_access)).status_code == 200
    with tenant_context(other_college):
        assert User.objects.get(pk=theirs.pk).token_version == 0


# --- CSRF and Origin on the cookie flows ---------------------------------------------------------


def test_a_cross_origin_logout_is_refused(college, other_college, coordinator):
    client = client_for(college, csrf=True)
    login(client, coordinator.email)
    sibling = f"http://{host_of(other_college)}"

    forged = client.post(LOGOUT, HTTP_ORIGIN=sibling)
    same_site = client.post(LOGOUT, HTTP_SEC_FETCH_SITE="same-site")

    assert forged.status_code == same_site.status_code == 403
    assert error_code(forged) == "permission_denied"
    assert client.get(ME).status_code == 200  # still signed in


def test_a_logout_by_cookie_needs_the_csrf_token(college, coordinator):
    client = client_for(college, csrf=True)
    login(client, coordinator.email)

    without = client.post(LOGOUT)
    assert without.status_code == 403 and client.get(ME).status_code == 200

    done = client.post(LOGOUT, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert done.status_code == 200


def test_a_refresh_by_cookie_needs_the_csrf_token_and_the_same_origin(college, coordinator):
    client = client_for(college, csrf=True)
    login(client, coordinator.email)
    token = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}

    without = client.post(REFRESH)
    cross = client.post(REFRESH, HTTP_ORIGIN="http://evil.example", **token)
    same = client.post(REFRESH, HTTP_ORIGIN=f"http://{host_of(college)}", **token)

    assert without.status_code == 403 and cross.status_code == 403
    assert same.status_code == 200


def test_a_cross_origin_login_is_refused_and_sets_no_cookie(college, other_college, coordinator):
    response = client_for(college).post(
        "/api/v1/auth/login/",
        {"email": coordinator.email, "password": PASSWORD},
        HTTP_ORIGIN=f"http://{host_of(other_college)}",
    )

    assert response.status_code == 403
    assert "access_token" not in response.cookies


def test_service_clients_without_origin_still_sign_in_and_refresh(college, coordinator):
    client = client_for(college, csrf=True)
    body = login(client, coordinator.email).json()["data"]

    refreshed = client_for(college, csrf=True).post(
        REFRESH, {"refresh": client.cookies["refresh_token"].value}, format="json"
    )

    assert body["access"] and refreshed.status_code == 200
