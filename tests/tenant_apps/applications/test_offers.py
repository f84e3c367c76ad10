"""Offers: made by staff on offered applications, accepted or declined by the student before
expiry, within the college's placement policy (one offer, dream drives)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.applications.models import Offer
from tests.conftest import client_for
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_recruiter,
    make_student,
    refreshed,
    set_policy,
)

OFFERS = "/api/v1/offers/"
PDF = b"%PDF-1.4\n%%EOF\n"


def offer_body(application, **overrides) -> dict:
    return {
        "application": application.pk,
        "ctc": "1500000.00",
        "joining_date": "2027-07-01",
        "expires_at": (timezone.now() + timedelta(days=5)).isoformat(),
        **overrides,
    }


@pytest.fixture
def student(college):
    return make_student(college)


@pytest.fixture
def student_client(college, student):
    return client_for(college, student.user)


@pytest.fixture
def offered(college, student):
    return make_application(college, student, make_drive(college, ctc="1500000"), "offered")


# --- Making offers -----------------------------------------------------------------------------


def test_staff_make_an_offer_on_an_offered_application(college, offered, coordinator_client):
    response = coordinator_client.post(OFFERS, offer_body(offered), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["application"], data["status"], data["ctc"]) == (
        offered.pk,
        "pending",
        "1500000.00",
    )
    assert data["is_expired"] is False and data["letter"] is None


@pytest.mark.parametrize("status", ["applied", "shortlisted", "in_process", "rejected"])
def test_offers_are_only_for_offered_applications(college, student, coordinator_client, status):
    application = make_application(college, student, make_drive(college), status)

    response = coordinator_client.post(OFFERS, offer_body(application), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"


def test_one_offer_per_application(college, offered, coordinator_client):
    assert coordinator_client.post(OFFERS, offer_body(offered), format="json").status_code == 201

    response = coordinator_client.post(OFFERS, offer_body(offered), format="json")

    assert response.status_code == 409


def test_an_offer_cannot_be_born_expired(college, offered, coordinator_client):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = coordinator_client.post(OFFERS, offer_body(offered, expires_at=past), format="json")

    assert response.status_code == 400
    assert "expires_at" in response.json()["error"]["details"]


def test_only_staff_make_offers(college, student, student_client):
    company = make_company(college)
    offered = make_application(college, student, make_drive(college, company), "offered")
    recruiter = client_for(college, make_recruiter(college, company))

    assert student_client.post(OFFERS, offer_body(offered), format="json").status_code == 403
    assert recruiter.post(OFFERS, offer_body(offered), format="json").status_code == 403


def test_an_offer_letter_is_a_checked_pdf_downloaded_through_the_api(
    college, offered, coordinator_client, student_client
):
    # given an offer made with a PDF letter, and a refused attempt with an executable
    letter = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    made = coordinator_client.post(OFFERS, {**offer_body(offered), "letter": letter})
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00", content_type="application/pdf")
    other = make_application(college, make_student(college), make_drive(college), "offered")
    refused = coordinator_client.post(OFFERS, {**offer_body(other), "letter": fake})

    # when the student downloads it
    offer_id = made.json()["data"]["id"]
    download = student_client.get(f"{OFFERS}{offer_id}/letter/")

    # then
    assert made.status_code == 201, made.json()
    assert made.json()["data"]["letter"] == {"url": f"/api/v1/offers/{offer_id}/letter/"}
    assert refused.status_code == 415
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    with tenant_context(college):
        stored = Offer.objects.get(pk=offer_id)
        assert re.fullmatch(r"offer-letters/[0-9a-f]{32}\.pdf", stored.letter.name)
        stored.letter.delete(save=False)


# --- Accepting and declining -------------------------------------------------------------------


def test_the_student_accepts_before_expiry_and_is_placed(college, student, offered, student_client):
    offer = make_offer(college, offered)

    response = student_client.post(f"{OFFERS}{offer.pk}/accept/")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["status"] == "accepted"
    assert response.json()["data"]["responded_at"]
    application = refreshed(college, offered)
    assert (application.status, application.accepted_by_id) == ("accepted", student.user.pk)
    assert refreshed(college, student).placement_status == "placed"


def test_the_student_declines(college, student, offered, student_client):
    offer = make_offer(college, offered)

    response = student_client.post(f"{OFFERS}{offer.pk}/decline/")

    assert response.status_code == 200
    assert refreshed(college, offer).status == "declined"
    assert refreshed(college, offered).status == "declined"
    assert refreshed(college, student).placement_status == "unplaced"


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_expired_offer_cannot_be_answered(college, student, offered, student_client, answer):
    offer = make_offer(college, offered, expires_in=timedelta(seconds=-1))

    response = student_client.post(f"{OFFERS}{offer.pk}/{answer}/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"
    assert refreshed(college, offer).status == "pending"
    assert refreshed(college, offered).status == "offered"


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_answered_offer_cannot_be_answered_again(college, offered, student_client, answer):
    offer = make_offer(college, offered)
    assert student_client.post(f"{OFFERS}{offer.pk}/decline/").status_code == 200

    response = student_client.post(f"{OFFERS}{offer.pk}/{answer}/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"


def test_only_the_offers_student_answers_it(college, offered, coordinator_client):
    offer = make_offer(college, offered)
    other_student = client_for(college, make_student(college).user)

    assert other_student.post(f"{OFFERS}{offer.pk}/accept/").status_code == 404
    assert other_student.get(f"{OFFERS}{offer.pk}/").status_code == 404
    assert coordinator_client.post(f"{OFFERS}{offer.pk}/accept/").status_code == 403
    assert refreshed(college, offer).status == "pending"


# --- The placement policy ----------------------------------------------------------------------


def test_accepting_under_the_one_offer_policy_withdraws_other_open_applications_but_dream_ones(
    college, student, offered, student_client
):
    # given the policy with a dream threshold, and other applications in every state
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="3000000")
    regular = make_drive(college, ctc="900000")
    dream = make_drive(college, ctc="3500000")
    open_regular = make_application(college, student, regular, "shortlisted")
    offered_regular = make_application(college, student, make_drive(college), "offered")
    pending_regular_offer = make_offer(college, offered_regular)
    open_dream = make_application(college, student, dream, "in_process")
    rejected = make_application(college, student, make_drive(college), "rejected")
    offer = make_offer(college, offered)

    # when the student accepts
    response = student_client.post(f"{OFFERS}{offer.pk}/accept/")

    # then the non-dream open applications are withdrawn (and their pending offer), the rest stay
    assert response.status_code == 200, response.json()
    assert refreshed(college, open_regular).status == "withdrawn"
    assert refreshed(college, open_regular).withdrawn_by_id == student.user.pk
    assert "one-offer policy" in refreshed(college, open_regular).note
    assert refreshed(college, offered_regular).status == "withdrawn"
    assert refreshed(college, pending_regular_offer).status == "withdrawn"
    assert refreshed(college, open_dream).status == "in_process"
    assert refreshed(college, rejected).status == "rejected"


def test_without_the_policy_accepting_leaves_other_applications_alone(
    college, student, offered, student_client
):
    set_policy(college, one_offer_policy=False)
    other = make_application(college, student, make_drive(college), "shortlisted")
    offer = make_offer(college, offered)

    assert student_client.post(f"{OFFERS}{offer.pk}/accept/").status_code == 200
    assert refreshed(college, other).status == "shortlisted"


def test_a_placed_student_accepts_a_second_offer_only_if_it_is_a_dream_offer(
    college, student_client
):
    # given a student who has accepted one offer, under the policy
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="2000000")
    student = make_student(college, placed=True)
    client = client_for(college, student.user)
    regular = make_offer(
        college, make_application(college, student, make_drive(college), "offered"), ctc="1000000"
    )
    dream = make_offer(
        college, make_application(college, student, make_drive(college), "offered"), ctc="2000000"
    )

    # when they accept a regular offer
    refused = client.post(f"{OFFERS}{regular.pk}/accept/")

    # then the policy refuses it, and the offer stays pending
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "not_eligible"
    assert [r["code"] for r in error["details"]["reasons"]] == ["placement_policy"]
    assert refreshed(college, regular).status == "pending"

    # when they accept the dream offer, then it is theirs and the regular one goes
    accepted = client.post(f"{OFFERS}{dream.pk}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert refreshed(college, regular).status == "withdrawn"


def test_without_a_threshold_the_policy_refuses_any_second_offer(college):
    set_policy(college, one_offer_policy=True)
    student = make_student(college, placed=True)
    offer = make_offer(
        college, make_application(college, student, make_drive(college), "offered"), ctc="9999999"
    )

    response = client_for(college, student.user).post(f"{OFFERS}{offer.pk}/accept/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_eligible"


def test_deleting_the_accepted_offer_unplaces_the_student_and_restoring_places_them_again(
    college, student, offered, student_client, admin_client
):
    offer = make_offer(college, offered)
    assert student_client.post(f"{OFFERS}{offer.pk}/accept/").status_code == 200

    assert admin_client.delete(f"{OFFERS}{offer.pk}/").status_code == 204
    unplaced = refreshed(college, student).placement_status
    assert admin_client.post(f"{OFFERS}{offer.pk}/restore/").status_code == 200

    assert unplaced == "unplaced"
    assert refreshed(college, student).placement_status == "placed"


# --- Scoping -----------------------------------------------------------------------------------


def test_recruiters_read_their_companys_offers_only(college, student):
    ours = make_company(college)
    our_offer = make_offer(
        college, make_application(college, student, make_drive(college, ours), "offered")
    )
    their_offer = make_offer(
        college, make_application(college, student, make_drive(college), "offered")
    )
    client = client_for(college, make_recruiter(college, ours))

    listing = client.get(OFFERS).json()["data"]

    assert [row["id"] for row in listing] == [our_offer.pk]
    assert client.get(f"{OFFERS}{their_offer.pk}/").status_code == 404
    assert client.post(f"{OFFERS}{our_offer.pk}/accept/").status_code == 403
