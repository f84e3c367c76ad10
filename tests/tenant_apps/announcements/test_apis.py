"""Announcements: the office posts a notice to a batch, a department or a drive's applicants;
each of them is mailed and finds it in their list; opening it marks it read, and the office
sees how many of how many read it."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role
from tenant_apps.announcements.models import Announcement, AnnouncementRecipient
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_student,
)

ANNOUNCEMENTS = "/api/v1/announcements/"


def post(client, **body):
    return client.post(
        ANNOUNCEMENTS, {"title": "Pre-placement talk", "body": "Hall 1 at 4 pm.", **body},
        format="json",
    )  # fmt: skip


def test_a_notice_to_a_batch_reaches_its_students_by_mail_and_in_their_list(
    college, coordinator_client, django_capture_on_commit_callbacks
):
    batch = [make_student(college, graduation_year=2027) for _ in range(3)]
    others = make_student(college, graduation_year=2028)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(coordinator_client, audience="batch", graduation_year=2027)

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["recipients_total"], data["read_total"]) == (3, 0)
    with tenant_context(college):
        emails = {student.user.email for student in batch}
        other_email = others.user.email
    assert {message.to[0] for message in mail.outbox} == emails
    message = mail.outbox[0]
    assert "Pre-placement talk" in message.subject
    assert f"/me/announcements/{data['id']}/" in message.body
    listed = client_for(college, others.user).get(ANNOUNCEMENTS).json()["data"]
    assert listed == [] and other_email not in {m.to[0] for m in mail.outbox}


def test_a_notice_to_a_department_or_to_a_drives_applicants(college, coordinator_client):
    cse = [make_student(college, department="CSE") for _ in range(2)]
    make_student(college, department="ECE")
    drive = make_drive(college)
    applied = make_application(college, make_student(college, department="ECE"), drive)
    make_application(college, make_student(college, department="ME"), drive, "withdrawn")

    by_department = post(coordinator_client, audience="department", department="cse")
    by_drive = post(coordinator_client, audience="drive", drive=drive.pk)

    assert by_department.json()["data"]["recipients_total"] == len(cse)
    assert by_drive.json()["data"]["recipients_total"] == 1
    assert by_drive.json()["data"]["drive"]["id"] == drive.pk
    with tenant_context(college):
        recipients = AnnouncementRecipient.objects.filter(
            announcement_id=by_drive.json()["data"]["id"]
        )
        assert list(recipients.values_list("student_id", flat=True)) == [applied.student_id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"audience": "batch"}, "graduation_year"),
        ({"audience": "department", "department": " "}, "department"),
        ({"audience": "drive"}, "drive"),
        ({"audience": "drive", "drive": 999_999}, "drive"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": "batch", "graduation_year": 2031}, "audience"),  # nobody in it
        ({"audience": "batch", "graduation_year": 2027, "title": ""}, "title"),
    ],
)
def test_a_notice_must_name_an_audience_that_reaches_someone(
    college, coordinator_client, body, field
):
    make_student(college, graduation_year=2027)

    response = post(coordinator_client, **body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]
    with tenant_context(college):
        assert not Announcement.objects.exists()


def test_opening_a_notice_marks_it_read_once_and_the_office_counts_readers(
    college, coordinator_client
):
    students = [make_student(college, graduation_year=2027) for _ in range(3)]
    notice = post(coordinator_client, audience="batch", graduation_year=2027).json()["data"]
    reader = client_for(college, students[0].user)

    listed = reader.get(ANNOUNCEMENTS).json()["data"]
    assert [(row["id"], row["read_at"]) for row in listed] == [(notice["id"], None)]
    assert "read_total" not in listed[0] and "recipients_total" not in listed[0]

    opened = reader.get(f"{ANNOUNCEMENTS}{notice['id']}/").json()["data"]
    assert opened["read_at"] is not None
    again = reader.get(f"{ANNOUNCEMENTS}{notice['id']}/").json()["data"]
    assert again["read_at"] == opened["read_at"]
    assert reader.get(ANNOUNCEMENTS).json()["data"][0]["read_at"] == opened["read_at"]

    office = coordinator_client.get(f"{ANNOUNCEMENTS}{notice['id']}/").json()["data"]
    assert (office["read_total"], office["recipients_total"]) == (1, 3)


def test_students_reach_only_their_notices_and_recruiters_none(college, coordinator_client):
    make_student(college, graduation_year=2027)
    outsider = make_student(college, graduation_year=2028)
    notice = post(coordinator_client, audience="batch", graduation_year=2027).json()["data"]
    recruiter = client_for(college, make_recruiter(college, make_company(college)))
    student = client_for(college, outsider.user)

    assert student.get(f"{ANNOUNCEMENTS}{notice['id']}/").status_code == 404
    assert post(student, audience="batch", graduation_year=2028).status_code == 403
    assert student.delete(f"{ANNOUNCEMENTS}{notice['id']}/").status_code == 404
    assert recruiter.get(ANNOUNCEMENTS).status_code == 403
    assert recruiter.get(f"{ANNOUNCEMENTS}{notice['id']}/").status_code == 404
    with tenant_context(college):
        assert not AnnouncementRecipient.objects.filter(read_at__isnull=False).exists()


def test_the_lists_cost_the_same_queries_whatever_their_length(college, coordinator_client):
    with tenant_context(college):  # the settings row exists, as in any college past its first page
        CollegeSettings.load()
    student = make_student(college, graduation_year=2027)
    make_student(college, graduation_year=2027)
    client = client_for(college, student.user)

    def queries(who) -> tuple[int, int]:
        who.get("/healthz")
        with CaptureQueriesContext(connection) as captured:
            response = who.get(f"{ANNOUNCEMENTS}?page_size=100")
        return len(captured), len(response.json()["data"])

    def add(count: int) -> None:
        for _ in range(count):
            post(coordinator_client, audience="batch", graduation_year=2027)
        client.get(f"{ANNOUNCEMENTS}{Announcement.objects.first().pk}/")

    with tenant_context(college):
        add(2)
    few_office, few_student = queries(coordinator_client), queries(client)
    with tenant_context(college):
        add(20)
    many_office, many_student = queries(coordinator_client), queries(client)

    assert (few_office[1], many_office[1], few_student[1], many_student[1]) == (2, 22, 2, 22)
    assert many_office[0] == few_office[0]
    assert many_student[0] == few_student[0]


def test_another_colleges_notices_cannot_be_read_or_removed(
    college, other_college, coordinator_client
):
    make_student(other_college, graduation_year=2027)
    theirs = post(
        client_for(other_college, make_user(other_college, Role.COORDINATOR)),
        audience="batch",
        graduation_year=2027,
    ).json()["data"]
    other_drive = make_drive(other_college)

    assert coordinator_client.get(ANNOUNCEMENTS).json()["data"] == []
    assert coordinator_client.get(f"{ANNOUNCEMENTS}{theirs['id']}/").status_code == 404
    assert coordinator_client.delete(f"{ANNOUNCEMENTS}{theirs['id']}/").status_code == 404
    # their drive's id names no drive here
    response = post(coordinator_client, audience="drive", drive=other_drive.pk)
    assert response.status_code == 400
    with tenant_context(other_college):
        assert Announcement.objects.filter(pk=theirs["id"]).exists()
