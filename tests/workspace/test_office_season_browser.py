"""The placement office through a season, in a real headless Chromium on the development server
of a `make run`-style start: signing in with a second factor, importing students from a file
with bad rows, verifying them in bulk, a drive with rules, skills and rounds, its eligible and
recommended students, shortlisting, interviews, a result, an offer, and the home's figures.
Every page visited is screenshotted and checked with axe (`snapshot`). Then the office on a
phone: home, students and a drive at 390 px."""

import csv
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tenants.models import College
from tests.browser import committed, drop_college, manage, needs_chromium, snapshot
from tests.conftest import wait_for
from tests.workspace.season import go_to, message, office_setup, sign_in, totp_now

pytestmark = needs_chromium

SEASON = "season-walk"
PHONE = "season-phone"
ADMIN = "placement.head@season.example.edu"
COORDINATOR = "coordinator@season.example.edu"
COMPANY = "Northwind Analytics"
DRIVE = "Graduate data engineer"
DEPARTMENTS = ("CSE", "ECE", "IT", "MECH")
FIRST_NAMES = ("Aarav", "Diya", "Ishaan", "Meera", "Kabir", "Anaya", "Rohan", "Saanvi", "Vihaan")
LAST_NAMES = ("Sharma", "Iyer", "Khan", "Das", "Patel", "Nair", "Gill")
# The drive's rules, as typed on its form, and the same rules applied to the file's rows.
MIN_CGPA, RULE_DEPARTMENTS, BATCH = Decimal("6.5"), ("CSE", "ECE", "IT"), 2027
APPLICANTS, SHORTLISTED = 20, 6
SKILLED = 12  # the student whose skills the office fills in (eligible, CGPA 7.35)


def good_row(number: int) -> dict:
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    return {
        "email": f"{first.lower()}.{number:02d}@season.example.edu",
        "first_name": first,
        "last_name": LAST_NAMES[number % len(LAST_NAMES)],
        "roll_number": f"SW{number:03d}",
        "department": DEPARTMENTS[number % len(DEPARTMENTS)],
        "graduation_year": str(BATCH),
        "cgpa": str(Decimal("6.00") + Decimal("0.45") * (number % 9)),
        "backlogs": "1" if number % 7 == 0 else "0",
        "phone": f"+91 98450 {number:05d}",
    }


def eligible(row: dict) -> bool:
    return (
        row["department"] in RULE_DEPARTMENTS
        and Decimal(row["cgpa"]) >= MIN_CGPA
        and row["backlogs"] == "0"
    )


BAD_ROWS = {  # position in the file (0 = first row after the header): a refused row
    7: {**good_row(90), "cgpa": "11.5"},
    19: {**good_row(91), "email": ""},
    31: {**good_row(92), "graduation_year": "next year"},
    44: {**good_row(93), "email": "not-an-address"},
}


def season_file(path) -> tuple[list[dict], list[int]]:
    """A CSV of 50 good students and the BAD_ROWS among them; the good rows and the
    spreadsheet row numbers of the bad ones (the header is row 1)."""
    good = [good_row(number) for number in range(1, 51)]
    rows = list(good)
    for position in sorted(BAD_ROWS):
        rows.insert(position, BAD_ROWS[position])
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(good[0]))
        writer.writeheader()
        writer.writerows(rows)
    return good, [position + 2 for position in sorted(BAD_ROWS)]


def students_apply(subdomain: str, drive_title: str, roll_numbers: list[str]) -> None:
    """The students apply through the applications service (their own pages are tested with
    the student's workspace), committed so that the server sees them."""
    from tenant_apps.applications.services import application_create
    from tenant_apps.drives.models import Drive
    from tenant_apps.students.models import Student

    def work() -> None:
        with tenant_context(College.objects.get(subdomain=subdomain)):
            drive = Drive.objects.get(title=drive_title)
            for student in Student.objects.filter(roll_number__in=roll_numbers):
                application_create(student=student, drive=drive)

    committed(work)


