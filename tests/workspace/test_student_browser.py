"""A student on a 390x844 phone, in a real headless Chromium, only through the pages: from the
set-password mail through the profile checklist and the résumé upload, to the drives (one they
can apply to, one they cannot and why), an assessment that submits itself at its deadline, an
interview at the college's wall clock with its `.ics`, and an offer accepted after reading what
it withdraws. Staff's part (verifying, scheduling, offering) is done with the services."""

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.accounts.models import Role, User
from tenant_apps.applications import services as applications
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.assessments import services as assessments
from tenant_apps.assessments.models import AssessmentStatus, QuestionKind
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews.services import interview_schedule
from tenant_apps.students.models import Student
from tenant_apps.students.verification import verification_approve
from tenants.models import College
from tenants.services import college_ensure
from tests.browser import ROOT, committed, drop_college, manage, needs_chromium, snapshot
from tests.tenant_apps.factories import make_company, make_drive, make_skill, set_policy

pytestmark = [*needs_chromium, pytest.mark.viewport("phone")]

SUBDOMAIN = "phone-campus"
EMAIL = "asha.verma@phone-campus.example.edu"
PASSWORD = "a-long-and-unusual-passphrase"
ZONE = "Asia/Kolkata"
QUESTIONS = {
    "What is 12 times 12?": ("144", "124"),
    "Which of these is a prime number?": ("13", "15"),
}
RIGHT = {text: right for text, (right, _wrong) in QUESTIONS.items()}
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

CREATE_STUDENT = """
from decimal import Decimal
from django.test import RequestFactory
from django_tenants.utils import tenant_context
from tenants.models import College
from tenant_apps.students.services import student_create

college = College.objects.get(subdomain="{subdomain}")
# as the office's "new student" page does: the link keeps the workspace's host and port
request = RequestFactory().get("/", HTTP_HOST="{subdomain}.localhost:{port}", SERVER_PORT="{port}")
with tenant_context(college):
    student_create(
        request=request, email="{email}", first_name="Asha", last_name="Verma",
        roll_number="PC2027001", department="CSE", graduation_year=2027, cgpa=Decimal("7.50"),
    )
"""


def _season() -> dict:
    """A college in India with a one-offer policy, its placement coordinator, two skills, a
    company with two open drives (one asks for a CGPA above the student's) and a published
    assessment of the first drive."""
    college, _ = college_ensure(subdomain=SUBDOMAIN, name="Phone Campus Institute")
    College.objects.filter(pk=college.pk).update(time_zone=ZONE)
    set_policy(college, one_offer_policy=True)
    company = make_company(college, "Nimbus Analytics")
    open_drive = make_drive(college, company, title="Data Analyst", ctc="850000", min_cgpa="6")
    closed_drive = make_drive(college, company, title="Research Scientist", min_cgpa="9")
    for skill in ("Python", "SQL"):
        make_skill(college, skill)
    with tenant_context(college):
        staff = User.objects.create_user(
            email="office@phone-campus.example.edu", password=None, role=Role.COORDINATOR
        )
        bank = assessments.question_bank_create(name="Aptitude")
        questions = [
            assessments.question_create(
                bank=bank,
                text=text,
                kind=QuestionKind.SINGLE,
                choices=[{"text": right, "is_correct": True}, {"text": wrong, "is_correct": False}],
            )
            for text, (right, wrong) in QUESTIONS.items()
        ]
        assessment = assessments.assessment_create(
            title="Aptitude screen", time_limit_minutes=1, questions=questions,
            drive=open_drive, status=AssessmentStatus.PUBLISHED,
        )  # fmt: skip
    return {
        "college": college,
        "company": company,
        "open_drive": open_drive,
        "closed_drive": closed_drive,
        "staff": staff,
        "assessment": assessment,
    }


@pytest.fixture
def season(db, workspace_server):
    drop_college(SUBDOMAIN)  # what an interrupted run left
    rows = committed(_season)
    manage(
        workspace_server.mail_dir,
        CREATE_STUDENT.format(subdomain=SUBDOMAIN, port=workspace_server.port, email=EMAIL),
    )
    yield {**rows, "port": workspace_server.port, "mail_dir": workspace_server.mail_dir}
    drop_college(SUBDOMAIN)
    # the server's media (the résumé) lives under its MEDIA_ROOT, one folder per schema
    media = Path(os.environ.get("MEDIA_ROOT", ROOT / "media"))
    shutil.rmtree(media / rows["college"].schema_name, ignore_errors=True)


def in_college(college, work):
    """`work()` committed inside the college's schema (staff's part of the story)."""

    def run():
        with tenant_context(college):
            return work()

    return committed(run)


def set_password_link(mail_dir: Path, port: int) -> str:
    """The link of the mail that the student's account sent, read from the mail files."""
    mails = [path.read_text() for path in sorted(mail_dir.glob("*"))]
    mine = [mail for mail in mails if f"To: {EMAIL}" in mail]
    assert mine, f"no mail to {EMAIL} among {len(mails)} mail files"
    link = re.search(
        rf"http://{SUBDOMAIN}\.localhost:{port}/reset-password/\?uid=\w+&token=[\w-]+", mine[-1]
    )
    assert link, mine[-1]
    return link[0]


