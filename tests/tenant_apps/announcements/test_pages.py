"""The announcement pages: the office composes a notice and sees read/total; a student lists
their notices (the new ones marked) and opening one counts as read. Roles, two colleges, errors
on the form, query counts."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from tenant_apps.announcements import services
from tenant_apps.announcements.models import Announcement, AnnouncementRecipient
from tests.tenant_apps.factories import make_application, make_drive, make_recruiter, make_student
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

OFFICE = "/office/announcements/"
NEW = "/office/announcements/new/"
MINE = "/me/announcements/"


def posted(college, **audience):
    with tenant_context(college):
        return services.announcement_post(
            title="Resume workshop", body="Room 4, Friday.", **audience
        )


def test_the_office_posts_a_notice_to_a_drives_applicants_from_the_page(
    college, coordinator, django_capture_on_commit_callbacks
):
    drive = make_drive(college)
    applicants = [make_application(college, make_student(college), drive) for _ in range(2)]
    office = page_client(college, coordinator)
    assert office.get(NEW, {"drive": drive.pk}).status_code == 200
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            NEW,
            {"title": "Test on Monday", "body": "Bring your ID.", "audience": "drive",
             "drive": drive.pk, "graduation_year": "", "department": ""},
            follow=True,
        )  # fmt: skip

    assert "Posted to 2 students; each is mailed." in text_of(response)
    assert 'id="read-count"><strong>0</strong> of 2 students' in text_of(response)
    with tenant_context(college):
        emails = {application.student.user.email for application in applicants}
    assert {message.to[0] for message in mail.outbox} == emails


def test_the_form_says_what_is_missing(college, coordinator):
    make_student(college, graduation_year=2027)
    office = page_client(college, coordinator)
    body = {"title": "Hello", "body": "Text", "audience": "batch", "graduation_year": ""}

    no_batch = office.post(NEW, body)
    no_drive = office.post(NEW, {**body, "audience": "drive", "drive": ""})

    assert no_batch.status_code == 200
    assert "Name the graduation year to post to." in text_of(no_batch)
    assert "Name the drive to post to." in text_of(no_drive)
    with tenant_context(college):
        assert not Announcement.objects.exists()


def test_a_student_reads_a_notice_and_the_office_sees_it_counted(college, coordinator):
    reader, other = (make_student(college, graduation_year=2027) for _ in range(2))
    notice = posted(college, audience="batch", graduation_year=2027)
    student = page_client(college, reader.user)

    listed = text_of(student.get(MINE))
    assert f'id="notice-{notice.pk}"' in listed and "New</span>" in listed
    opened = student.get(f"{MINE}{notice.pk}/")
    assert opened.status_code == 200 and "Room 4, Friday." in text_of(opened)
    assert "New</span>" not in text_of(student.get(MINE))
    assert f'id="notice-{notice.pk}"' not in text_of(student.get(MINE, {"show": "unread"}))
    # the other student's notice is still unread for them
    assert "New</span>" in text_of(page_client(college, other.user).get(MINE))

    office = page_client(college, coordinator)
    assert "1 / 2" in text_of(office.get(OFFICE))
    assert "<strong>1</strong> of 2 students" in text_of(office.get(f"{OFFICE}{notice.pk}/"))


def test_students_open_only_their_notices_and_not_the_offices_pages(college):
    make_student(college, graduation_year=2027)
    outsider = make_student(college, graduation_year=2028)
    notice = posted(college, audience="batch", graduation_year=2027)
    student = page_client(college, outsider.user)

    assert student.get(f"{MINE}{notice.pk}/").status_code == 404
    assert f'id="notice-{notice.pk}"' not in text_of(student.get(MINE))
    for url in (OFFICE, NEW, f"{OFFICE}{notice.pk}/"):
        assert student.get(url).status_code in (403, 404)
    recruiter = page_client(college, make_recruiter(college, make_drive(college).company))
    assert recruiter.get(OFFICE).status_code in (403, 404)
    with tenant_context(college):
        assert not AnnouncementRecipient.objects.filter(read_at__isnull=False).exists()


def test_another_colleges_notices_are_not_found(college, other_college, coordinator):
    make_student(other_college, graduation_year=2027)
    theirs = posted(other_college, audience="batch", graduation_year=2027)
    office = page_client(college, coordinator)

    assert office.get(f"{OFFICE}{theirs.pk}/").status_code == 404
    assert f"announcement-{theirs.pk}" not in text_of(office.get(OFFICE))
    other_drive = make_drive(other_college)
    response = office.post(
        NEW, {"title": "x", "body": "y", "audience": "drive", "drive": other_drive.pk}
    )
    assert response.status_code == 200  # the drive is not one of ours: the form refuses it
    with tenant_context(college):
        assert not Announcement.objects.exists()


def test_the_lists_cost_the_same_queries_whatever_they_show(college, coordinator):
    with tenant_context(college):  # the settings row exists, as in any college past its first page
        CollegeSettings.load()
    reader = make_student(college, graduation_year=2027)
    office, student = page_client(college, coordinator), page_client(college, reader.user)

    def queries(client, url, marker) -> tuple[int, int]:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return len(captured), text_of(response).count(marker)

    for _ in range(2):
        posted(college, audience="batch", graduation_year=2027)
    few = [queries(office, OFFICE, '<tr id="announcement-'), queries(student, MINE, 'id="notice-')]
    for _ in range(15):
        posted(college, audience="batch", graduation_year=2027)
    many = [queries(office, OFFICE, '<tr id="announcement-'), queries(student, MINE, 'id="notice-')]

    assert [shown for _, shown in few] == [2, 2]
    assert [shown for _, shown in many] == [17, 17]
    assert [count for count, _ in many] == [count for count, _ in few]
