"""The placement rules on the pages, in a real headless Chromium: a student (on a phone) submits
the profile for verification, the office sends it back with a comment, the student reads it and
submits again, and the office verifies it from the queue; the admin names the offer tiers
(Regular, Dream), and a student holding an accepted Regular offer accepts a Dream one, which
releases the Regular offer."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tenant_apps.applications import services as applications
from tenant_apps.applications.models import ApplicationStatus, Offer, OfferStatus
from tenant_apps.students.models import Student, VerificationStatus
from tenants.models import College
from tests.browser import VIEWPORTS, committed, drop_college, manage, needs_chromium, snapshot
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_offer,
    make_student,
)
from tests.workspace.season import PASSWORD, message, office_setup, sign_in, totp_now

pytestmark = needs_chromium

QUEUE, TIERS = "rules-queue", "rules-tiers"  # a college each (a schema is cloned per name)
ADMIN = "kavya.menon@rules.example.edu"
OFFICE = "arjun.rao@rules.example.edu"
NEHA = "neha.shah@rules.example.edu"  # submits her profile
ASHA = "asha.verma@rules.example.edu"  # holds offers

SET_PASSWORDS = """
from django_tenants.utils import tenant_context
from core.accounts.models import User
from tenants.models import College

with tenant_context(College.objects.get(subdomain="{subdomain}")):
    for user in User.objects.filter(email__in={emails!r}):
        user.set_password("{password}")
        user.save(update_fields=["password"])
