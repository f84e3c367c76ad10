"""Interview slots, a bulk result and an announcement, in a real headless Chromium: the office
(on a laptop) defines a round's slot with its panel and lets students pick; a student (on a
phone) picks it and finds it in their interviews; the office records the round's results for
two applicants at once, which moves them on; the office posts a notice to the batch and sees
it counted read once the student opens it on the phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.accounts.models import Role
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.interviews import services
from tenant_apps.interviews.models import Interview, InterviewSlot
from tenants.services import college_ensure
from tests.browser import VIEWPORTS, committed, drop_college, manage, needs_chromium, snapshot
from tests.conftest import make_user
from tests.tenant_apps.factories import make_application, make_company, make_drive, make_student
from tests.workspace.season import PASSWORD, message, sign_in

pytestmark = needs_chromium

SUBDOMAIN = "slot-campus"
OFFICE = "arjun.rao@slot-campus.example.edu"
STUDENT = "asha.verma@slot-campus.example.edu"
ZONE = "Asia/Kolkata"

SET_PASSWORDS = """
from django_tenants.utils import tenant_context
from core.accounts.models import User
from tenants.models import College

with tenant_context(College.objects.get(subdomain="{subdomain}")):
    for user in User.objects.filter(email__in={emails!r}):
        user.set_password("{password}")
        user.save(update_fields=["password"])
