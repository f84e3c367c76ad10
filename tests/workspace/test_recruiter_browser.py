"""A recruiter on a laptop, in a real headless Chromium: signs in, sees their company's drives and
nothing of another company's (its drive, applicant and interview are absent, and their
addresses answer 404), shortlists applicants in bulk and records a round result."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.accounts.models import Role, User
from core.accounts.services import email_mark_verified
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.companies.models import Recruiter
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews.models import Interview, InterviewStatus
from tenant_apps.interviews.services import interview_schedule
from tenants.services import college_ensure
from tests.browser import committed, drop_college, manage, needs_chromium, snapshot
from tests.tenant_apps.factories import make_application, make_company, make_drive, make_student

pytestmark = needs_chromium

SUBDOMAIN = "recruiter-desk"
EMAIL = "hiring@orbit.example.com"
PASSWORD = "a-long-and-unusual-passphrase"

SET_PASSWORD = """
from django_tenants.utils import tenant_context
from core.accounts.models import User
from tenants.models import College

with tenant_context(College.objects.get(subdomain="{subdomain}")):
    user = User.objects.get(email="{email}")
    user.set_password("{password}")
    user.save(update_fields=["password"])
"""


def _companies() -> dict:
    """Orbit (the recruiter's company) and Quasar, each with an open drive, applicants and a
    first-round interview held an hour ago."""
    college, _ = college_ensure(subdomain=SUBDOMAIN, name="Recruiter Desk College")
    orbit, quasar = make_company(college, "Orbit Systems"), make_company(college, "Quasar Labs")
    ours = make_drive(college, orbit, title="Backend Engineer")
    theirs = make_drive(college, quasar, title="Quasar Secret Drive")
    students = [
        make_student(college, first_name=first, last_name=last, cgpa=cgpa)
        for first, last, cgpa in (
            ("Meera", "Iyer", "8.90"), ("Kabir", "Khan", "7.80"),
            ("Rohan", "Das", "8.10"), ("Zoya", "Quasarova", "9.20"),
        )
    ]  # fmt: skip
    applied = [make_application(college, student, ours) for student in students[:2]]
    interviewed = make_application(college, students[2], ours, ApplicationStatus.SHORTLISTED)
    foreign = make_application(college, students[3], theirs, ApplicationStatus.SHORTLISTED)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    with tenant_context(college):
        user = User.objects.create_user(
            email=EMAIL, password=None, role=Role.RECRUITER, first_name="Ira", last_name="Sen"
        )
        email_mark_verified(user=user)
        Recruiter.objects.create(user=user, company=orbit)
        interviews = [
            interview_schedule(
                application=application,
                round=DriveRound.objects.get(drive=application.drive_id, sequence=1),
                scheduled_at=an_hour_ago,
                duration_minutes=30,
                venue="Room 4",
            )
            for application in (interviewed, foreign)
        ]
    return {
        "college": college,
        "ours": ours,
        "theirs": theirs,
        "applied": applied,
        "foreign": foreign,
        "interview": interviews[0],
        "foreign_interview": interviews[1],
    }


@pytest.fixture
def desk(db, workspace_server):
    drop_college(SUBDOMAIN)  # what an interrupted run left
    rows = committed(_companies)
    manage(  # the server's password hashers
        workspace_server.mail_dir,
        SET_PASSWORD.format(subdomain=SUBDOMAIN, email=EMAIL, password=PASSWORD),
    )
    yield {**rows, "port": workspace_server.port}
    drop_college(SUBDOMAIN)


def test_a_recruiter_shortlists_in_bulk_records_a_result_and_sees_no_other_company(
    desk, browser_context
):
    base = f"http://{SUBDOMAIN}.localhost:{desk['port']}"
    ours, theirs = desk["ours"], desk["theirs"]
    page = browser_context.new_page()

    # given a signed-in recruiter of Orbit
    page.goto(f"{base}/")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")

    # their drives: Orbit's only
    expect(page.locator("h1")).to_have_text("Your drives")
    expect(page.locator(f"#drive-{ours.pk}")).to_contain_text("Backend Engineer")
    expect(page.locator("#drive-table tbody tr")).to_have_count(1)
    assert "Quasar" not in page.content()
    snapshot(page, "recruiter-drives")

    # another company's drive and applicant: 404, as if they did not exist
    for url in (f"/recruiter/drives/{theirs.pk}/", f"/recruiter/applicants/{desk['foreign'].pk}/"):
        response = page.goto(f"{base}{url}")
        assert response.status == 404, url
        assert "Quasar" not in page.content()
    snapshot(page, "recruiter-not-found")

    # the drive's applicants, with their profiles; two chosen and shortlisted at once
    page.goto(f"{base}/recruiter/")
    page.get_by_role("link", name="Backend Engineer").click()
    table = page.locator("#applicant-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("Meera Iyer")
    snapshot(page, "recruiter-drive")
    for application in desk["applied"]:
        page.check(f"#select-{application.pk}")
    page.select_option("#bulk-status", "shortlisted")
    page.fill("#bulk-note", "Strong projects")
    page.click("#bulk-move")
    expect(page.locator(".messages")).to_contain_text("2 applicants shortlisted.")
    expect(page.locator("nav.stages")).to_contain_text("Shortlisted (3)")
    for application in desk["applied"]:
        expect(page.locator(f"#applicant-{application.pk}")).to_contain_text("Shortlisted")
    snapshot(page, "recruiter-drive-shortlisted")

    # an applicant's page: profile, timeline and rounds
    page.get_by_role("link", name="Rohan Das").click()
    expect(page.locator("main")).to_contain_text("Rohan Das")
    expect(page.locator(f"#interview-{desk['interview'].pk}")).to_be_visible()
    snapshot(page, "recruiter-applicant")

    # the round held an hour ago: its result, from the agenda (Orbit's interviews only)
    page.goto(f"{base}/recruiter/interviews/?when=past")
    interview = page.locator(f"#interview-{desk['interview'].pk}")
    expect(interview).to_contain_text("Rohan Das")
    expect(page.locator(f"#interview-{desk['foreign_interview'].pk}")).to_have_count(0)
    assert "Quasarova" not in page.content()
    snapshot(page, "recruiter-interviews")
    prefix = f"#id_i{desk['interview'].pk}"
    page.select_option(f"{prefix}-status", InterviewStatus.CLEARED)
    page.fill(f"{prefix}-feedback", "Clear explanation of the caching design.")
    page.click(f"#save-result-{desk['interview'].pk}")
    expect(page.locator(".messages")).to_contain_text("Round result saved: cleared.")
    expect(interview).to_contain_text("Cleared")
    snapshot(page, "recruiter-interview-result")

    # then the writes went through the services
    def written():
        with tenant_context(desk["college"]):
            interview = Interview.objects.get(pk=desk["interview"].pk)
            return (
                set(Application.objects.filter(pk__in=[a.pk for a in desk["applied"]])
                    .values_list("status", flat=True)),
                interview.status,
                interview.feedback,
            )  # fmt: skip

    assert committed(written) == (
        {ApplicationStatus.SHORTLISTED},
        InterviewStatus.CLEARED,
        "Clear explanation of the caching design.",
    )
