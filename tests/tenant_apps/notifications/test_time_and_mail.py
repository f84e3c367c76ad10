"""Mails in the college's own time and words: interview times in its zone, links with the
workspace's port, account mails in the college's name."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from tenant_apps.notifications import senders
from tests.conftest import client_for
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_student,
)

pytestmark = pytest.mark.django_db

AT = datetime(2027, 1, 15, 15, 0, tzinfo=UTC)


def interview_mail(college):
    drive = make_drive(college, make_company(college))
    application = make_application(college, make_student(college), drive, "shortlisted")
    interview = make_interview(college, application, scheduled_at=AT)
    mail.outbox.clear()
    with tenant_context(college):
        senders.interview_scheduled(interview_id=interview.pk)
    return mail.outbox[-1]


@pytest.fixture
def new_york(other_college):
    other_college.time_zone = "America/New_York"
    other_college.save()
    return other_college


def test_two_colleges_mail_the_same_instant_at_their_own_local_times(college, new_york):
    kolkata = interview_mail(college)
    assert "20:30 IST (UTC+05:30)" in kolkata.body
    assert "15:00 UTC" not in kolkata.body
    york = interview_mail(new_york)
    assert "10:00 EST (UTC-05:00)" in york.body
    assert "EST" in york.subject


def test_mailed_links_carry_the_workspaces_port(college, settings):
    settings.WORKSPACE_URL_PORT = "8103"
    message = interview_mail(college)
    assert "https://alpha.localhost:8103/me/interviews/" in message.body


def test_account_mails_speak_in_the_colleges_name(college, student):
    client_for(college).post("/api/v1/auth/password/reset/", {"email": student.email})
    (message,) = mail.outbox
    assert message.subject == f"{college.name}: choose a new password"
    assert "Hello from" not in message.body and "localhost!" not in message.body
    assert college.name in message.body
