"""Interviews as iCalendar events: the invitation in the college's zone, one UID per interview
with a rising SEQUENCE, cancellations, and the "add to calendar" download."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from icalendar import Calendar, Event

from core.accounts.models import Role
from tenant_apps.interviews import ics, services
from tenant_apps.interviews.models import Interview
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_student,
)
from tests.web import page_client

pytestmark = pytest.mark.django_db

AT = datetime(2027, 1, 15, 4, 30, tzinfo=UTC)  # 10:00 in Kolkata


@pytest.fixture
def student(college):
    return make_student(college)


@pytest.fixture
def interview(college, student):
    drive = make_drive(college, make_company(college, "Acme Analytics"))
    application = make_application(college, student, drive, "shortlisted")
    return make_interview(college, application, scheduled_at=AT)


def event_of(payload: bytes):
    calendar = Calendar.from_ical(payload)
    (event,) = [c for c in calendar.walk() if c.name == "VEVENT"]
    return calendar, event


def invitation_of(message) -> bytes:
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    return attachment[1].encode() if isinstance(attachment[1], str) else attachment[1]


def test_the_download_is_the_interview_at_the_colleges_local_time(college, student, interview):
    client = page_client(college, student.user)
    response = client.get(f"/me/interviews/{interview.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, event = event_of(response.content)
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 0, "Asia/Kolkata")
    assert start == AT
    assert event["uid"] == f"interview-{interview.pk}@alpha.localhost"
    assert any(c.name == "VTIMEZONE" for c in calendar.walk())
    assert "Acme Analytics" in str(event["summary"])


def test_a_reschedule_mails_an_update_of_the_same_event_and_a_cancellation_removes_it(
    college, interview, django_capture_on_commit_callbacks
):
    with tenant_context(college), django_capture_on_commit_callbacks(execute=True):
        services.interview_update(
            interview=Interview.objects.get(pk=interview.pk),
            scheduled_at=AT.replace(hour=6),
        )
    _, update = event_of(invitation_of(mail.outbox[-1]))
    assert update["uid"] == f"interview-{interview.pk}@alpha.localhost"
    assert update["sequence"] == 1
    with tenant_context(college), django_capture_on_commit_callbacks(execute=True):
        services.interview_cancel(interview=Interview.objects.get(pk=interview.pk))
    calendar, cancel = event_of(invitation_of(mail.outbox[-1]))
    assert calendar["method"] == "CANCEL" and cancel["status"] == "CANCELLED"
    assert cancel["uid"] == update["uid"] and cancel["sequence"] == 2
    assert "cancelled" in mail.outbox[-1].subject


def test_deleting_an_interview_through_the_api_cancels_it_in_the_calendar(
    college, interview, coordinator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.delete(f"/api/v1/interviews/{interview.pk}/")
    assert response.status_code == 204
    calendar, _ = event_of(invitation_of(mail.outbox[-1]))
    assert calendar["method"] == "CANCEL"


def test_another_student_or_college_cannot_download_the_interview(
    college, other_college, interview
):
    peer = make_student(college)
    assert (
        page_client(college, peer.user)
        .get(f"/me/interviews/{interview.pk}/calendar.ics")
        .status_code
        == 404
    )
    stranger = make_user(other_college, Role.STUDENT)
    stranger_client = page_client(other_college, stranger)
    assert stranger_client.get(f"/me/interviews/{interview.pk}/calendar.ics").status_code == 404
    assert client_for(college).get(f"/me/interviews/{interview.pk}/calendar.ics").status_code in (
        302,
        404,
    )


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Europe/Berlin", "America/New_York"])
def test_the_time_zone_of_a_calendar_is_icalendars_own(zone):
    # given the same event, its zones added by icalendar and by the cached component
    def calendar_at(zone_name: str) -> Calendar:
        calendar = Calendar()
        event = Event()
        event.add("uid", "x@example")
        event.add("dtstart", datetime(2026, 12, 2, 10, tzinfo=ZoneInfo(zone_name)))
        calendar.add_component(event)
        return calendar

    theirs, ours, again = calendar_at(zone), calendar_at(zone), calendar_at(zone)
    theirs.add_missing_timezones()
    ics.add_timezones(ours)
    ics.add_timezones(again)

    # then the files are the same, and the second is built from the zone computed once
    assert ours.to_ical() == theirs.to_ical() == again.to_ical()
    assert ics.vtimezone.cache_info().hits >= 1