"""


def _season() -> dict:
    """A drive of Northwind with two shortlisted applicants (Asha, who signs in, and Ravi,
    already booked by the office) and a third student of the batch."""
    college, _ = college_ensure(subdomain=SUBDOMAIN, name="Slot Campus")
    college.time_zone = ZONE
    college.save(update_fields=["time_zone"])
    coordinator = make_user(college, Role.COORDINATOR, OFFICE)
    with tenant_context(college):
        coordinator.first_name, coordinator.last_name = "Arjun", "Rao"
        coordinator.save(update_fields=["first_name", "last_name"])
    drive = make_drive(
        college, make_company(college, "Northwind Analytics"), title="Data Engineer",
        rounds=("technical", "hr"),
    )  # fmt: skip
    asha = make_student(college, email=STUDENT, first_name="Asha", last_name="Verma")
    ravi = make_student(college, first_name="Ravi", last_name="Kumar")
    make_student(college, first_name="Neha", last_name="Shah")
    applications = {
        name: make_application(college, student, drive, ApplicationStatus.SHORTLISTED)
        for name, student in (("asha", asha), ("ravi", ravi))
    }
    with tenant_context(college):
        first_round = drive.rounds.get(sequence=1)
        earlier = services.slot_create(
            round=first_round,
            starts_at=timezone.now() + timedelta(days=1, hours=-1),
            duration_minutes=30,
            venue="Placement cell, room 1",
        )
        services.slot_book(slot=earlier, application=applications["ravi"], actor=coordinator)
    return {"college": college, "drive": drive, "round": first_round, **applications}


@pytest.fixture
def campus(db, workspace_server):
    drop_college(SUBDOMAIN)  # what an interrupted run left
    rows = committed(_season)
    manage(
        workspace_server.mail_dir,
        SET_PASSWORDS.format(subdomain=SUBDOMAIN, emails=[OFFICE, STUDENT], password=PASSWORD),
    )
    yield {**rows, "port": workspace_server.port}
    drop_college(SUBDOMAIN)


def in_college(college, work):
    def run():
        with tenant_context(college):
            return work()

    return committed(run)


def test_slots_picked_on_a_phone_a_bulk_result_and_an_announcement_read(
    campus, browser_context, chromium
):
    base = f"http://{SUBDOMAIN}.localhost:{campus['port']}"
    drive, round_ = campus["drive"], campus["round"]
    office = browser_context.new_page()
    phone = chromium.new_context(viewport=VIEWPORTS["phone"], locale="en-IN")
    student = phone.new_page()
    tomorrow = timezone.now().astimezone(timezone.get_fixed_timezone(330)) + timedelta(days=1)
    starts = tomorrow.replace(hour=15, minute=0, second=0, microsecond=0)

    try:
        # --- the office defines the round's slot with its panel, and lets students pick ---
        office.goto(f"{base}/")
        sign_in(office, OFFICE)
        office.goto(f"{base}/office/interviews/slots/?drive={drive.pk}&round={round_.pk}")
        expect(office.locator("h1")).to_have_text("Interview slots")
        office.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
        office.fill("#id_duration_minutes", "45")
        office.fill("#id_capacity", "2")
        office.fill("#id_venue", "Seminar hall B")
        office.get_by_label("Arjun Rao (Coordinator)").check()
        office.click("#slot-add")
        expect(message(office)).to_contain_text("The slot is added.")
        office.check("#students-pick")
        office.click("#policy-save")
        expect(message(office)).to_contain_text("Students can now pick")
        slot_id = in_college(
            campus["college"],
            lambda: InterviewSlot.objects.get(venue="Seminar hall B").pk,
        )
        row = office.locator(f"#slot-{slot_id}")
        expect(row).to_contain_text(f"{starts:%a} {starts.day} {starts:%b}, 15:00\u201315:45")
        expect(row).to_contain_text("Arjun Rao")
        expect(row).to_contain_text("0 / 2")
        expect(office.locator("#slots-table")).to_contain_text("Ravi Kumar")
        snapshot(office, "slots-01-office-slots")

        # --- the student picks it on a phone and finds it in their interviews ---
        student.goto(f"{base}/")
        sign_in(student, STUDENT)
        student.goto(f"{base}/me/interviews/")
        student.click("#pick-slot")
        expect(student.locator("h1")).to_have_text("Pick an interview slot")
        expect(student.locator(f"#slot-{slot_id}")).to_contain_text("2 seats left")
        expect(student.locator(f"#slot-{slot_id}")).to_contain_text("Arjun Rao")
        snapshot(student, "slots-02-student-pick-phone")
        student.click(f"#take-{slot_id}")
        expect(message(student)).to_contain_text("Booked:")
        expect(student.locator("#agenda")).to_contain_text("15:00\u201315:45")
        expect(student.locator("#agenda")).to_contain_text("Seminar hall B")
        expect(student.locator("#slots-open")).to_have_count(0)  # nothing left to pick
        snapshot(student, "slots-03-student-booked-phone")

        # --- the office records both applicants' results at once ---
        office.goto(f"{base}/office/interviews/results/?drive={drive.pk}&round={round_.pk}")
        interviews = in_college(
            campus["college"],
            lambda: dict(
                Interview.objects.filter(round=round_).values_list("application_id", "pk")
            ),
        )
        asha, ravi = interviews[campus["asha"].pk], interviews[campus["ravi"].pk]
        office.select_option(f"#result-{asha}", "cleared")
        office.fill(f"#feedback-{asha}", "Clear on joins and indexes.")
        office.select_option(f"#result-{ravi}", "rejected")
        snapshot(office, "slots-04-office-results")
        office.click("#results-submit")
        expect(message(office)).to_contain_text("2 results recorded")
        statuses = in_college(
            campus["college"],
            lambda: dict(Application.objects.filter(drive=drive).values_list("pk", "status")),
        )
        assert statuses == {
            campus["asha"].pk: ApplicationStatus.IN_PROCESS,  # on to the HR round
            campus["ravi"].pk: ApplicationStatus.REJECTED,
        }

        # --- a notice to the batch, read on the phone, counted for the office ---
        office.goto(f"{base}/office/announcements/new/")
        office.fill("#id_title", "Pre-placement talk on Friday")
        office.fill("#id_body", "Northwind presents its roles in Hall 1 at 4 pm.")
        office.get_by_label("A batch (graduation year)").check()
        office.select_option("#id_graduation_year", "2027")
        office.click("#announcement-post")
        expect(message(office)).to_contain_text("Posted to 3 students")
        expect(office.locator("#read-count")).to_have_text("0 of 3 students")
        snapshot(office, "slots-05-office-announcement")

        student.goto(f"{base}/me/announcements/")
        expect(student.locator("#notices")).to_contain_text("New")
        snapshot(student, "slots-06-student-notices-phone")
        student.get_by_role("link", name="Pre-placement talk on Friday").click()
        expect(student.locator("#notice")).to_contain_text("Hall 1 at 4 pm")
        snapshot(student, "slots-07-student-notice-phone")

        office.reload()
        expect(office.locator("#read-count")).to_have_text("1 of 3 students")
        office.goto(f"{base}/office/announcements/")
        expect(office.locator("#announcements-table")).to_contain_text("1 / 3")
        snapshot(office, "slots-08-office-announcements")
    finally:
        phone.close()