def local_input(moment) -> str:
    """A time as a `datetime-local` field takes it, in the college's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def mail_text(mail_dir) -> str:
    return "".join(path.read_text(errors="replace") for path in mail_dir.glob("*"))


def mails_to(mail_dir, addresses: list[str]) -> set[str]:
    text = mail_text(mail_dir)
    return {address for address in addresses if f"To: {address}" in text}


@pytest.fixture
def season(db, workspace_server):
    """A fresh college with its placement office, removed afterwards."""
    manage(
        workspace_server.mail_dir,
        office_setup(
            subdomain=SEASON, name="Season Institute", admin=ADMIN, coordinator=COORDINATOR
        ),
    )
    yield workspace_server
    drop_college(SEASON)


def test_the_placement_office_runs_a_season_on_the_pages(season, browser_context, tmp_path):
    base = f"http://{SEASON}.localhost:{season.port}"
    page = browser_context.new_page()

    # --- signing in: the password, then the authenticator's code ---
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_have_text("Sign in to Season Institute")
    snapshot(page, "season-01-sign-in")
    sign_in(page, ADMIN)
    expect(page.locator("h1")).to_have_text("Enter your code")
    snapshot(page, "season-02-code")
    page.fill("#id_code", "000000")
    page.click("#verify")
    expect(page.locator("#error-code")).to_be_visible()  # a wrong code is refused on the form
    page.fill("#id_code", totp_now())
    page.click("#verify")

    # --- the office's home: an empty season ---
    expect(page.locator("h1")).to_have_text("Placement office")
    expect(page.locator("#stat-offers")).to_have_text("0")
    expect(page.locator("#stat-placed")).to_contain_text("0 / 0")
    snapshot(page, "season-03-home")

    # --- importing the students: the dry run's report, row by row, then the good rows ---
    go_to(page, "Students")
    expect(page.locator("#students-results")).to_contain_text("No students yet")
    snapshot(page, "season-04-students-empty")
    page.click("#students-import")
    expect(page.locator("h1")).to_have_text("Import students")
    snapshot(page, "season-05-import")
    good, bad_rows = season_file(tmp_path / "students.csv")
    page.set_input_files("#id_file", str(tmp_path / "students.csv"))
    expect(page.locator("#id_invite")).to_be_checked()
    page.click("#import-check")
    expect(page.locator("h1")).to_have_text("Check the import")
    expect(page.locator("#count-created")).to_have_text("50")
    expect(page.locator("#count-failed")).to_have_text(str(len(bad_rows)))
    refused = page.locator("#import-errors tbody tr")
    expect(refused).to_have_count(len(bad_rows))
    for row, number in zip(refused.all(), bad_rows, strict=True):
        expect(row.locator("td").first).to_have_text(str(number))
    expect(page.locator("#import-errors")).to_contain_text("cgpa")
    expect(page.locator("#import-errors")).to_contain_text("email")
    expect(page.locator("#import-errors")).to_contain_text("graduation_year")
    snapshot(page, "season-06-import-report")
    page.click("#import-confirm")
    expect(message(page)).to_contain_text("Import done: 50 created")
    expect(message(page)).to_contain_text(f"{len(bad_rows)} rows refused")
    expect(page.locator("#students-table tbody tr")).to_have_count(20)  # the first page
    expect(page.locator("#students-results")).to_contain_text("Not verified")
    snapshot(page, "season-07-students-imported")

    # the worker mails each new student a link to choose a password
    addresses = [row["email"] for row in good]
    assert wait_for(lambda: len(mails_to(season.mail_dir, addresses)) == 50, timeout=30), (
        f"{len(mails_to(season.mail_dir, addresses))} of 50 invitations mailed"
    )
    # their links lead to this college on the port the development server serves
    links = re.findall(
        rf"{re.escape(base)}/reset-password/\?uid=\w+&token=\S+", mail_text(season.mail_dir)
    )
    assert len(links) >= 50, mail_text(season.mail_dir)[-2000:]

    # --- verifying every imported student at once ---
    page.check("#all-matching")
    page.click("#bulk-verify")
    expect(message(page)).to_contain_text("50 students verified.")
    expect(page.locator("#students-results")).not_to_contain_text("Not verified")
    snapshot(page, "season-08-students-verified")

    # --- one profile's skills, which the drive's recommendations will weigh ---
    skilled = good_row(SKILLED)
    page.fill("#filter-q", skilled["roll_number"])  # the list filters as one types
    expect(page.locator("#students-table tbody tr")).to_have_count(1)
    name = f"{skilled['first_name']} {skilled['last_name']}"
    page.locator("#students-table").get_by_role("link", name=name).click()
    expect(page.locator("#verified-badge")).to_have_text("Verified")
    snapshot(page, "season-09-student")
    page.click("#student-edit")
    expect(page.locator("#frozen-note")).to_be_visible()  # verified: academic fields frozen
    page.select_option("#id_skills-0-skill", label="Python")
    page.fill("#id_skills-0-rating", "9")
    page.select_option("#id_skills-1-skill", label="SQL")
    page.fill("#id_skills-1-rating", "8")
    snapshot(page, "season-10-student-edit")
    page.click("#student-save")
    expect(message(page)).to_contain_text(f"{skilled['roll_number']}'s profile is saved.")
    expect(page.locator("#skills")).to_contain_text("Python")
    snapshot(page, "season-11-student-skills")

    # --- the company and its drive: rules, weighted skills, rounds; opened at once ---
    go_to(page, "Companies")
    snapshot(page, "season-12-companies")
    page.click("#company-new")
    snapshot(page, "season-13-company-new")
    page.fill("#id_name", COMPANY)
    page.fill("#id_website", "https://northwind.example.com")
    page.fill("#id_industry", "Analytics")
    page.click("#company-save")
    expect(message(page)).to_contain_text(f"{COMPANY} is added.")
    snapshot(page, "season-14-company")

    go_to(page, "Drives")
    snapshot(page, "season-15-drives")
    page.click("#drive-new")
    expect(page.locator("h1")).to_have_text("New drive")
    page.select_option("#id_company", label=COMPANY)
    page.fill("#id_title", DRIVE)
    page.select_option("#id_job_type", "full_time")
    page.fill("#id_ctc", "1200000")
    page.fill("#id_location", "Bengaluru")
    page.fill("#id_apply_by", local_input(timezone.now() + timedelta(days=14)))
    page.fill("#id_description", "Pipelines and warehouses for retail analytics.")
    page.fill("#id_min_cgpa", str(MIN_CGPA))
    page.fill("#id_max_backlogs", "0")
    page.fill("#id_departments", ", ".join(RULE_DEPARTMENTS))
    page.fill("#id_graduation_years", str(BATCH))
    for index, (skill, weight) in enumerate([("Python", "8"), ("SQL", "5")]):
        page.select_option(f"#id_skills-{index}-skill", label=skill)
        page.fill(f"#id_skills-{index}-weight", weight)
    for index, (kind, name) in enumerate([("aptitude", "Online test"), ("technical", "")]):
        page.select_option(f"#id_rounds-{index}-kind", kind)
        page.fill(f"#id_rounds-{index}-name", name)
    snapshot(page, "season-16-drive-new")
    page.click("#drive-save-open")
    expect(message(page)).to_contain_text(f"Drive “{DRIVE}” created and opened.")
    expect(page.locator("#drive-status")).to_have_text("Open")
    expect(page.locator("#applicants")).to_contain_text("No applicants yet")
    snapshot(page, "season-17-drive-open")

    # --- who may apply, and who fits best ---
    expected = [row for row in good if eligible(row)]
    page.click("#drive-tab-eligible")
    expect(page.locator("#eligible-count")).to_have_text(f"{len(expected)} eligible")
    expect(page.locator("#eligible-table")).not_to_contain_text("MECH")
    snapshot(page, "season-18-eligible")
    page.click("#drive-tab-recommendations")
    expect(page.locator("#recommendations-count")).to_have_text(f"{len(expected)} ranked")
    # the one student with the drive's skills ranks first, above higher CGPAs without them
    top = page.locator("#recommendation-table tbody tr").first
    expect(top).to_contain_text(good_row(SKILLED)["roll_number"])
    snapshot(page, "season-19-recommendations")

    # --- students apply (the service, as their own pages would) ---
    applicants = sorted(row["roll_number"] for row in expected)[:APPLICANTS]
    assert len(applicants) == APPLICANTS
    students_apply(SEASON, DRIVE, applicants)

    # --- shortlisting in bulk on the drive's page ---
    page.click("#drive-tab-applicants")
    tabs = page.locator("#stage-tabs")
    expect(tabs.get_by_role("link", name=re.compile(r"^All"))).to_contain_text(str(APPLICANTS))
    rows = page.locator("#applicant-table tbody tr")
    expect(rows).to_have_count(APPLICANTS)
    for index in range(SHORTLISTED):
        rows.nth(index).locator("input[name=applications]").check()
    expect(page.locator("#id_status")).to_have_value("shortlisted")
    page.fill("#id_note", "Strong aptitude scores")
    snapshot(page, "season-20-drive-applicants")
    page.click("#bulk-move-submit")
    expect(message(page)).to_contain_text(f"{SHORTLISTED} applicants moved to shortlisted.")
    shortlisted_tab = tabs.get_by_role("link", name=re.compile(r"^Shortlisted"))
    expect(shortlisted_tab).to_contain_text(str(SHORTLISTED))
    snapshot(page, "season-21-drive-shortlisted")

    # --- interviews for the shortlisted, back to back ---
    go_to(page, "Interviews")
    snapshot(page, "season-22-interviews")
    page.click("#schedule-interviews")
    page.select_option("#id_drive", label=f"{DRIVE} · {COMPANY}")
    page.click("#schedule-choose-drive")
    expect(page.locator("#schedule-form input[name=applications]")).to_have_count(SHORTLISTED)
    snapshot(page, "season-23-schedule")
    day = timezone.localtime() + timedelta(days=2)
    first_slot = day.replace(hour=10, minute=0, second=0, microsecond=0)
    page.select_option("#id_round", index=0)
    page.fill("#id_scheduled_at", local_input(first_slot))
    page.fill("#id_duration_minutes", "30")
    page.fill("#id_gap_minutes", "10")
    page.fill("#id_venue", "Placement cell, room 2")
    page.fill("#id_interviewer", "Priya Raman")
    page.check("#select-all-applicants")
    page.click("#schedule-submit")
    expect(message(page)).to_contain_text(f"Scheduled {SHORTLISTED} interviews from")
    slots = page.locator("#agenda a[id^=interview-]")
    expect(slots).to_have_count(SHORTLISTED)
    expect(slots.first).to_contain_text("10:00\N{EN DASH}10:30")
    expect(slots.nth(1)).to_contain_text("10:40\N{EN DASH}11:10")
    snapshot(page, "season-24-agenda")

    # --- the first interview's result ---
    slots.first.click()
    expect(page.locator("#result-form")).to_be_visible()
    snapshot(page, "season-25-interview")
    page.select_option("#id_result-status", "cleared")
    page.fill("#id_result-feedback", "Clear thinking on joins and indexes.")
    page.click("#record-result")
    expect(message(page)).to_contain_text("Result recorded: Cleared.")
    student_name = page.locator("main").get_by_text(re.compile(r"SW\d{3}")).first.inner_text()
    roll_number = re.search(r"SW\d{3}", student_name)[0]
    snapshot(page, "season-26-interview-cleared")

    # --- the cleared applicant moved on to the next round with the result; then an offer ---
    go_to(page, "Drives")
    page.get_by_role("link", name=DRIVE).click()
    page.locator("#applicant-q").fill(roll_number)
    page.locator("#applicant-search button[type=submit]").click()
    expect(page.locator("#applicant-table tbody tr")).to_have_count(1)
    expect(page.locator("#applicant-table tbody tr").first).to_contain_text("In process")
    page.locator("#applicant-table tbody input[name=applications]").check()
    page.select_option("#id_status", "offered")
    page.click("#bulk-move-submit")
    expect(message(page)).to_contain_text("1 applicant moved to offered.")
    expect(page.locator("#applicant-table tbody tr").first).to_contain_text("Offered")
    snapshot(page, "season-27-drive-offered")

    go_to(page, "Offers")
    snapshot(page, "season-28-offers")
    page.click("#new-offer")
    choice = page.locator("#id_application option", has_text=roll_number)
    page.select_option("#id_application", choice.get_attribute("value"))
    page.fill("#id_ctc", "1250000")
    page.fill("#id_joining_date", (timezone.localdate() + timedelta(days=60)).isoformat())
    snapshot(page, "season-29-offer-new")
    page.click("#offer-submit")
    expect(message(page)).to_contain_text("The offer is made")
    expect(page.locator("main")).to_contain_text(roll_number)
    snapshot(page, "season-30-offer")

    # --- back home: the season's figures have moved ---
    go_to(page, "Home")
    expect(page.locator("#stat-offers")).to_have_text("1")
    # placed over the students eligible for a drive of the season (an offer made is not a placement)
    expect(page.locator("#stat-placed")).to_contain_text(f"0 / {len(expected)}")
    expect(page.locator("#stat-drives")).to_have_text("1")
    snapshot(page, "season-31-home-after")


@pytest.fixture
def phone_office(db, workspace_server):
    """A fresh college whose coordinator has a few students and an open drive with applicants."""
    from tests.tenant_apps.factories import make_application, make_drive, make_student

    manage(
        workspace_server.mail_dir,
        office_setup(subdomain=PHONE, name="Phone College", admin=ADMIN, coordinator=COORDINATOR),
    )

    def rows() -> int:
        college = College.objects.get(subdomain=PHONE)
        students = [
            make_student(
                college,
                roll_number=f"PH{number:03d}",
                first_name=FIRST_NAMES[number],
                last_name=LAST_NAMES[number % len(LAST_NAMES)],
                cgpa=f"{7 + number * 0.3:.2f}",
                verified=number % 2 == 0,
            )
            for number in range(6)
        ]
        drive = make_drive(college, title="Campus analyst", ctc="850000")
        for student in students[:4]:
            make_application(college, student, drive)
        return drive.pk

    drive_pk = committed(rows)
    yield workspace_server, drive_pk
    drop_college(PHONE)


@pytest.mark.viewport("phone")
def test_the_office_on_a_phone(phone_office, browser_context):
    server, drive_pk = phone_office
    base = f"http://{PHONE}.localhost:{server.port}"
    page = browser_context.new_page()

    page.goto(f"{base}/")
    sign_in(page, COORDINATOR)
    expect(page.locator("h1")).to_have_text("Placement office")
    expect(page.locator("nav.sidebar")).to_be_hidden()  # the menu replaces it
    snapshot(page, "phone-01-home")

    # the menu opens over the page with the office's sections
    page.locator("#menu summary").click()
    menu = page.locator("nav.sidenav")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Students", exact=True)).to_be_visible()
    snapshot(page, "phone-02-menu")
    menu.get_by_role("link", name="Students", exact=True).click()
    expect(page.locator("h1")).to_have_text("Students")
    expect(page.locator("#students-table tbody tr")).to_have_count(6)
    expect(page.locator("#students-table")).to_contain_text("PH005")
    snapshot(page, "phone-03-students")

    go_to(page, "Drives")
    page.get_by_role("link", name="Campus analyst").click()
    expect(page).to_have_url(re.compile(rf"/office/drives/{drive_pk}/$"))
    expect(page.locator("#applicant-table tbody tr")).to_have_count(4)
    snapshot(page, "phone-04-drive")
