"""The placement office's offer pages: the list with its filters and expiring offers, making an
offer with its letter through the API's serializer, service and file checks, one offer."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Offer
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_offer,
    make_student,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

OFFERS = "/office/offers/"
NEW = "/office/offers/new/"
PDF = b"%PDF-1.4\n%%EOF\n"


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def offered(college, drive=None, **student):
    drive = drive or make_drive(college, ctc="1250000")
    return make_application(college, make_student(college, **student), drive, "offered")


def offer_body(application, **extra) -> dict:
    return {
        "application": application.pk,
        "ctc": "1250000",
        "joining_date": "2031-07-01",
        "expires_at": "2030-06-30T18:00",
        **extra,
    }


def offers_of(college, application) -> list[Offer]:
    with tenant_context(college):
        return list(Offer.objects.filter(application=application))


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_the_office_opens_the_offer_pages(college, role):
    offer = make_offer(college, offered(college))
    client = page_client(college, make_user(college, role))
    for url in (OFFERS, NEW, f"{OFFERS}{offer.pk}/"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", [Role.STUDENT, Role.RECRUITER])
def test_students_and_recruiters_cannot_open_the_office_offer_pages(college, role):
    offer = make_offer(college, offered(college))
    client = page_client(college, make_user(college, role))
    for url in (OFFERS, NEW, f"{OFFERS}{offer.pk}/", f"{OFFERS}{offer.pk}/letter/"):
        assert client.get(url).status_code == 403


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_ctc_status_and_highlights_offers_expiring_within_72_hours(
    college, coordinator
):
    soon = make_offer(college, offered(college), ctc="1250000", expires_in=timedelta(hours=30))
    later = make_offer(college, offered(college), ctc="900000", expires_in=timedelta(days=6))
    html = text_of(page_client(college, coordinator).get(OFFERS))
    assert "₹12.5 L" in html and "₹9 L" in html
    row_soon = html.split(f'id="offer-{soon.pk}"')[1].split("</tr>")[0]
    row_later = html.split(f'id="offer-{later.pk}"')[1].split("</tr>")[0]
    assert "Expires in" in row_soon and "Pending" in row_soon
    assert "Expires in" not in row_later


def test_the_list_filters_by_status_drive_and_expiring_soon(college, coordinator):
    drive = make_drive(college)
    soon = make_offer(college, offered(college, drive), expires_in=timedelta(hours=10))
    later = make_offer(college, offered(college, drive), expires_in=timedelta(days=10))
    elsewhere = make_offer(college, offered(college), expires_in=timedelta(hours=10))
    accepted = make_offer(college, offered(college, drive), expires_in=timedelta(hours=10))
    with tenant_context(college):
        Offer.objects.filter(pk=accepted.pk).update(status="accepted")
    client = page_client(college, coordinator)

    def shown(**params) -> set[int]:
        html = text_of(client.get(OFFERS, params))
        return {int(pk) for pk in re.findall(r'id="offer-(\d+)"', html)}

    assert shown(drive=drive.pk) == {soon.pk, later.pk, accepted.pk}
    assert shown(drive=drive.pk, status="accepted") == {accepted.pk}
    assert shown(expiring="on") == {soon.pk, elsewhere.pk}


def test_the_list_costs_the_same_queries_for_1_or_15_offers(college, coordinator):
    client = page_client(college, coordinator)
    drive = make_drive(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Offer.all_objects.all().delete()
        for _ in range(n):
            make_offer(college, offered(college, drive))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(OFFERS)
        assert len(re.findall(r'id="offer-\d+"', text_of(response))) == n
        return len(queries)

    client.get(OFFERS)
    assert count_for(1) == count_for(15)


# --- Making an offer ---------------------------------------------------------------------------


def test_the_form_costs_the_same_queries_for_1_or_15_applications_to_choose(college, coordinator):
    client = page_client(college, coordinator)
    drive = make_drive(college)

    def count_for(n: int) -> int:
        chosen = [offered(college, drive) for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(NEW)
        assert all(f'<option value="{a.pk}">' in text_of(response) for a in chosen)
        return len(queries)

    client.get(NEW)
    assert count_for(1) == count_for(15)


def test_an_offer_is_made_from_the_applicant_link_with_its_letter(college, coordinator):
    # given an application in the offered stage
    application = offered(college)
    client = page_client(college, coordinator, csrf=True)
    form = client.get(NEW, {"application": application.pk})
    assert f'<option value="{application.pk}" selected' in text_of(form)
    # when
    letter = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    response = client.post(
        NEW, {**offer_body(application), "letter": letter, "csrfmiddlewaretoken": csrf_of(form)}
    )
    # then the offer is made with the times of the college's zone, and its letter downloads
    (offer,) = offers_of(college, application)
    assert response.status_code == 302 and response["Location"] == f"{OFFERS}{offer.pk}/"
    assert offer.expires_at.isoformat() == "2030-06-30T12:30:00+00:00"
    detail = text_of(client.get(response["Location"]))
    assert "₹12.5 L" in detail and 'id="offer-letter"' in detail
    download = client.get(f"{OFFERS}{offer.pk}/letter/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    with tenant_context(college):
        offer.letter.delete(save=False)


def test_a_letter_that_is_not_a_pdf_is_refused_and_nothing_typed_is_lost(college, coordinator):
    application = offered(college)
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = page_client(college, coordinator).post(
        NEW, {**offer_body(application, ctc="1333000"), "letter": fake}
    )
    html = text_of(response)
    assert response.status_code == 200
    assert "Only PDF files are accepted." in html
    assert 'value="1333000"' in html and 'value="2030-06-30T18:00"' in html
    assert offers_of(college, application) == []


def test_the_services_rules_show_on_the_form(college, coordinator):
    # given an application still in process, and one that has its offer already
    in_process = make_application(college, make_student(college), make_drive(college), "in_process")
    taken = offered(college)
    make_offer(college, taken)
    client = page_client(college, coordinator)
    # then the state machine, the one-offer rule and the expiry are the service's
    not_yet = text_of(client.post(NEW, offer_body(in_process)))
    twice = text_of(client.post(NEW, offer_body(taken)))
    expired = text_of(client.post(NEW, offer_body(offered(college), expires_at="2020-01-01T10:00")))
    assert "Offers are made on applications in the offered status" in not_yet
    assert "This application already has an offer." in twice
    assert 'id="error-expires_at"' in expired and "expired already" in expired
    assert offers_of(college, in_process) == []


def test_an_offer_needs_its_fields(college, coordinator):
    application = offered(college)
    response = page_client(college, coordinator).post(
        NEW, {"application": application.pk, "ctc": "", "expires_at": ""}
    )
    assert 'id="error-ctc"' in text_of(response) and 'id="error-expires_at"' in text_of(response)


def test_an_offer_without_a_letter_has_nothing_to_download(college, coordinator):
    offer = make_offer(college, offered(college))
    client = page_client(college, coordinator)
    assert 'id="offer-letter"' not in text_of(client.get(f"{OFFERS}{offer.pk}/"))
    assert client.get(f"{OFFERS}{offer.pk}/letter/").status_code == 404


def test_a_pending_offer_gets_more_time_and_an_answered_one_cannot_change(college, coordinator):
    pending = make_offer(college, offered(college))
    answered = make_offer(college, offered(college))
    with tenant_context(college):
        Offer.objects.filter(pk=answered.pk).update(status="accepted")
    client = page_client(college, coordinator)
    later = client.post(f"{OFFERS}{pending.pk}/", {"expires_at": "2030-07-31T17:30"})
    assert later.status_code == 302
    with tenant_context(college):
        assert Offer.objects.get(pk=pending.pk).expires_at.isoformat() == (
            "2030-07-31T12:00:00+00:00"
        )
    assert 'id="offer-change-form"' not in text_of(client.get(f"{OFFERS}{answered.pk}/"))
    refused = client.post(f"{OFFERS}{answered.pk}/", {"expires_at": "2030-07-31T17:30"})
    assert refused.status_code == 200
    assert "This offer is accepted: it can no longer change." in text_of(refused)


def test_filtering_with_htmx_returns_only_the_table(college, coordinator):
    offer = make_offer(college, offered(college))
    response = page_client(college, coordinator).get(
        OFFERS, {"status": "pending"}, HTTP_HX_REQUEST="true"
    )
    assert f'id="offer-{offer.pk}"' in text_of(response) and "<html" not in text_of(response)


def test_the_list_never_fails_on_odd_parameters(college, coordinator):
    odd = {"status": "lost", "drive": "x", "ordering": "password", "page": "999"}
    assert page_client(college, coordinator).get(OFFERS, odd).status_code == 200


# --- Two colleges ------------------------------------------------------------------------------


def test_another_colleges_staff_cannot_read_or_make_offers_on_the_colleges_rows(
    college, other_college, coordinator
):
    application = offered(college)
    offer = make_offer(college, offered(college))
    stranger = page_client(other_college, make_user(other_college, Role.COORDINATOR))
    assert stranger.get(f"{OFFERS}{offer.pk}/").status_code == 404
    assert stranger.get(f"{OFFERS}{offer.pk}/letter/").status_code == 404
    moved = stranger.post(f"{OFFERS}{offer.pk}/", {"expires_at": "2030-07-31T17:30"})
    assert moved.status_code == 404
    assert stranger.get(NEW, {"application": application.pk}).status_code == 404
    assert stranger.post(NEW, offer_body(application)).status_code == 404
    assert not re.search(r'id="offer-\d+"', text_of(stranger.get(OFFERS)))
    assert offers_of(college, application) == []
