"""Account takeover paths: a demoted admin keeps nothing of the role, and an unproven
self sign-up on somebody's address never becomes theirs with the squatter's password."""

import re

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role, User
from tests.conftest import client_for, login, make_user
from tests.core.accounts.test_two_factor import enable_2fa

VICTIM = "victim@alpha.edu"
SQUATTER_PASSWORD = "squatters-own-passphrase-1"
OWNER_PASSWORD = "the-owners-new-passphrase-2"
SET_PASSWORD_LINK = re.compile(r"/reset-password/\?uid=(?P<uid>[^&\s]+)&token=(?P<token>\S+)")
VERIFY_LINK = re.compile(r"/verify-email/\?key=(?P<key>[A-Za-z0-9_-]+)")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_demoted_admin_loses_the_admin_flags_and_every_token(college, admin_client):
    # given a second admin with 2FA, signed in to the API and the workspace
    deputy = make_user(college, Role.ADMIN, "deputy@alpha.edu")
    api = client_for(college)
    login(api, deputy.email)
    enable_2fa(api)
    access = api.cookies["access_token"].value

    # when the head of placements demotes them
    demoted = admin_client.patch(f"/api/v1/users/{deputy.pk}/", {"role": "student"}, format="json")

    # then Django's flags follow the role
    assert demoted.status_code == 200, demoted.content
    with tenant_context(college):
        flags = User.objects.values_list("is_staff", "is_superuser").get(pk=deputy.pk)
    assert flags == (False, False)
    # and the access token and the refresh token have ended
    refused = client_for(college).get("/api/v1/auth/user/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert refused.status_code == 401
    assert api.post("/api/v1/auth/token/refresh/").status_code == 401


def test_a_deactivated_member_s_tokens_end_at_once(college, admin_client, coordinator):
    client = client_for(college)
    access = login(client, coordinator.email).json()["data"]["access"]

    admin_client.patch(f"/api/v1/users/{coordinator.pk}/", {"is_active": False}, format="json")

    me = client_for(college).get("/api/v1/auth/user/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert me.status_code == 401


def test_a_role_change_to_admin_grants_the_admin_flags(college, admin_client, coordinator):
    admin_client.patch(f"/api/v1/users/{coordinator.pk}/", {"role": "admin"}, format="json")

    with tenant_context(college):
        assert User.objects.values_list("is_staff", "is_superuser").get(pk=coordinator.pk) == (
            True,
            True,
        )


def squat(college, on_commit, mailoutbox) -> str:
    """An attacker registers the victim's address with their own password; the confirmation
    mail goes to the victim, who has not clicked it (yet). Returns its key."""
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(
            pk=1, defaults={"self_signup_enabled": True, "student_email_domains": ["alpha.edu"]}
        )
    body = {"email": VICTIM, "password1": SQUATTER_PASSWORD, "password2": SQUATTER_PASSWORD}
    with on_commit():
        response = client_for(college).post(
            "/api/v1/auth/registration/", {**body, "first_name": "Not", "last_name": "Victim"}
        )
    assert response.status_code == 201
    [mail] = [m for m in mailoutbox if VERIFY_LINK.search(m.body)]
    mailoutbox.clear()
    return VERIFY_LINK.search(mail.body)["key"]


def test_staff_creating_the_student_reclaims_a_squatted_sign_up(
    college, coordinator_client, on_commit, mailoutbox
):
    # given a squatted address whose confirmation mail the victim still has
    key = squat(college, on_commit, mailoutbox)

    # when staff create the student with that address
    with on_commit():
        created = coordinator_client.post(
            "/api/v1/students/",
            {
                "email": VICTIM,
                "first_name": "Real",
                "last_name": "Victim",
                "roll_number": "V001",
                "department": "CSE",
                "graduation_year": 2027,
                "cgpa": "8.00",
            },
            format="json",
        )

    # then the squatter's password is gone and the victim is mailed a set-password link
    assert created.status_code == 201, created.content
    assert login(client_for(college), VICTIM, SQUATTER_PASSWORD).status_code == 401
    [mail] = mailoutbox
    assert mail.to == [VICTIM]
    link = SET_PASSWORD_LINK.search(mail.body)
    # and the old confirmation link does nothing any more
    late_click = client_for(college).post("/api/v1/auth/registration/verify-email/", {"key": key})
    assert late_click.status_code == 400
    assert login(client_for(college), VICTIM, SQUATTER_PASSWORD).status_code == 401
    # while the victim sets a password and signs in
    done = client_for(college).post(
        "/api/v1/auth/password/reset/confirm/",
        {**link.groupdict(), "new_password1": OWNER_PASSWORD, "new_password2": OWNER_PASSWORD},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert login(client_for(college), VICTIM, OWNER_PASSWORD).status_code == 200


def test_an_invitation_reclaims_a_squatted_sign_up(college, admin_client, on_commit, mailoutbox):
    squat(college, on_commit, mailoutbox)

    with on_commit():
        invited = admin_client.post(
            "/api/v1/users/invite/", {"email": VICTIM, "role": "coordinator"}, format="json"
        )
    assert invited.status_code == 201, invited.content
    key = re.search(r"key=(?P<key>[A-Za-z0-9_-]+)", mailoutbox[0].body)["key"]
    accepted = client_for(college).post(
        "/api/v1/auth/invitations/accept/",
        {"key": key, "password": OWNER_PASSWORD, "first_name": "Real", "last_name": "Victim"},
        format="json",
    )

    assert accepted.status_code == 201, accepted.content
    assert login(client_for(college), VICTIM, SQUATTER_PASSWORD).status_code == 401
    signed_in = login(client_for(college), VICTIM, OWNER_PASSWORD)
    assert signed_in.status_code == 200
    assert signed_in.json()["data"]["user"]["role"] == "coordinator"


def test_a_proven_account_is_never_reclaimed(college, admin_client, student):
    invited = admin_client.post(
        "/api/v1/users/invite/", {"email": student.email, "role": "coordinator"}, format="json"
    )

    assert invited.status_code == 409
    assert login(client_for(college), student.email).status_code == 200
