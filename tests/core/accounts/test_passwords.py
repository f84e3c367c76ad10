"""Password reset (no enumeration, links on the college's host, old sessions revoked) and
password change (other sessions signed out, this one carries on), bound to one college."""

from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.hashers import check_password
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from tests.conftest import PASSWORD, client_for, login, make_user

RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
CHANGE = "/api/v1/auth/password/change/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/auth/user/"
NEW_PASSWORD = "marmalade-Sextant-77-quiver"


def reset_link_params(message) -> dict[str, str]:
    """uid and token of the reset link in `message`, which must point at the college's page."""
    links = [word for word in message.body.split() if "/reset-password/" in word]
    assert len(links) == 1, message.body
    link = urlsplit(links[0])
    assert (link.scheme, link.netloc, link.path) == ("http", "alpha.localhost", "/reset-password/")
    query = parse_qs(link.query)
    assert set(query) == {"uid", "token"}
    return {name: values[0] for name, values in query.items()}


def password_of(college, user: User, password: str) -> bool:
    with tenant_context(college):
        return check_password(password, User.objects.get(pk=user.pk).password)


def confirm(client, params: dict[str, str], password: str = NEW_PASSWORD):
    body = {**params, "new_password1": password, "new_password2": password}
    return client.post(RESET_CONFIRM, body, format="json")


def test_a_reset_for_an_unknown_address_answers_200_and_sends_nothing(
    college, student, anonymous_client, mailoutbox
):
    # when a reset is asked for an unknown address, then for a known one
    unknown = anonymous_client.post(RESET, {"email": "nobody@alpha.example.edu"}, format="json")
    assert mailoutbox == []
    known = anonymous_client.post(RESET, {"email": student.email}, format="json")

    # then both answers are the same 200, and only the known address gets a mail
    assert unknown.status_code == known.status_code == 200
    assert unknown.json()["success"] is True
    assert (unknown.json()["message"], unknown.json()["data"]) == (
        known.json()["message"],
        known.json()["data"],
    )
    assert [message.to for message in mailoutbox] == [[student.email]]


def test_a_reset_for_a_known_address_mails_a_link_to_the_college_host(
    college, student, anonymous_client, mailoutbox
):
    response = anonymous_client.post(RESET, {"email": student.email.upper()}, format="json")

    assert response.status_code == 200
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [student.email]
    params = reset_link_params(mailoutbox[0])
    assert params["uid"] and params["token"]


def test_a_reset_sets_the_new_password_and_revokes_earlier_sessions(
    college, student, anonymous_client, mailoutbox
):
    # given a session opened before the reset, whose refresh token has been rotated once
    session = client_for(college)
    assert login(session, student.email).status_code == 200
    assert session.post(REFRESH).status_code == 200
    # and the reset mail
    assert anonymous_client.post(RESET, {"email": student.email}, format="json").status_code == 200
    params = reset_link_params(mailoutbox[0])

    # when the link's uid and token are confirmed with a new password
    response = confirm(anonymous_client, params)

    # then the new password logs in, the old one does not
    assert response.status_code == 200, response.json()
    old = login(anonymous_client, student.email, PASSWORD)
    assert old.status_code == 401
    assert old.json()["error"]["code"] == "authentication_failed"
    assert login(anonymous_client, student.email, NEW_PASSWORD).status_code == 200
    # and the earlier session's refresh token is dead
    refreshed = session.post(REFRESH)
    assert refreshed.status_code == 401
    assert refreshed.json()["error"]["code"] == "token_invalid"
    # and the link cannot be used a second time
    again = confirm(anonymous_client, params, password="another-Fresh-pass-93")
    assert again.status_code == 400
    assert password_of(college, student, NEW_PASSWORD)


def test_a_reset_with_a_bad_token_is_refused(college, student, anonymous_client, mailoutbox):
    # given a genuine reset mail
    anonymous_client.post(RESET, {"email": student.email}, format="json")
    params = reset_link_params(mailoutbox[0])

    # when the token is tampered with
    response = confirm(anonymous_client, {**params, "token": params["token"][:-3] + "abc"})

    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "token" in error["details"]
    assert password_of(college, student, PASSWORD)


def test_a_reset_with_a_weak_password_is_refused(college, student, anonymous_client, mailoutbox):
    anonymous_client.post(RESET, {"email": student.email}, format="json")
    params = reset_link_params(mailoutbox[0])

    response = confirm(anonymous_client, params, password="password123")

    assert response.status_code == 400
    assert "new_password2" in response.json()["error"]["details"]
    assert password_of(college, student, PASSWORD)


def test_a_reset_of_college_a_does_nothing_on_college_b(
    college, other_college, student, anonymous_client, mailoutbox
):
    # given college B has somebody with the same id and e-mail address as A's student
    with tenant_context(other_college):
        namesake = User.objects.create_user(
            id=student.pk, email=student.email, password=PASSWORD, role=Role.STUDENT
        )
    other_host = client_for(other_college)
    # and A's student asked for a reset on A's host
    anonymous_client.post(RESET, {"email": student.email}, format="json")
    params = reset_link_params(mailoutbox[0])

    # when the link's uid and token are submitted on B's host
    response = confirm(other_host, params)

    # then B refuses them (B's namesake is found, but the token is not theirs) and neither
    # password changes
    assert response.status_code == 400
    assert "token" in response.json()["error"]["details"]
    assert password_of(college, student, PASSWORD)
    assert password_of(other_college, namesake, PASSWORD)
    # while on A's own host the same link works
    assert confirm(anonymous_client, params).status_code == 200
    assert password_of(college, student, NEW_PASSWORD)
    assert password_of(other_college, namesake, PASSWORD)


def test_a_reset_asked_on_another_college_host_mails_nobody_of_this_college(
    college, other_college, student, mailoutbox
):
    response = client_for(other_college).post(RESET, {"email": student.email}, format="json")

    assert response.status_code == 200
    assert mailoutbox == []
    assert password_of(college, student, PASSWORD)


def test_a_change_with_a_wrong_old_password_is_refused(college, student):
    client = client_for(college)
    login(client, student.email)

    response = client.post(
        CHANGE,
        {
            "old_password": "not-my-password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "old_password" in error["details"]
    assert password_of(college, student, PASSWORD)


def test_a_change_needs_authentication(college, student, anonymous_client):
    response = anonymous_client.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 401
    assert password_of(college, student, PASSWORD)


def test_a_change_signs_out_other_sessions_and_keeps_this_one(college):
    # given a user signed in twice: an earlier session and the one that changes the password
    user = make_user(college, Role.COORDINATOR)
    earlier, current = client_for(college), client_for(college)
    assert login(earlier, user.email).status_code == 200
    assert login(current, user.email).status_code == 200
    refresh_before = current.cookies["refresh_token"].value

    # when the password is changed
    response = current.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )

    # then it answers 200 with fresh cookies
    assert response.status_code == 200, response.json()
    assert response.cookies["access_token"].value
    assert response.cookies["refresh_token"].value not in ("", refresh_before)
    # and only the new password logs in
    anonymous = client_for(college)
    old = login(anonymous, user.email, PASSWORD)
    assert old.status_code == 401
    assert old.json()["error"]["code"] == "authentication_failed"
    assert login(anonymous, user.email, NEW_PASSWORD).status_code == 200
    # and the earlier session's refresh token is refused
    refused = earlier.post(REFRESH)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_invalid"
    # while the session that changed it carries on, refresh included
    me = current.get(ME)
    assert me.status_code == 200
    assert me.json()["data"]["email"] == user.email
    assert current.post(REFRESH).status_code == 200
    assert current.get(ME).status_code == 200
