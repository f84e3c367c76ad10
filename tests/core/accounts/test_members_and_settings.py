"""The college's settings (everybody reads, the admin writes) and its people (admin only,
this college's only, a constant number of queries per page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role, User
from tests.conftest import client_for, login, make_user

SETTINGS = "/api/v1/settings/"
USERS = "/api/v1/users/"


def stored_settings(college) -> CollegeSettings:
    with tenant_context(college):
        return CollegeSettings.load()


def emails(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return sorted(member["email"] for member in response.json()["data"])


# --- Settings --------------------------------------------------------------------------------


def test_a_student_reads_the_settings(college, student_client):
    with tenant_context(college):
        CollegeSettings.objects.update_or_create(
            pk=1, defaults={"self_signup_enabled": True, "student_email_domains": ["alpha.edu"]}
        )

    response = student_client.get(SETTINGS)

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["self_signup_enabled"] is True
    assert data["student_email_domains"] == ["alpha.edu"]
    assert data["require_2fa_for_staff"] is False


def test_settings_are_not_public(college, anonymous_client):
    response = anonymous_client.get(SETTINGS)

    assert response.status_code == 401


@pytest.mark.parametrize("client_fixture", ["coordinator_client", "student_client"])
def test_only_the_admin_changes_the_settings(college, request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    response = client.patch(SETTINGS, {"self_signup_enabled": True}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert stored_settings(college).self_signup_enabled is False


def test_the_admin_changes_the_settings(college, admin_client, student_client):
    # when the admin opens sign-up to two domains, written in mixed case and twice
    response = admin_client.patch(
        SETTINGS,
        {
            "self_signup_enabled": True,
            "student_email_domains": ["CS.Alpha.EDU", "alpha.edu", "Alpha.edu"],
        },
        format="json",
    )

    # then they are stored lower-cased, once each
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["student_email_domains"] == ["alpha.edu", "cs.alpha.edu"]
    stored = stored_settings(college)
    assert stored.self_signup_enabled is True
    assert stored.student_email_domains == ["alpha.edu", "cs.alpha.edu"]
    # and everybody reads the new values
    assert student_client.get(SETTINGS).json()["data"]["self_signup_enabled"] is True


def test_settings_refuse_something_that_is_not_a_domain(college, admin_client):
    response = admin_client.patch(
        SETTINGS, {"student_email_domains": ["alpha.edu", "not a domain"]}, format="json"
    )

    assert response.status_code == 400
    assert "student_email_domains" in response.json()["error"]["details"]
    assert stored_settings(college).student_email_domains == []


def test_settings_belong_to_one_college(college, other_college, admin_client):
    response = admin_client.patch(SETTINGS, {"self_signup_enabled": True}, format="json")

    assert response.status_code == 200
    assert stored_settings(college).self_signup_enabled is True
    assert stored_settings(other_college).self_signup_enabled is False


# --- Members ---------------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["coordinator_client", "student_client"])
def test_only_the_admin_lists_members(college, request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    response = client.get(USERS)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_members_are_this_colleges_only(
    college, other_college, college_admin, coordinator, student, admin_client
):
    # given people in the other college, one of them under an id unused here
    make_user(other_college, Role.ADMIN)
    with tenant_context(other_college):
        stranger = User.objects.create_user(
            id=10**9, email="stranger@beta.example.edu", password="x", role=Role.STUDENT
        )
    with tenant_context(college):
        assert not User.objects.filter(pk=stranger.pk).exists()

    # when this college's admin looks
    listing = admin_client.get(USERS)
    searched = admin_client.get(USERS, {"search": "stranger"})
    detail = admin_client.get(f"{USERS}{stranger.pk}/")
    change = admin_client.patch(f"{USERS}{stranger.pk}/", {"is_active": False}, format="json")

    # then only this college's people are there
    assert emails(listing) == sorted([college_admin.email, coordinator.email, student.email])
    assert listing.json()["pagination"]["total"] == 3
    assert emails(searched) == []
    assert detail.status_code == change.status_code == 404
    assert detail.json()["error"]["code"] == "not_found"
    with tenant_context(other_college):
        assert User.objects.get(pk=stranger.pk).is_active is True


def test_members_filter_by_role_and_search(college, college_admin, coordinator, admin_client):
    # given
    make_user(college, Role.STUDENT, "meera@alpha.example.edu")
    make_user(college, Role.STUDENT, "kiran@alpha.example.edu")
    with tenant_context(college):
        User.objects.filter(email="kiran@alpha.example.edu").update(last_name="Zubair")

    # when / then
    assert emails(admin_client.get(USERS, {"role": "student"})) == [
        "kiran@alpha.example.edu",
        "meera@alpha.example.edu",
    ]
    assert emails(admin_client.get(USERS, {"role": "coordinator"})) == [coordinator.email]
    assert emails(admin_client.get(USERS, {"search": "MEERA"})) == ["meera@alpha.example.edu"]
    assert emails(admin_client.get(USERS, {"search": "zubair"})) == ["kiran@alpha.example.edu"]
    assert emails(admin_client.get(USERS, {"role": "student", "search": "coordinator"})) == []


def test_the_admin_changes_somebody_elses_role_and_activity(college, coordinator, admin_client):
    promoted = admin_client.patch(f"{USERS}{coordinator.pk}/", {"role": "admin"}, format="json")
    deactivated = admin_client.patch(
        f"{USERS}{coordinator.pk}/", {"is_active": False}, format="json"
    )

    assert promoted.status_code == deactivated.status_code == 200
    with tenant_context(college):
        changed = User.objects.get(pk=coordinator.pk)
    assert (changed.role, changed.is_active) == (Role.ADMIN, False)


@pytest.mark.parametrize(
    "change", [{"role": "coordinator"}, {"role": "student"}, {"is_active": False}]
)
def test_the_admin_cannot_demote_or_deactivate_themself(
    college, college_admin, admin_client, change
):
    response = admin_client.patch(f"{USERS}{college_admin.pk}/", change, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    with tenant_context(college):
        me = User.objects.get(pk=college_admin.pk)
    assert (me.role, me.is_active) == (Role.ADMIN, True)


def test_the_admin_can_still_edit_their_own_name(college, college_admin, admin_client):
    response = admin_client.patch(
        f"{USERS}{college_admin.pk}/", {"first_name": "Priya", "role": "admin"}, format="json"
    )

    assert response.status_code == 200, response.json()
    with tenant_context(college):
        assert User.objects.get(pk=college_admin.pk).first_name == "Priya"


def test_the_member_list_costs_the_same_number_of_queries_for_2_or_30_people(
    college, college_admin
):
    client = client_for(college)  # signed in for real: cookie authentication is counted too
    assert login(client, college_admin.email).status_code == 200

    def queries_for(total: int) -> int:
        with tenant_context(college):
            present = User.objects.count()
            User.objects.bulk_create(
                User(email=f"person{n}@alpha.example.edu", role=Role.STUDENT)
                for n in range(present, total)
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(USERS, {"page_size": 100})
        assert len(response.json()["data"]) == total
        return len(queries)

    client.get(USERS, {"page_size": 100})  # warm: host resolution and settings are cached
    assert queries_for(2) == queries_for(30)
