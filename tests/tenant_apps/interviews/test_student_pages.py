"""The student's interview agenda, in the college's time zone, with "add to calendar"."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_student,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

SLOT = datetime(2031, 3, 10, 4, 30, tzinfo=UTC)  # 10:00 in India, 00:30 in New York


@pytest.fixture
def profile(college):
    return make_student(college)


@pytest.fixture
def interview(college, profile):
    drive = make_drive(college, make_company(college, "Acme"), title="Backend Engineer")
    application = make_application(college, profile, drive, "shortlisted")
    return make_interview(college, application, scheduled_at=SLOT)


def in_time_zone(college, name: str):
    college.time_zone = name
    college.save()


def test_the_agenda_shows_the_interview_in_the_colleges_time_zone(college, profile, interview):
    in_time_zone(college, "Asia/Kolkata")
    html = text_of(page_client(college, profile.user).get("/me/interviews/"))
    assert "Asia/Kolkata" in html
    assert "Monday 10 March 2031" in html
    assert "10:00\N{EN DASH}11:00" in html and "04:30" not in html
    assert "Acme" in html and "Aptitude test" in html and "Room 101" in html


def test_colleges_in_new_york_and_india_see_one_slot_at_their_own_times(
    college, other_college, profile, interview
):
    # given the same slot in a college in India and one in New York
    in_time_zone(college, "Asia/Kolkata")
    in_time_zone(other_college, "America/New_York")
    theirs = make_student(other_college)
    application = make_application(other_college, theirs, make_drive(other_college), "shortlisted")
    make_interview(other_college, application, scheduled_at=SLOT)
    # when each student opens the agenda
    india = text_of(page_client(college, profile.user).get("/me/interviews/"))
    new_york = text_of(page_client(other_college, theirs.user).get("/me/interviews/"))
    # then each sees their college's local time
    assert "10:00\N{EN DASH}11:00" in india and "Monday 10 March 2031" in india
    assert "00:30\N{EN DASH}01:30" in new_york and "Monday 10 March 2031" in new_york
    assert "America/New_York" in new_york


def test_add_to_calendar_links_the_ics_once_it_exists(college, profile, interview):
    html = text_of(page_client(college, profile.user).get("/me/interviews/"))
    try:
        url = reverse("student:interview-ics", args=[interview.pk])
    except NoReverseMatch:
        assert f'id="ics-{interview.pk}"' not in html
    else:
        assert f'href="{url}"' in html


def test_past_interviews_are_apart_and_feedback_is_never_shown(college, profile):
    drive = make_drive(college, title="Old Drive")
    application = make_application(college, profile, drive, "shortlisted")
    past = make_interview(college, application, scheduled_at=timezone.now() - timedelta(days=2))
    with tenant_context(college):
        type(past).objects.filter(pk=past.pk).update(feedback="Weak on SQL")
    client = page_client(college, profile.user)
    assert f'id="interview-{past.pk}"' not in text_of(client.get("/me/interviews/"))
    html = text_of(client.get("/me/interviews/", {"when": "past"}))
    assert f'id="interview-{past.pk}"' in html and "Weak on SQL" not in html


def test_the_agenda_costs_the_same_queries_for_1_or_20(college, profile):
    client = page_client(college, profile.user)
    client.get("/healthz")
    make_interview(
        college,
        make_application(college, profile, make_drive(college), "shortlisted"),
        scheduled_at=SLOT,
    )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/interviews/").status_code == 200
        return len(queries)

    count()
    first = count()
    for i in range(1, 20):
        make_interview(
            college,
            make_application(college, profile, make_drive(college), "shortlisted"),
            scheduled_at=SLOT + timedelta(hours=i * 2),
        )
    assert count() == first


def test_only_the_students_own_interviews_show(college, other_college, profile, interview):
    someone = make_student(college)
    theirs = make_interview(
        college, make_application(college, someone, make_drive(college), "shortlisted")
    )
    html = text_of(page_client(college, profile.user).get("/me/interviews/"))
    assert f'id="interview-{interview.pk}"' in html and f'id="interview-{theirs.pk}"' not in html
    elsewhere = make_student(other_college)
    other_html = text_of(page_client(other_college, elsewhere.user).get("/me/interviews/"))
    assert "Acme" not in other_html and f'id="interview-{interview.pk}"' not in other_html


def test_other_roles_get_a_403(college):
    for role in (Role.COORDINATOR, Role.RECRUITER):
        assert (
            page_client(college, make_user(college, role)).get("/me/interviews/").status_code == 403
        )
