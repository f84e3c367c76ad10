"""The placement policy lives in the college's settings: the admin sets it, everybody reads it,
and the eligibility rules follow it at once (the cached settings are refreshed on change)."""

from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from tests.conftest import client_for
from tests.tenant_apps.factories import make_drive, make_student

SETTINGS = "/api/v1/settings/"


def test_the_admin_sets_the_placement_policy_and_everybody_reads_it(
    college, admin_client, student_client
):
    response = admin_client.patch(
        SETTINGS, {"one_offer_policy": True, "dream_ctc_threshold": "2500000.00"}, format="json"
    )

    assert response.status_code == 200, response.json()
    data = student_client.get(SETTINGS).json()["data"]
    assert (data["one_offer_policy"], data["dream_ctc_threshold"]) == (True, "2500000.00")
    with tenant_context(college):
        stored = CollegeSettings.load()
    assert stored.one_offer_policy is True and str(stored.dream_ctc_threshold) == "2500000.00"


def test_the_policy_is_off_by_default_and_the_threshold_cannot_be_negative(college, admin_client):
    defaults = admin_client.get(SETTINGS).json()["data"]
    negative = admin_client.patch(SETTINGS, {"dream_ctc_threshold": "-1"}, format="json")

    assert (defaults["one_offer_policy"], defaults["dream_ctc_threshold"]) == (False, None)
    assert negative.status_code == 400
    assert "dream_ctc_threshold" in negative.json()["error"]["details"]


def test_a_policy_change_applies_to_the_next_application(college, admin_client):
    # given a placed student who may apply while the policy is off (settings now cached)
    placed = make_student(college, placed=True)
    client = client_for(college, placed.user)
    first = make_drive(college)
    assert client.post("/api/v1/applications/", {"drive": first.pk}, format="json").status_code == (
        201
    )

    # when the admin turns the policy on
    admin_client.patch(SETTINGS, {"one_offer_policy": True}, format="json")
    response = client.post(
        "/api/v1/applications/", {"drive": make_drive(college).pk}, format="json"
    )

    # then the next application is refused: under the policy the drive is hidden from a
    # placed student, and answers like a missing one (docs/api.md)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "drive" in response.json()["error"]["details"]
