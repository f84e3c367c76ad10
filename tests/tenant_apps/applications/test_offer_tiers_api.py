"""The offer tiers through the API (`offer-tiers/`) and the admin's page: everybody reads, the
admin replaces the list; the old policy fields stay derived; each college on its own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import OfferTier
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import make_student, set_tiers
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

TIERS = "/api/v1/offer-tiers/"
PAGE = "/office/settings/offer-tiers/"
THREE = [
    {"name": "Regular", "min_ctc": "0"},
    {"name": "Dream", "min_ctc": "1500000"},
    {"name": "Super Dream", "min_ctc": "3000000"},
]


def names(response) -> list[tuple]:
    return [(t["name"], t["rank"], t["min_ctc"]) for t in response.json()["data"]]


def test_the_admin_replaces_the_tiers_and_everybody_reads_them(college, admin_client):
    saved = admin_client.put(TIERS, {"tiers": THREE}, format="json")
    student = client_for(college, make_student(college).user)

    assert saved.status_code == 200, saved.json()
    assert names(student.get(TIERS)) == [
        ("Regular", 1, "0.00"),
        ("Dream", 2, "1500000.00"),
        ("Super Dream", 3, "3000000.00"),
    ]
    settings = student.get("/api/v1/settings/").json()["data"]
    assert (settings["one_offer_policy"], settings["dream_ctc_threshold"]) == (True, "1500000.00")


def test_reordering_keeps_the_tiers_and_a_left_out_one_is_deleted(college, admin_client):
    first = admin_client.put(TIERS, {"tiers": THREE}, format="json").json()["data"]["tiers"]
    regular, dream, _super = (t["id"] for t in first)

    response = admin_client.put(
        TIERS,
        {
            "tiers": [
                {"id": dream, "name": "Core", "min_ctc": None},
                {"id": regular, "name": "Open"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert [(t["id"], t["name"], t["rank"]) for t in response.json()["data"]["tiers"]] == [
        (dream, "Core", 1),
        (regular, "Open", 2),
    ]
    with tenant_context(college):
        assert OfferTier.objects.count() == 2


@pytest.mark.parametrize(
    "tiers",
    [
        [{"name": "Dream", "min_ctc": "0"}, {"name": "dream", "min_ctc": "10"}],  # same name
        [{"name": "High", "min_ctc": "2000000"}, {"name": "Low", "min_ctc": "100"}],  # bands down
        [{"id": 987654, "name": "Ghost"}],  # not a tier of this college
        [{"name": "", "min_ctc": "0"}],
        [{"name": "Negative", "min_ctc": "-1"}],
    ],
)
def test_bad_tiers_are_refused_with_the_envelope(college, admin_client, tiers):
    response = admin_client.put(TIERS, {"tiers": tiers}, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "validation_error"
    with tenant_context(college):
        assert not OfferTier.objects.exists()


def test_only_the_admin_changes_the_tiers(college, coordinator_client):
    response = coordinator_client.put(TIERS, {"tiers": THREE}, format="json")
    assert response.status_code == 403
    with tenant_context(college):
        assert not OfferTier.objects.exists()


def test_each_college_has_its_own_tiers(college, other_college, admin_client):
    alpha = admin_client.put(TIERS, {"tiers": THREE}, format="json").json()["data"]["tiers"]
    beta_admin = client_for(other_college, make_user(other_college, Role.ADMIN))

    seen = beta_admin.get(TIERS).json()["data"]
    guessed = beta_admin.put(
        TIERS, {"tiers": [{"id": alpha[0]["id"], "name": "Taken"}]}, format="json"
    )

    assert seen == []
    assert guessed.status_code == 400
    with tenant_context(college):
        assert OfferTier.objects.get(pk=alpha[0]["id"]).name == "Regular"


def test_the_list_costs_the_same_queries_for_1_or_12_tiers(college):
    client = client_for(college, make_student(college).user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TIERS).status_code == 200
        return len(queries)

    set_tiers(college, ("Only", "0"))
    count()
    first = count()
    set_tiers(college, *[(f"T{i}", str(i * 100000)) for i in range(12)])
    assert count() == first


# --- The admin's page --------------------------------------------------------------------------


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def test_the_admin_names_tiers_on_the_page_and_saving_settings_keeps_them(college, college_admin):
    admin = page_client(college, college_admin, csrf=True)
    token = csrf_of(admin.get(PAGE))
    form = {
        "csrfmiddlewaretoken": token,
        "tiers-TOTAL_FORMS": "3",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-name": "Regular",
        "tiers-0-min_ctc": "0",
        "tiers-1-name": "Dream",
        "tiers-1-min_ctc": "1500000",
        "tiers-2-name": "Super Dream",
        "tiers-2-min_ctc": "3000000",
    }

    saved = admin.post(PAGE, form)
    # the settings form sends the derived policy back unchanged: the three tiers stay
    settings = admin.get("/office/settings/")
    admin.post(
        "/office/settings/",
        {
            "csrfmiddlewaretoken": csrf_of(settings),
            "one_offer_policy": "on",
            "dream_ctc_threshold": "1500000.00",
            "support_access_enabled": "on",
        },
    )

    assert saved.status_code == 302
    with tenant_context(college):
        assert list(OfferTier.objects.order_by("rank").values_list("name", flat=True)) == [
            "Regular",
            "Dream",
            "Super Dream",
        ]
    assert "Super Dream" in text_of(admin.get(PAGE))


def test_a_bad_tier_list_answers_the_page_with_the_error(college, college_admin):
    admin = page_client(college, college_admin, csrf=True)
    response = admin.post(
        PAGE,
        {
            "csrfmiddlewaretoken": csrf_of(admin.get(PAGE)),
            "tiers-TOTAL_FORMS": "2",
            "tiers-INITIAL_FORMS": "0",
            "tiers-0-name": "High",
            "tiers-0-min_ctc": "2000000",
            "tiers-1-name": "Low",
            "tiers-1-min_ctc": "100",
        },
    )

    assert response.status_code == 400
    assert 'id="tiers-errors"' in text_of(response)


def test_the_tiers_page_is_the_admins_only(college):
    coordinator = page_client(college, make_user(college, Role.COORDINATOR))
    assert coordinator.get(PAGE).status_code in (403, 404)
