"""The student's applications with their timelines, withdrawing, and offers: accepting after a
confirmation that names what the placement policy withdraws (the accept service's own list)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Application
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_student,
    refreshed,
    set_policy,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


@pytest.fixture
def profile(college):
    return make_student(college)


@pytest.fixture
def client(college, profile):
    return page_client(college, profile.user, csrf=True)


def post(client, url, page="/me/applications/", **data):
    token = csrf_of(client.get(page))
    return client.post(url, {"csrfmiddlewaretoken": token, **data}, follow=True)


# --- Applications ----------------------------------------------------------------------------


def test_each_application_shows_its_timeline_of_stages(college, profile, client):
    drive = make_drive(college, make_company(college, "Acme"), title="Backend Engineer")
    application = make_application(college, profile, drive)
    with tenant_context(college):
        Application.objects.filter(pk=application.pk).update(
            status="shortlisted", shortlisted_at=timezone.now() + timedelta(minutes=1)
        )
    html = text_of(client.get("/me/applications/"))
    card = html.split(f'id="application-{application.pk}"')[1]
    assert "Backend Engineer" in card and "Acme" in card
    assert card.index("<strong>Applied</strong>") < card.index("<strong>Shortlisted</strong>")
    assert f'id="withdraw-{application.pk}"' in card


def test_withdrawing_goes_through_the_state_machine(college, profile, client):
    application = make_application(college, profile, make_drive(college), "rejected")
    html = text_of(post(client, f"/me/applications/{application.pk}/withdraw/"))
    assert "An application that is rejected cannot become withdrawn." in html
    assert refreshed(college, application).status == "rejected"
    open_one = make_application(college, profile, make_drive(college))
    html = text_of(post(client, f"/me/applications/{open_one.pk}/withdraw/"))
    assert "is withdrawn" in html
    assert refreshed(college, open_one).status == "withdrawn"


def test_the_list_costs_the_same_queries_for_1_or_20_applications(college, profile, client):
    client.get("/healthz")
    make_application(college, profile, make_drive(college))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/applications/").status_code == 200
        return len(queries)

    count()
    first = count()
    for _ in range(19):
        make_application(college, profile, make_drive(college), "shortlisted")
    assert count() == first


def test_another_students_or_colleges_application_is_a_404(college, other_college, client):
    someone = make_application(college, make_student(college), make_drive(college))
    assert post(client, f"/me/applications/{someone.pk}/withdraw/").status_code == 404
    theirs = make_application(other_college, make_student(other_college), make_drive(other_college))
    assert post(client, f"/me/applications/{theirs.pk}/withdraw/").status_code == 404
    assert refreshed(other_college, theirs).status == "applied"
    assert refreshed(college, someone).status == "applied"


# --- Offers ----------------------------------------------------------------------------------


@pytest.fixture
def offer(college, profile):
    drive = make_drive(college, make_company(college, "Acme"), title="Backend Engineer")
    return make_offer(college, make_application(college, profile, drive, "offered"))


def test_the_offers_page_lists_the_offer_with_its_answers(college, offer, client):
    html = text_of(client.get("/me/offers/"))
    assert "Acme" in html and "₹10 L" in html
    assert f'id="accept-{offer.pk}"' in html and f'id="decline-{offer.pk}"' in html


def test_accepting_spells_out_the_applications_the_policy_withdraws(
    college, profile, offer, client
):
    # given the one-offer policy, a dream drive, and three other open applications
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="3000000")
    others = [
        make_application(college, profile, make_drive(college, title=f"Ordinary {i}"))
        for i in range(3)
    ]
    dream = make_application(college, profile, make_drive(college, title="Dream", ctc="5000000"))
    # when the student opens the confirmation
    html = text_of(client.get(f"/me/offers/{offer.pk}/accept/"))
    # then it names the three, not the dream drive
    assert "Accepting withdraws your other 3 applications" in html
    listed = html.split('id="withdrawn-list"')[1].split("</ul>")[0]
    assert all(f"Ordinary {i}" in listed for i in range(3)) and "Dream" not in listed
    # and confirming does exactly that
    html = text_of(
        post(client, f"/me/offers/{offer.pk}/accept/", page=f"/me/offers/{offer.pk}/accept/")
    )
    assert "You accepted the offer of Acme" in html
    assert refreshed(college, offer).status == "accepted"
    assert [refreshed(college, a).status for a in others] == ["withdrawn"] * 3
    assert refreshed(college, dream).status == "applied"


def test_without_the_policy_the_confirmation_says_nothing_is_withdrawn(college, offer, client):
    set_policy(college, one_offer_policy=False)
    html = text_of(client.get(f"/me/offers/{offer.pk}/accept/"))
    assert "the college has no one-offer policy" in html
    assert 'id="withdrawn-list"' not in html


def test_the_policy_refusing_the_offer_is_shown_before_confirming(college, profile, offer, client):
    set_policy(college, one_offer_policy=True)
    with tenant_context(college):
        type(profile).objects.filter(pk=profile.pk).update(placement_status="placed")
    html = text_of(client.get(f"/me/offers/{offer.pk}/accept/"))
    assert 'id="policy-refusal"' in html and 'id="confirm-accept"' not in html
    html = text_of(post(client, f"/me/offers/{offer.pk}/accept/", page="/me/offers/"))
    assert "placement policy does not allow this offer" in html
    assert refreshed(college, offer).status == "pending"


def test_declining_is_confirmed_then_done(college, offer, client):
    assert 'id="confirm-decline"' in text_of(client.get(f"/me/offers/{offer.pk}/decline/"))
    html = text_of(post(client, f"/me/offers/{offer.pk}/decline/", page="/me/offers/"))
    assert "You declined the offer of Acme" in html
    assert refreshed(college, offer).status == "declined"
    again = text_of(post(client, f"/me/offers/{offer.pk}/accept/", page="/me/offers/"))
    assert "This offer is already declined." in again


def test_an_expired_offer_cannot_be_answered(college, profile, client):
    application = make_application(college, profile, make_drive(college), "offered")
    expired = make_offer(college, application, expires_in=timedelta(seconds=-1))
    assert 'id="not-answerable"' in text_of(client.get(f"/me/offers/{expired.pk}/accept/"))
    html = text_of(post(client, f"/me/offers/{expired.pk}/accept/", page="/me/offers/"))
    assert "This offer expired" in html


def test_offers_cost_the_same_queries_for_1_or_10(college, profile, offer, client):
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/offers/").status_code == 200
        return len(queries)

    count()
    first = count()
    for _ in range(9):
        make_offer(college, make_application(college, profile, make_drive(college), "offered"))
    assert count() == first


def test_offer_pages_are_for_the_student_only_and_their_own(college, other_college, offer):
    coordinator = page_client(college, make_user(college, Role.COORDINATOR))
    assert coordinator.get(f"/me/offers/{offer.pk}/accept/").status_code == 403
    stranger = page_client(college, make_student(college).user)
    assert stranger.get(f"/me/offers/{offer.pk}/accept/").status_code == 404
    elsewhere = page_client(other_college, make_student(other_college).user)
    assert elsewhere.get(f"/me/offers/{offer.pk}/accept/").status_code == 404


@pytest.mark.parametrize(
    ("threshold", "said"),
    [
        ("3000000", "places you in the Regular tier: you may then apply only to drives of a "
         "higher tier (Dream)."),
        ("500000", "places you in the Dream tier: it is the college's highest, so you cannot "
         "apply to further drives."),
    ],
)  # fmt: skip
def test_the_confirmation_names_the_tier_the_offer_places_the_student_in(
    college, offer, client, threshold, said
):
    # given the one-offer policy with a dream threshold (tiers Regular and Dream) and a ₹10 L
    # offer, the student's only open application
    set_policy(college, one_offer_policy=True, dream_ctc_threshold=threshold)
    # when the student opens the confirmation, then it says where accepting leaves them
    html = text_of(client.get(f"/me/offers/{offer.pk}/accept/"))
    assert said in html.split('id="tier-after"')[1].split("</li>")[0]
