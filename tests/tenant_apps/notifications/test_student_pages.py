"""The student's e-mail preferences page, on the preferences service."""

import re

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.notifications.models import NotificationPreference
from tests.conftest import make_user
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def test_everything_is_on_until_turned_off(college, student):
    html = text_of(page_client(college, student).get("/me/notifications/"))
    assert re.search(r'name="drive_openings"[^>]*checked', html)
    assert re.search(r'name="application_updates"[^>]*checked', html)
    assert "Always sent" in html


def test_turning_a_category_off_saves_it_through_the_service(college, student):
    client = page_client(college, student, csrf=True)
    token = csrf_of(client.get("/me/notifications/"))
    response = client.post(
        "/me/notifications/", {"csrfmiddlewaretoken": token, "application_updates": "on"}
    )
    assert response.status_code == 302
    with tenant_context(college):
        preference = NotificationPreference.objects.get(user=student)
    assert (preference.drive_openings, preference.application_updates) == (False, True)
    html = text_of(client.get("/me/notifications/"))
    assert not re.search(r'name="drive_openings"[^>]*checked', html)


def test_a_post_without_the_csrf_token_is_refused(college, student):
    client = page_client(college, student, csrf=True)
    assert client.post("/me/notifications/", {}).status_code == 403
    with tenant_context(college):
        assert not NotificationPreference.objects.filter(user=student).exists()


def test_preferences_belong_to_their_college(college, other_college, student):
    elsewhere = make_user(other_college, Role.STUDENT, email=student.email)
    client = page_client(other_college, elsewhere, csrf=True)
    token = csrf_of(client.get("/me/notifications/"))
    client.post("/me/notifications/", {"csrfmiddlewaretoken": token})
    with tenant_context(college):
        assert not NotificationPreference.objects.exists()
    assert re.search(
        r'name="drive_openings"[^>]*checked',
        text_of(page_client(college, student).get("/me/notifications/")),
    )


def test_other_roles_get_a_403(college):
    client = page_client(college, make_user(college, Role.COORDINATOR))
    assert client.get("/me/notifications/").status_code == 403
