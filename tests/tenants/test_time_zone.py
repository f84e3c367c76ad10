"""A college's time zone: chosen at sign-up (Asia/Kolkata by default), validated, changeable."""

import pytest
from django.db import connection

from tenants.models import College
from tenants.services import college_time_zone_set
from tests.browser import drop_college
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SIGNUP = {
    "college_name": "Zone College",
    "subdomain": "zone-college",
    "admin_email": "head@zone.edu",
    "admin_password": "a-long-and-unusual-passphrase",
    "admin_first_name": "Zia",
}


def test_an_unknown_time_zone_is_refused_at_sign_up(public_tenant):
    response = client_for(public_tenant).post(
        "/api/v1/signup/", {**SIGNUP, "time_zone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error" and "time_zone" in body["details"]
    assert not College.objects.filter(subdomain="zone-college").exists()


def test_the_chosen_time_zone_is_the_colleges(public_tenant):
    try:
        response = client_for(public_tenant).post(
            "/api/v1/signup/", {**SIGNUP, "time_zone": "America/New_York"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["data"]["tenant"]["time_zone"] == "America/New_York"
        assert College.objects.get(subdomain="zone-college").time_zone == "America/New_York"
    finally:
        connection.set_schema_to_public()
        drop_college("zone-college")


def test_a_college_may_change_its_zone_but_not_to_nonsense(college):
    assert college.time_zone == "Asia/Kolkata"
    college_time_zone_set(college=college, time_zone="Europe/Paris")
    assert College.objects.get(pk=college.pk).time_zone == "Europe/Paris"
    with pytest.raises(Exception, match="not a known time zone"):
        college_time_zone_set(college=college, time_zone="Nowhere/Land")