def test_a_student_from_the_mail_to_an_accepted_offer_on_a_phone(season, browser_context, tmp_path):
    college, port = season["college"], season["port"]
    base = f"http://{SUBDOMAIN}.localhost:{port}"
    page = browser_context.new_page()

    # given the set-password mail: the student chooses a password and signs in
    page.goto(set_password_link(season["mail_dir"], port))
    snapshot(page, "student-set-password")
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("#submit")
    expect(page.locator("#result")).to_contain_text("Your password is changed")
    snapshot(page, "student-password-set")
    page.get_by_role("link", name="Sign in").click()
    page.fill("#id_email", EMAIL)
    page.fill("#id_password", PASSWORD)
    snapshot(page, "student-sign-in")
    page.click("#sign-in")

    # the home leads through the checklist, 0 of 5 done (staff created the academic record)
    expect(page.locator("h1")).to_have_text("Hello, Asha")
    expect(page.locator("#checklist")).to_contain_text("0 of 5 done")
    snapshot(page, "student-home-checklist")

    page.click("#step-personal")
    expect(page.locator("#id_roll_number")).to_have_value("PC2027001")
    page.fill("#id_phone", "+91 98765 43210")
    snapshot(page, "student-details")
    page.click("#save-details")
    expect(page.locator(".messages")).to_contain_text("Your details are saved")
    snapshot(page, "student-profile")

    page.goto(f"{base}/me/")
    expect(page.locator("#checklist")).to_contain_text("1 of 5 done")
    page.click("#step-education")
    page.fill("#id_institution", "Phone Campus Institute")
    page.fill("#id_degree", "B.Tech")
    page.fill("#id_field_of_study", "Computer Science")
    page.fill("#id_start_year", "2023")
    page.fill("#id_end_year", "2027")
    page.fill("#id_score", "7.5 CGPA")
    page.click("#add-education")
    expect(page.locator("#entries-title + ul")).to_contain_text("B.Tech, Computer Science")
    expect(page.locator("#education-form .error")).to_have_count(0)  # a fresh form for the next
    snapshot(page, "student-education")

    page.goto(f"{base}/me/")
    page.click("#step-experience")
    page.fill("#id_organization", "Acme Retail")
    page.fill("#id_title", "Data intern")
    page.fill("#id_start_date", "2025-05-01")
    page.fill("#id_end_date", "2025-07-31")
    page.fill("#id_description", "Cleaned the sales data and drew the weekly dashboard.")
    page.click("#add-experience")
    expect(page.locator("#entries-title + ul")).to_contain_text("Data intern · Acme Retail")
    expect(page.locator("#experience-form .error")).to_have_count(0)
    snapshot(page, "student-experience")

    page.goto(f"{base}/me/")
    page.click("#step-skills")
    for name, rating in (("Python", "8"), ("SQL", "6")):
        page.select_option("#id_skill", label=name)
        page.fill("#id_rating", rating)
        page.click("#add-skill")
        expect(page.locator("#skills-title + ul")).to_contain_text(f"{name} {rating}/10")
    snapshot(page, "student-skills")

    page.goto(f"{base}/me/")
    page.click("#step-resume")
    resume = tmp_path / "asha-verma.pdf"
    resume.write_bytes(TINY_PDF)
    page.set_input_files("#id_file", str(resume))
    snapshot(page, "student-resume")
    page.click("#resume-upload")
    expect(page.locator("#resume-download")).to_be_visible()

    page.goto(f"{base}/me/")
    expect(page.locator("#checklist")).to_have_count(0)  # 5 of 5: the checklist is done
    expect(page.locator("#not-verified")).to_be_visible()
    snapshot(page, "student-home-complete")

    # when the office verifies the profile, its academic record shows as locked
    student = in_college(college, lambda: Student.objects.get(user__email=EMAIL))
    in_college(college, lambda: verification_approve(student=student, actor=season["staff"]))
    page.goto(f"{base}/me/profile/")
    expect(page.locator("#academic")).to_contain_text("Verified · locked")
    expect(page.locator("#verified-by")).to_contain_text("These fields are locked")
    snapshot(page, "student-profile-verified")

    # the drives: one they can apply to, one they cannot, with the rule's own words
    open_drive, closed_drive = season["open_drive"], season["closed_drive"]
    page.goto(f"{base}/me/drives/")
    card, refused = (
        page.locator(f"#drive-{open_drive.pk}"),
        page.locator(f"#drive-{closed_drive.pk}"),
    )
    expect(card).to_contain_text("You can apply")
    expect(refused).to_contain_text("Not eligible")
    expect(refused.locator(".reasons")).to_have_text(
        "A CGPA of at least 9.00 is required; yours is 7.50."
    )
    expect(page.locator(".drive-card")).to_have_count(2)
    snapshot(page, "student-drives")

    refused.get_by_role("link", name="Research Scientist").click()
    expect(page.locator("#reasons")).to_contain_text("A CGPA of at least 9.00 is required")
    expect(page.locator("#apply-button")).to_have_count(0)
    snapshot(page, "student-drive-refused")

    page.goto(f"{base}/me/drives/")
    card.get_by_role("link", name="Data Analyst").click()
    expect(page.locator("#drive-ctc")).to_contain_text("₹8.5 L")
    snapshot(page, "student-drive")
    page.click("#apply-button")
    expect(page.locator("#apply")).to_contain_text("You applied on")
    snapshot(page, "student-drive-applied")

    page.goto(f"{base}/me/applications/")
    expect(page.locator("main")).to_contain_text("Data Analyst")
    snapshot(page, "student-applications")

    # the drive's assessment: the office closes it in a few seconds, so the attempt's deadline
    # is that close (the earlier of the time limit and the closing time)
    assessment = season["assessment"]
    page.goto(f"{base}/me/assessments/")
    expect(page.locator(f"#assessment-{assessment.pk}")).to_contain_text("Not started")
    snapshot(page, "student-assessments")
    closes_at = timezone.now() + timedelta(seconds=12)
    in_college(
        college,
        lambda: assessments.assessment_update(assessment=assessment, closes_at=closes_at),
    )
    page.click(f"#start-{assessment.pk}")
    expect(page.locator("#time-left")).to_have_text(re.compile(r"^0:(0\d|1[0-2])$"))
    expect(page.locator("#answer-form")).to_contain_text("Question 1 of 2")
    page.get_by_label(RIGHT[page.locator("#question-text").inner_text()], exact=True).check()
    page.click("#answer-button")
    expect(page.locator("#answer-form")).to_contain_text("Question 2 of 2")
    snapshot(page, "student-attempt")
    # no click from here: the page submits itself at the deadline and shows the result
    expect(page.locator("#submitted-by")).to_contain_text(
        "by itself at the deadline", timeout=25_000
    )
    expect(page.locator("#score")).to_have_text("1.00")  # the saved answer counts
    snapshot(page, "student-attempt-result")

    # staff schedule the first round at 04:30 UTC the day after tomorrow: 10:00 in India
    application = in_college(
        college, lambda: Application.objects.get(student=student, drive=open_drive)
    )
    day = (timezone.now() + timedelta(days=2)).date()
    at = datetime(day.year, day.month, day.day, 4, 30, tzinfo=UTC)

    def schedule():
        applications.application_move(
            application=application, status=ApplicationStatus.SHORTLISTED, actor=season["staff"]
        )
        first = DriveRound.objects.get(drive=open_drive, sequence=1)
        return interview_schedule(
            application=application, round=first, scheduled_at=at, venue="Seminar hall 2"
        )

    interview = in_college(college, schedule)
    page.goto(f"{base}/me/interviews/")
    expect(page.locator("#time-zone")).to_contain_text(ZONE)
    expect(page.locator(f"#interview-{interview.pk} .interview-time")).to_have_text(
        "10:00\u201311:00"
    )
    snapshot(page, "student-interviews")
    with page.expect_download() as download_info:
        page.click(f"#ics-{interview.pk}")
    calendar = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == ZONE
    assert (start.hour, start.minute) == (10, 0)
    assert start == at.astimezone(ZoneInfo(ZONE))

    # staff make the offer; a second drive opened meanwhile and the student applied to it
    def offer():
        for status in (ApplicationStatus.IN_PROCESS, ApplicationStatus.OFFERED):
            applications.application_move(
                application=application, status=status, actor=season["staff"]
            )
        later = make_drive(college, season["company"], title="Business Analyst", ctc="700000")
        applications.application_create(student=student, drive=later)
        return applications.offer_create(
            application=application, ctc=Decimal("850000"),
            expires_at=timezone.now() + timedelta(days=3),
        )  # fmt: skip

    offer = in_college(college, offer)
    page.goto(f"{base}/me/offers/")
    expect(page.locator(f"#offer-{offer.pk}")).to_contain_text("Nimbus Analytics")
    snapshot(page, "student-offers")
    page.click(f"#accept-{offer.pk}")
    consequences = page.locator("#consequences")
    expect(consequences).to_contain_text("Accepting withdraws your other 1 application")
    expect(page.locator("#withdrawn-list")).to_contain_text("Business Analyst · Nimbus Analytics")
    snapshot(page, "student-offer-accept")
    page.click("#confirm-accept")
    expect(page.locator(f"#offer-{offer.pk}")).to_contain_text("Accepted")
    snapshot(page, "student-offer-accepted")

    # then the policy did what the page said
    statuses = in_college(
        college,
        lambda: dict(
            Application.objects.filter(student=student).values_list("drive__title", "status")
        ),
    )
    assert statuses == {
        "Data Analyst": ApplicationStatus.ACCEPTED,
        "Business Analyst": ApplicationStatus.WITHDRAWN,
    }
