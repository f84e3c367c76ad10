"""Invitations: admins invite staff and recruiters by e-mail, the key creates the account once,
in its own college only."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Invitation, Role, User
from tenant_apps.companies.models import Company
from tests.conftest import client_for, login, make_user

INVITE = "/api/v1/users/invite/"
ACCEPT = "/api/v1/auth/invitations/accept/"
NEW_PASSWORD = "lantern-Quokka-58-harbour"
INVITATION_LINK = re.compile(
    r"http://alpha\.localhost/accept-invitation/\?key=(?P<key>[A-Za-z0-9_-]+)"
)


@pytest.fixture
def invite(admin_client, django_capture_on_commit_callbacks):
    """Invites as the college admin; the mail, sent once the transaction commits, is sent."""

    def send(email: str, role: str, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(INVITE, {"email": email, "role": role, **extra}, format="json")

    return send


def invitation_key(message) -> str:
    match = INVITATION_LINK.search(message.body)
    assert match is not None, message.body
    return match["key"]


def accept(client, key: str, password: str = NEW_PASSWORD, **extra):
    body = {"key": key, "password": password, "first_name": "Ravi", "last_name": "Iyer", **extra}
    return client.post(ACCEPT, body, format="json")


def user_count(college, email: str) -> int:
    with tenant_context(college):
        return User.objects.filter(email__iexact=email).count()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_an_invited_person_joins_with_the_invited_role_and_logs_in(
    college, invite, anonymous_client, mailoutbox, role
):
    # given an admin's invitation
    response = invite("Ravi@Alpha.example.edu", role)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["email"], data["role"], data["accepted_at"]) == (
        "ravi@alpha.example.edu",
        role,
        None,
    )
    assert "key" not in data and "key_hash" not in data
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ravi@alpha.example.edu"]
    key = invitation_key(mailoutbox[0])

    # when the invited person accepts it
    accepted = accept(anonymous_client, key)

    # then the account exists with the invitation's role and can log in at once
    assert accepted.status_code == 201, accepted.json()
    user = accepted.json()["data"]
    assert (user["email"], user["role"], user["first_name"]) == (
        "ravi@alpha.example.edu",
        role,
        "Ravi",
    )
    signed_in = login(anonymous_client, "ravi@alpha.example.edu", NEW_PASSWORD)
    assert signed_in.status_code == 200, signed_in.json()
    assert signed_in.json()["data"]["user"]["role"] == role
    with tenant_context(college):
        invitation = Invitation.objects.get(email="ravi@alpha.example.edu")
        assert invitation.accepted_at is not None
        assert invitation.accepted_user_id == user["id"]


def test_a_key_works_only_once(college, invite, anonymous_client, mailoutbox):
    invite("ravi@alpha.example.edu", Role.COORDINATOR)
    key = invitation_key(mailoutbox[0])
    assert accept(anonymous_client, key).status_code == 201

    again = accept(anonymous_client, key, password="another-Fresh-pass-93")

    assert again.status_code == 400
    assert "key" in again.json()["error"]["details"]
    assert user_count(college, "ravi@alpha.example.edu") == 1
    assert login(anonymous_client, "ravi@alpha.example.edu", NEW_PASSWORD).status_code == 200


def test_an_unknown_key_is_refused(college, anonymous_client):
    response = accept(anonymous_client, "made-up-key")

    assert response.status_code == 400
    assert "key" in response.json()["error"]["details"]


def test_a_weak_password_is_refused_and_the_key_stays_usable(
    college, invite, anonymous_client, mailoutbox
):
    invite("ravi@alpha.example.edu", Role.COORDINATOR)
    key = invitation_key(mailoutbox[0])

    weak = accept(anonymous_client, key, password="password123")

    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["details"]
    assert user_count(college, "ravi@alpha.example.edu") == 0
    assert accept(anonymous_client, key).status_code == 201


def test_a_recruiter_needs_a_company(college, invite, mailoutbox):
    response = invite("hr@acme.example.com", Role.RECRUITER)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "company" in error["details"]
    assert mailoutbox == []
    with tenant_context(college):
        assert not Invitation.objects.filter(email="hr@acme.example.com").exists()


def test_a_recruiter_cannot_be_bound_to_another_colleges_company(
    college, other_college, invite, mailoutbox
):
    with tenant_context(other_college):
        theirs = Company.objects.create(pk=10**9, name="Beta Only Ltd")

    response = invite("hr@acme.example.com", Role.RECRUITER, company=theirs.pk)

    assert response.status_code == 400
    assert "company" in response.json()["error"]["details"]
    assert mailoutbox == []


def test_an_invited_recruiter_is_bound_to_the_company(
    college, invite, anonymous_client, mailoutbox
):
    # given a company of this college and a recruiter invited for it
    with tenant_context(college):
        acme = Company.objects.create(name="Acme Corp")
    response = invite("hr@acme.example.com", Role.RECRUITER, company=acme.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["company"] == acme.pk

    # when the recruiter accepts
    accepted = accept(anonymous_client, invitation_key(mailoutbox[0]))

    # then
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["data"]["role"] == Role.RECRUITER
    with tenant_context(college):
        user = User.objects.select_related("recruiter__company").get(email="hr@acme.example.com")
        assert user.recruiter.company == acme


@pytest.mark.parametrize("client_fixture", ["coordinator_client", "student_client"])
def test_only_admins_invite(college, request, client_fixture, mailoutbox):
    client = request.getfixturevalue(client_fixture)

    response = client.post(
        INVITE, {"email": "ravi@alpha.example.edu", "role": Role.ADMIN}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert mailoutbox == []
    with tenant_context(college):
        assert not Invitation.objects.exists()


def test_inviting_somebody_who_has_an_account_is_a_conflict(college, student, invite, mailoutbox):
    response = invite(student.email.upper(), Role.COORDINATOR)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert mailoutbox == []
    with tenant_context(college):
        assert not Invitation.objects.exists()
        assert User.objects.get(pk=student.pk).role == Role.STUDENT


def test_an_expired_invitation_is_refused(college, invite, anonymous_client, mailoutbox):
    # given an invitation whose time is up
    invite("ravi@alpha.example.edu", Role.COORDINATOR)
    key = invitation_key(mailoutbox[0])
    with tenant_context(college):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    # when it is accepted
    response = accept(anonymous_client, key)

    # then
    assert response.status_code == 400
    assert "key" in response.json()["error"]["details"]
    assert user_count(college, "ravi@alpha.example.edu") == 0


def test_a_key_of_college_a_is_refused_by_college_b(
    college, other_college, invite, anonymous_client, mailoutbox
):
    # given an invitation of college A
    invite("ravi@alpha.example.edu", Role.ADMIN)
    key = invitation_key(mailoutbox[0])

    # when its key is accepted on college B's host
    response = accept(client_for(other_college), key)

    # then B refuses it and creates nobody, while A still honours it
    assert response.status_code == 400
    assert "key" in response.json()["error"]["details"]
    assert user_count(other_college, "ravi@alpha.example.edu") == 0
    assert accept(anonymous_client, key).status_code == 201
    assert user_count(college, "ravi@alpha.example.edu") == 1
    assert user_count(other_college, "ravi@alpha.example.edu") == 0


# --- Revoking ------------------------------------------------------------------------------------

INVITATIONS = "/api/v1/users/invitations/"


def revoke_path(pk: int) -> str:
    return f"{INVITATIONS}{pk}/revoke/"


def test_a_revoked_invitation_is_gone_its_key_refused_and_logged(
    college, college_admin, invite, admin_client, anonymous_client, mailoutbox
):
    # given two pending invitations
    invite("ravi@alpha.example.edu", Role.COORDINATOR)
    invite("meera@alpha.example.edu", Role.COORDINATOR)
    key = invitation_key(mailoutbox[0])
    listed = admin_client.get(INVITATIONS).json()
    ravi = next(row for row in listed["data"] if row["email"] == "ravi@alpha.example.edu")

    # when the admin revokes Ravi's
    response = admin_client.post(revoke_path(ravi["id"]))

    # then it is no longer pending, its key creates nobody, and the log says who withdrew whose
    assert listed["pagination"]["total"] == 2
    assert response.status_code == 204
    assert [row["email"] for row in admin_client.get(INVITATIONS).json()["data"]] == [
        "meera@alpha.example.edu"
    ]
    assert accept(anonymous_client, key).status_code == 400
    assert user_count(college, "ravi@alpha.example.edu") == 0
    with tenant_context(college):
        entry = LogEntry.objects.filter(additional_data__event="invitation_revoked").get()
        assert entry.actor_id == college_admin.pk
        assert entry.additional_data["invited"] == "ravi@alpha.example.edu"
    # and revoking it again, or an unknown one, is not found
    assert admin_client.post(revoke_path(ravi["id"])).json()["error"]["code"] == "not_found"
    assert admin_client.post(revoke_path(999999)).status_code == 404


def test_an_accepted_invitation_cannot_be_revoked(
    college, invite, admin_client, anonymous_client, mailoutbox
):
    pk = invite("ravi@alpha.example.edu", Role.COORDINATOR).json()["data"]["id"]
    assert accept(anonymous_client, invitation_key(mailoutbox[0])).status_code == 201

    response = admin_client.post(revoke_path(pk))

    assert response.status_code == 404
    with tenant_context(college):
        assert Invitation.objects.get(pk=pk).accepted_at is not None


def test_revoking_frees_the_plans_staff_seat(college, coordinator, invite, admin_client):
    # the trial plan has 3 staff seats: the admin, the coordinator, and one invitation
    first = invite("c1@alpha.example.edu", Role.COORDINATOR)
    refused = invite("c2@alpha.example.edu", Role.COORDINATOR)

    admin_client.post(revoke_path(first.json()["data"]["id"]))

    assert refused.status_code == 402
    assert invite("c2@alpha.example.edu", Role.COORDINATOR).status_code == 201


@pytest.mark.parametrize("client_fixture", ["coordinator_client", "student_client"])
def test_only_admins_list_or_revoke_invitations(college, invite, request, client_fixture):
    pk = invite("ravi@alpha.example.edu", Role.COORDINATOR).json()["data"]["id"]
    client = request.getfixturevalue(client_fixture)

    assert client.get(INVITATIONS).status_code == 403
    assert client.post(revoke_path(pk)).status_code == 403
    with tenant_context(college):
        assert Invitation.objects.filter(pk=pk).exists()


def test_another_colleges_admin_cannot_see_or_revoke_an_invitation(college, other_college, invite):
    # given an invitation of college A, and an invitation of B with another id
    pk = invite("ravi@alpha.example.edu", Role.COORDINATOR).json()["data"]["id"]
    other_admin = make_user(other_college, Role.ADMIN, "admin@beta.example.edu")
    other_client = client_for(other_college, other_admin)

    # when B's admin lists invitations and tries A's id
    listed = other_client.get(INVITATIONS).json()
    response = other_client.post(revoke_path(pk))

    # then B sees none of A's and A's stays
    assert listed["data"] == []
    assert response.status_code == 404
    with tenant_context(college):
        assert Invitation.objects.filter(pk=pk).exists()
