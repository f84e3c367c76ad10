"""The signed-in user's e-mail preferences, and the unsubscribe links of non-essential mail:
they work without signing in, and only on the college that sent them."""

import re

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from core.accounts.models import Role, User
from tenant_apps.notifications import senders
from tenant_apps.notifications.models import NotificationPreference
from tenant_apps.notifications.tokens import unsubscribe_token
from tests.conftest import client_for, login, make_user
from tests.tenant_apps.factories import make_drive, make_student

PREFERENCES = "/api/v1/notifications/preferences/"
UNSUBSCRIBE = "/notifications/unsubscribe/"


def stored(college, user_id: int) -> dict:
    with tenant_context(college):
        row = NotificationPreference.objects.filter(user_id=user_id).first()
        if row is None:
            return {"drive_openings": True, "application_updates": True}
        return {
            "drive_openings": row.drive_openings,
            "application_updates": row.application_updates,
        }


# --- Preferences -------------------------------------------------------------------------------


def test_everything_is_on_by_default_and_essential_mail_is_listed(college, student_client):
    response = student_client.get(PREFERENCES)

    assert response.status_code == 200
    assert response.json()["data"] == {
        "drive_openings": True,
        "application_updates": True,
        "always_sent": ["offers", "interviews", "application_outcomes", "account"],
    }


def test_a_user_turns_a_category_off_and_on_again(college, student, student_client):
    response = student_client.patch(PREFERENCES, {"drive_openings": False}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["drive_openings"] is False
    assert response.json()["data"]["application_updates"] is True
    assert stored(college, student.pk) == {"drive_openings": False, "application_updates": True}
    assert student_client.get(PREFERENCES).json()["data"]["drive_openings"] is False

    student_client.patch(PREFERENCES, {"drive_openings": True}, format="json")
    assert stored(college, student.pk)["drive_openings"] is True


@pytest.mark.parametrize(
    "body", [{"drive_openings": "perhaps"}, {"application_updates": [1]}, ["not", "an", "object"]]
)
def test_bad_input_is_a_validation_error(college, student, student_client, body):
    response = student_client.patch(PREFERENCES, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert stored(college, student.pk) == {"drive_openings": True, "application_updates": True}


def test_preferences_need_a_signed_in_user(college, anonymous_client):
    assert anonymous_client.get(PREFERENCES).status_code == 401
    assert anonymous_client.patch(PREFERENCES, {"drive_openings": False}).status_code == 401


def test_preferences_are_per_college_even_for_the_same_user_id(college, other_college):
    # given: a user in each college under the same id
    alpha = make_user(college, Role.STUDENT, "same@alpha.example.edu")
    with tenant_context(other_college):
        beta = User.objects.create_user(email="same@beta.example.edu", pk=alpha.pk)

    # when: alpha's user turns drive openings off
    client_for(college, alpha).patch(PREFERENCES, {"drive_openings": False}, format="json")

    # then: beta's user is untouched, and alpha's token is refused on beta's host
    assert stored(college, alpha.pk)["drive_openings"] is False
    assert stored(other_college, beta.pk)["drive_openings"] is True
    access = login(client_for(college), alpha.email).json()["data"]["access"]
    response = client_for(other_college).get(PREFERENCES, HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 401


# --- Unsubscribe links -------------------------------------------------------------------------


def unsubscribe_link_mailed(college, student) -> str:
    """The link in the drive-opening mail that `student` got."""
    drive = make_drive(college)
    with tenant_context(college):
        senders.drive_opened(drive_id=drive.pk)
    (message,) = [m for m in mail.outbox if m.to == [student.user.email]]
    return re.search(r"Unsubscribe from these e-mails: (\S+)", message.body).group(1)


def path_of(link: str) -> str:
    return link.split("localhost", 1)[1]


def test_the_link_in_the_mail_asks_then_unsubscribes_without_signing_in(college):
    student = make_student(college, email="lin@alpha.example.edu")
    link = unsubscribe_link_mailed(college, student)
    client = client_for(college, csrf=True)  # a browser: no session, CSRF checks on

    page = client.get(path_of(link))
    assert page.status_code == 200
    assert (
        "Stop e-mails about new drive openings to lin@alpha.example.edu?" in page.content.decode()
    )
    assert stored(college, student.user_id)["drive_openings"] is True  # GET changes nothing

    token = link.split("token=", 1)[1]
    done = client.post(UNSUBSCRIBE, {"token": token})
    assert done.status_code == 200
    assert "will no longer receive e-mails about new drive openings" in done.content.decode()
    assert stored(college, student.user_id) == {
        "drive_openings": False,
        "application_updates": True,
    }

    mail.outbox.clear()
    with tenant_context(college):  # the next opening skips them
        assert senders.drive_opened(drive_id=make_drive(college).pk) == 0


def test_mail_clients_unsubscribe_in_one_click(college):
    student = make_student(college)
    link = unsubscribe_link_mailed(college, student)

    response = client_for(college, csrf=True).post(path_of(link), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert stored(college, student.user_id)["drive_openings"] is False


def test_a_link_of_one_college_is_refused_by_another(college, other_college):
    # given: a student of each college under the same user id; alpha's student got a link
    student = make_student(college)
    with tenant_context(other_college):
        User.objects.create_user(email="twin@beta.example.edu", pk=student.user_id)
    link = unsubscribe_link_mailed(college, student)
    token = link.split("token=", 1)[1]

    # when: the link is replayed on beta's host
    page = client_for(other_college).get(UNSUBSCRIBE, {"token": token})
    posted = client_for(other_college).post(UNSUBSCRIBE, {"token": token})

    # then: refused; nobody's preferences changed in either college
    assert page.status_code == posted.status_code == 400
    assert "invalid or has expired" in posted.content.decode()
    assert stored(other_college, student.user_id)["drive_openings"] is True
    assert stored(college, student.user_id)["drive_openings"] is True


@pytest.mark.parametrize("token", ["", "garbage", "eyJzIjoiY19hbHBoYSJ9:forged:signature"])
def test_forged_or_missing_tokens_are_refused(college, token):
    response = client_for(college).post(UNSUBSCRIBE, {"token": token})

    assert response.status_code == 400
    with tenant_context(college):
        assert not NotificationPreference.objects.exists()


def test_a_token_for_an_unknown_category_or_another_salt_is_refused(college, student):
    from django.core import signing

    with tenant_context(college):
        other_category = signing.dumps(
            {"s": college.schema_name, "u": student.pk, "c": "everything"},
            salt="placemate.notifications.unsubscribe",
        )
        other_salt = signing.dumps(
            {"s": college.schema_name, "u": student.pk, "c": "drive_openings"}
        )
        valid = unsubscribe_token(user_id=student.pk, category="drive_openings")

    for token in (other_category, other_salt):
        assert client_for(college).post(UNSUBSCRIBE, {"token": token}).status_code == 400
    assert client_for(college).post(UNSUBSCRIBE, {"token": valid}).status_code == 200