"""


def _season(subdomain: str) -> dict:
    """Neha, unverified, with her marks; Asha, verified, with offers of Northwind (600000, in
    Regular's band) and Contoso (1500000, in Dream's band)."""
    college = College.objects.get(subdomain=subdomain)
    neha = make_student(college, email=NEHA, first_name="Neha", last_name="Shah", verified=False)
    with tenant_context(college):
        Student.objects.filter(pk=neha.pk).update(tenth_pct=91, twelfth_pct=88)
    asha = make_student(college, email=ASHA, first_name="Asha", last_name="Verma")
    offers = {}
    for name, company, ctc in (("regular", "Northwind", "600000"), ("dream", "Contoso", "1500000")):
        drive = make_drive(college, make_company(college, company), title="Engineer", ctc=ctc)
        application = make_application(college, asha, drive, ApplicationStatus.OFFERED)
        offers[name] = make_offer(college, application)
    return {"college": college, "neha": neha, "asha": asha, **offers}


def _campus(server, subdomain: str):
    drop_college(subdomain)  # what an interrupted run left
    manage(
        server.mail_dir,
        office_setup(subdomain=subdomain, name="Rules Campus", admin=ADMIN, coordinator=OFFICE),
    )
    rows = committed(lambda: _season(subdomain))
    manage(
        server.mail_dir,
        SET_PASSWORDS.format(subdomain=subdomain, emails=[NEHA, ASHA], password=PASSWORD),
    )
    yield {**rows, "port": server.port, "base": f"http://{subdomain}.localhost"}
    drop_college(subdomain)


@pytest.fixture
def queue_campus(db, workspace_server):
    yield from _campus(workspace_server, QUEUE)


@pytest.fixture
def tiers_campus(db, workspace_server):
    yield from _campus(workspace_server, TIERS)


def in_college(college, work):
    def run():
        with tenant_context(college):
            return work()

    return committed(run)


def test_a_profile_sent_back_resubmitted_and_verified_from_the_queue(
    queue_campus, browser_context, chromium
):
    campus = queue_campus
    base = f"{campus['base']}:{campus['port']}"
    neha = campus["neha"]
    office = browser_context.new_page()
    phone = chromium.new_context(viewport=VIEWPORTS["phone"], locale="en-IN")
    student = phone.new_page()
    try:
        # --- the student submits the profile on a phone ---
        student.goto(f"{base}/")
        sign_in(student, NEHA)
        student.goto(f"{base}/me/profile/")
        student.click("#verification-submit")
        expect(message(student)).to_contain_text("Your profile is with the placement office")
        expect(student.locator("#verification-status")).to_contain_text("Waiting")
        snapshot(student, "rules-01-student-submitted-phone")

        # --- the office finds it in the queue and sends it back with a comment ---
        office.goto(f"{base}/")
        sign_in(office, OFFICE)
        office.goto(f"{base}/office/students/verification/")
        expect(office.locator("h1")).to_have_text("Verification queue")
        row = office.locator(f"#queue-{neha.pk}")
        expect(row).to_contain_text("Neha Shah")
        expect(row).to_contain_text("91")
        snapshot(office, "rules-02-office-queue")
        office.fill(f"#comment-{neha.pk}", "Your 12th marks differ from the marksheet.")
        office.click(f"#send-back-button-{neha.pk}")
        expect(message(office)).to_contain_text("was sent back: the student is mailed")
        expect(office.locator(f"#queue-{neha.pk}")).to_have_count(0)

        # --- the student reads the comment and submits again ---
        student.reload()
        status = student.locator("#verification-status")
        expect(status).to_contain_text("Sent back for changes")
        expect(status).to_contain_text("Your 12th marks differ from the marksheet.")
        snapshot(student, "rules-03-student-sent-back-phone")
        student.click("#verification-submit")
        expect(student.locator("#verification-status")).to_contain_text("Waiting")

        # --- the office verifies it from the queue ---
        office.reload()
        office.check(f"#select-{neha.pk}")
        office.click("#queue-verify")
        expect(message(office)).to_be_visible()
        office.goto(f"{base}/office/students/verification/")
        expect(office.locator(f"#queue-{neha.pk}")).to_have_count(0)
        snapshot(office, "rules-04-office-queue-empty")
        found = in_college(campus["college"], lambda: Student.objects.get(pk=neha.pk))
        assert found.is_verified
        assert found.verification_status == VerificationStatus.VERIFIED

        student.reload()
        expect(student.locator("#verification-submit")).to_have_count(0)
        snapshot(student, "rules-05-student-verified-phone")
    finally:
        phone.close()


def test_tiers_defined_and_a_dream_offer_releases_the_regular_one(tiers_campus, browser_context):
    campus = tiers_campus
    base = f"{campus['base']}:{campus['port']}"
    college, regular, dream = campus["college"], campus["regular"], campus["dream"]
    page = browser_context.new_page()

    # --- the admin names the tiers, lowest first ---
    page.goto(f"{base}/")
    sign_in(page, ADMIN)
    page.fill("#id_code", totp_now())
    page.click("#verify")
    expect(page.locator("h1")).to_have_text("Placement office")
    page.goto(f"{base}/office/settings/offer-tiers/")
    expect(page.locator("h1")).to_have_text("Offer tiers")
    page.fill("#id_tiers-0-name", "Regular")
    page.fill("#id_tiers-0-min_ctc", "0")
    page.fill("#id_tiers-1-name", "Dream")
    page.fill("#id_tiers-1-min_ctc", "1000000")
    page.click("#save-tiers")
    expect(message(page)).to_contain_text("The offer tiers are saved.")
    expect(page.locator("#id_tiers-1-name")).to_have_value("Dream")
    snapshot(page, "rules-06-admin-tiers")

    # --- the student accepted the Regular offer (of Northwind) before ---
    def accept_regular() -> None:
        offer = Offer.objects.select_related("application__student__user").get(pk=regular.pk)
        applications.offer_accept(offer=offer, actor=offer.application.student.user)

    in_college(college, accept_regular)

    # --- and accepts the Dream offer (of Contoso) on the offers page ---
    page.context.clear_cookies()
    page.goto(f"{base}/")
    sign_in(page, ASHA)
    page.goto(f"{base}/me/offers/")
    expect(page.locator(f"#offer-{regular.pk}")).to_contain_text("Accepted")
    page.click(f"#accept-{dream.pk}")
    expect(page.locator("#consequences")).to_contain_text("releases your accepted offer")
    expect(page.locator("#consequences")).to_contain_text("Northwind")
    snapshot(page, "rules-07-student-accept-dream")
    page.click("#confirm-accept")
    expect(message(page)).to_contain_text("You accepted the offer of Contoso")
    expect(page.locator(f"#offer-{dream.pk}")).to_contain_text("Accepted")
    expect(page.locator(f"#offer-{regular.pk}")).to_contain_text("Declined")
    expect(page.locator(f"#offer-{regular.pk}")).to_contain_text("Released")
    snapshot(page, "rules-08-student-offers")
    statuses = in_college(
        college,
        lambda: dict(
            Offer.objects.filter(pk__in=[regular.pk, dream.pk]).values_list("pk", "status")
        ),
    )
    assert statuses == {regular.pk: OfferStatus.DECLINED, dream.pk: OfferStatus.ACCEPTED}
