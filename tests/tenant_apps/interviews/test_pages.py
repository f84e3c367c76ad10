"""The placement office's interview pages: the agenda by day and week in the college's time zone,
scheduling one applicant or many at once through the service, and recording results."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.interviews.models import Interview
from tests.conftest import make_user
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_interview,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

AGENDA = "/office/interviews/"
SCHEDULE = "/office/interviews/schedule/"
DAY = "2030-01-15"  # a Tuesday
AT = datetime(2030, 1, 15, 4, 30, tzinfo=UTC)  # 10:00 in the college's zone (Asia/Kolkata)


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def shortlisted(college, drive, n: int = 1, **student):
    return [
        make_application(college, make_student(college, **student), drive, "shortlisted")
        for _ in range(n)
    ]


def round_of(college, drive, sequence: int = 2):
    with tenant_context(college):
        return drive.rounds.get(sequence=sequence)


def schedule_body(round_, applications, **extra) -> dict:
    return {
        "drive": round_.drive_id,
        "round": round_.pk,
        "applications": [application.pk for application in applications],
        "scheduled_at": "2030-01-15T10:00",
        "duration_minutes": "30",
        "gap_minutes": "10",
        "venue": "Seminar hall B",
        "meeting_link": "",
        "interviewer": "Ms. Iyer",
        **extra,
    }


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_the_office_opens_the_agenda_and_the_scheduler(college, role):
    client = page_client(college, make_user(college, role))
    for url in (AGENDA, SCHEDULE):
        response = client.get(url)
        assert response.status_code == 200
        assert 'id="main"' in text_of(response)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.RECRUITER])
def test_students_and_recruiters_cannot_open_the_office_interview_pages(college, role):
    drive = make_drive(college)
    interview = make_interview(college, shortlisted(college, drive)[0])
    client = page_client(college, make_user(college, role))
    for url in (AGENDA, SCHEDULE, f"{AGENDA}{interview.pk}/"):
        assert client.get(url).status_code == 403


def test_the_signed_out_are_sent_to_sign_in(college):
    response = page_client(college).get(AGENDA)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


# --- The agenda --------------------------------------------------------------------------------


def test_the_day_agenda_lists_that_days_interviews_in_the_colleges_time_zone(college, coordinator):
    # given one interview at 01:30 on the 15th in Kolkata (20:00 UTC on the 14th), one on the 16th
    drive = make_drive(college, title="Backend engineer")
    early, later = shortlisted(college, drive, 2)
    make_interview(college, early, scheduled_at=datetime(2030, 1, 14, 20, 0, tzinfo=UTC))
    make_interview(college, later, scheduled_at=AT + timedelta(days=1))
    client = page_client(college, coordinator)
    # when
    day = text_of(client.get(AGENDA, {"date": DAY}))
    previous_day = text_of(client.get(AGENDA, {"date": "2030-01-14"}))
    # then
    assert "01:30\u201302:30" in day and day.count('id="interview-') == 1
    assert "No interviews on this day" in previous_day


def test_the_week_agenda_runs_from_monday_to_sunday(college, coordinator):
    drive = make_drive(college)
    monday, sunday, next_monday = shortlisted(college, drive, 3)
    make_interview(college, monday, scheduled_at=datetime(2030, 1, 14, 4, 30, tzinfo=UTC))
    make_interview(college, sunday, scheduled_at=datetime(2030, 1, 20, 4, 30, tzinfo=UTC))
    make_interview(college, next_monday, scheduled_at=datetime(2030, 1, 21, 4, 30, tzinfo=UTC))
    response = page_client(college, coordinator).get(AGENDA, {"date": DAY, "view": "week"})
    html = text_of(response)
    assert "Week of 14 Jan 2030 \u2013 20 Jan 2030" in html
    assert "Monday, 14 Jan" in html and "Sunday, 20 Jan" in html
    assert html.count('id="interview-') == 2


def test_the_agenda_filters_by_drive_and_status(college, coordinator):
    first, second = make_drive(college), make_drive(college)
    a, b = shortlisted(college, first, 2)
    (c,) = shortlisted(college, second)
    kept = make_interview(college, a, scheduled_at=AT)
    cleared = make_interview(college, b, scheduled_at=AT + timedelta(hours=1))
    other = make_interview(college, c, scheduled_at=AT + timedelta(hours=2))
    with tenant_context(college):
        Interview.objects.filter(pk=cleared.pk).update(status="cleared")
    client = page_client(college, coordinator)
    html = text_of(client.get(AGENDA, {"date": DAY, "drive": first.pk, "status": "scheduled"}))
    assert f'id="interview-{kept.pk}"' in html
    assert f'id="interview-{cleared.pk}"' not in html
    assert f'id="interview-{other.pk}"' not in html


def drive_options(html: str) -> set[int]:
    select = html[html.index('id="id_drive"') :]
    return {
        int(pk) for pk in re.findall(r'<option value="(\d+)"', select[: select.index("</select>")])
    }


def test_the_drive_filter_lists_the_drives_with_interviews_in_the_days_shown(college, coordinator):
    # given a drive interviewing that day, one the next day, and one without interviews
    today, tomorrow, idle = make_drive(college), make_drive(college), make_drive(college)
    make_interview(college, shortlisted(college, today)[0], scheduled_at=AT)
    make_interview(college, shortlisted(college, tomorrow)[0], scheduled_at=AT + timedelta(days=1))
    client = page_client(college, coordinator)
    # then the day lists its drive, the week both, and a chosen drive stays listed
    assert drive_options(text_of(client.get(AGENDA, {"date": DAY}))) == {today.pk}
    week = client.get(AGENDA, {"date": DAY, "view": "week"})
    assert drive_options(text_of(week)) == {today.pk, tomorrow.pk}
    chosen = client.get(AGENDA, {"date": DAY, "drive": idle.pk})
    assert drive_options(text_of(chosen)) == {today.pk, idle.pk}
    assert f'<option value="{idle.pk}" selected>' in text_of(chosen)
    # and an htmx change of day sends the new day's drives along, out of band
    swapped = text_of(client.get(AGENDA, {"date": "2030-01-16"}, HTTP_HX_REQUEST="true"))
    assert 'hx-swap-oob="true"' in swapped and drive_options(swapped) == {tomorrow.pk}


def test_filtering_with_htmx_returns_only_the_agenda(college, coordinator):
    drive = make_drive(college)
    make_interview(college, shortlisted(college, drive)[0], scheduled_at=AT)
    response = page_client(college, coordinator).get(AGENDA, {"date": DAY}, HTTP_HX_REQUEST="true")
    html = text_of(response)
    assert response.status_code == 200
    assert 'id="interview-' in html and "<html" not in html


def test_the_agenda_costs_the_same_queries_for_1_or_15_interviews(college, coordinator):
    client = page_client(college, coordinator)
    drive = make_drive(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Interview.all_objects.all().delete()
        for i, application in enumerate(shortlisted(college, drive, n)):
            make_interview(college, application, scheduled_at=AT + timedelta(minutes=i))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(AGENDA, {"date": DAY})
        assert text_of(response).count('id="interview-') == n
        return len(queries)

    client.get(AGENDA)  # the signed-in user and the host resolution are cached
    assert count_for(1) == count_for(15)


# --- Scheduling -------------------------------------------------------------------------------


def test_the_scheduler_costs_the_same_queries_for_1_or_15_applicants(college, coordinator):
    client = page_client(college, coordinator)

    def count_for(n: int) -> int:
        drive = make_drive(college)
        shortlisted(college, drive, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SCHEDULE, {"drive": drive.pk})
        assert text_of(response).count('name="applications" value=') == n
        return len(queries)

    client.get(SCHEDULE)  # the signed-in user and the host resolution are cached
    assert count_for(1) == count_for(15)


def test_scheduling_many_applicants_gives_each_the_next_slot(college, coordinator):
    # given three shortlisted applicants of a drive
    drive = make_drive(college)
    applications = shortlisted(college, drive, 3)
    round_ = round_of(college, drive)
    client = page_client(college, coordinator, csrf=True)
    form = client.get(SCHEDULE, {"drive": drive.pk})
    # when
    response = client.post(
        SCHEDULE, {**schedule_body(round_, applications), "csrfmiddlewaretoken": csrf_of(form)}
    )
    # then 30-minute interviews 10 minutes apart from 10:00 in the college's zone
    assert response.status_code == 302
    assert response["Location"] == f"{AGENDA}?date={DAY}"
    with tenant_context(college):
        starts = list(
            Interview.objects.filter(round=round_)
            .order_by("scheduled_at")
            .values_list("application_id", "scheduled_at")
        )
    assert starts == [
        (application.pk, AT + timedelta(minutes=40 * i))
        for i, application in enumerate(applications)
    ]
    assert "Scheduled 3 interviews" in text_of(client.get(response["Location"]))


def test_one_applicant_who_cannot_be_scheduled_leaves_everyone_unscheduled(college, coordinator):
    # given the second applicant has another interview at 10:40, their slot
    drive, elsewhere = make_drive(college), make_drive(college)
    applications = shortlisted(college, drive, 3)
    busy = make_application(college, applications[1].student, elsewhere, "shortlisted")
    make_interview(college, busy, scheduled_at=AT + timedelta(minutes=40))
    round_ = round_of(college, drive)
    # when
    response = page_client(college, coordinator).post(SCHEDULE, schedule_body(round_, applications))
    # then the service's refusal names the student and nothing is scheduled; the form is kept
    html = text_of(response)
    assert response.status_code == 200
    assert "Nothing was scheduled" in html
    assert applications[1].student.roll_number in html
    assert "already has an interview in this slot" in html
    assert 'value="Seminar hall B"' in html
    assert html.count("checked") >= 3
    with tenant_context(college):
        assert not Interview.objects.filter(round=round_).exists()


def test_the_services_rules_show_on_the_form(college, coordinator):
    drive = make_drive(college)
    applications = shortlisted(college, drive, 1)
    round_ = round_of(college, drive)
    client = page_client(college, coordinator)
    nowhere = client.post(SCHEDULE, schedule_body(round_, applications, venue=""))
    too_long = client.post(SCHEDULE, schedule_body(round_, applications, duration_minutes="900"))
    assert "Give a venue or a meeting link." in text_of(nowhere)
    assert 'id="error-duration_minutes"' in text_of(too_long)
    with tenant_context(college):
        assert not Interview.objects.exists()


def test_only_shortlisted_and_in_process_applicants_are_offered(college, coordinator):
    drive = make_drive(college)
    (ready,) = shortlisted(college, drive)
    applied = make_application(college, make_student(college), drive, "applied")
    client = page_client(college, coordinator)
    html = text_of(client.get(SCHEDULE, {"drive": drive.pk}))
    assert f'id="applicant-{ready.pk}"' in html
    assert f'id="applicant-{applied.pk}"' not in html
    response = client.post(SCHEDULE, schedule_body(round_of(college, drive), [applied]))
    assert 'id="error-applications"' in text_of(response)


def test_an_applicant_link_preselects_them(college, coordinator):
    drive = make_drive(college)
    first, second = shortlisted(college, drive, 2)
    html = text_of(
        page_client(college, coordinator).get(
            SCHEDULE, {"drive": drive.pk, "application": second.pk}
        )
    )
    assert f'id="applicant-{second.pk}" checked' in html
    assert f'id="applicant-{first.pk}" checked' not in html


def test_scheduling_without_a_csrf_token_is_refused(college, coordinator):
    drive = make_drive(college)
    applications = shortlisted(college, drive)
    client = page_client(college, coordinator, csrf=True)
    response = client.post(SCHEDULE, schedule_body(round_of(college, drive), applications))
    assert response.status_code == 403
    with tenant_context(college):
        assert not Interview.objects.exists()


# --- One interview's result -------------------------------------------------------------------


def test_recording_a_result_goes_through_the_service(college, coordinator):
    drive = make_drive(college)
    interview = make_interview(college, shortlisted(college, drive)[0], scheduled_at=AT)
    client = page_client(college, coordinator, csrf=True)
    form = client.get(f"{AGENDA}{interview.pk}/")
    assert "Seminar" not in text_of(form) and "Room 101" in text_of(form)
    response = client.post(
        f"{AGENDA}{interview.pk}/",
        {
            "action": "result",
            "result-status": "cleared",
            "result-feedback": "Strong on SQL.",
            "csrfmiddlewaretoken": csrf_of(form),
        },
    )
    assert response.status_code == 302
    saved = refreshed(college, interview)
    assert (saved.status, saved.feedback) == ("cleared", "Strong on SQL.")
    assert "Result recorded: Cleared." in text_of(client.get(response["Location"]))


def test_a_result_must_be_chosen_and_the_feedback_is_kept(college, coordinator):
    drive = make_drive(college)
    interview = make_interview(college, shortlisted(college, drive)[0], scheduled_at=AT)
    response = page_client(college, coordinator).post(
        f"{AGENDA}{interview.pk}/", {"action": "result", "result-feedback": "Came late."}
    )
    assert response.status_code == 200
    assert 'id="error-result-status"' in text_of(response)
    assert "Came late." in text_of(response)
    assert refreshed(college, interview).status == "scheduled"


def test_an_interview_is_moved_through_the_service_which_keeps_the_student_free(
    college, coordinator
):
    # given two interviews of one student, at 10:00 and 12:00
    drive, elsewhere = make_drive(college), make_drive(college)
    (application,) = shortlisted(college, drive)
    other = make_application(college, application.student, elsewhere, "shortlisted")
    interview = make_interview(college, application, scheduled_at=AT)
    make_interview(college, other, scheduled_at=AT + timedelta(hours=2))
    client = page_client(college, coordinator)
    url = f"{AGENDA}{interview.pk}/"
    assert 'value="2030-01-15T10:00"' in text_of(client.get(url))
    body = {
        "action": "reschedule",
        "slot-duration_minutes": "45",
        "slot-venue": "Room 7",
        "slot-meeting_link": "",
        "slot-interviewer": "",
    }
    # when it would move onto the other one, then next to it
    clash = client.post(url, {**body, "slot-scheduled_at": "2030-01-15T12:15"})
    moved = client.post(url, {**body, "slot-scheduled_at": "2030-01-15T11:00"})
    # then
    assert "The student already has an interview in this slot." in text_of(clash)
    assert 'value="Room 7"' in text_of(clash)
    assert moved.status_code == 302
    saved = refreshed(college, interview)
    assert (saved.scheduled_at, saved.duration_minutes, saved.venue) == (
        AT + timedelta(hours=1),
        45,
        "Room 7",
    )


def test_a_scheduled_interview_is_cancelled(college, coordinator):
    drive = make_drive(college)
    interview = make_interview(college, shortlisted(college, drive)[0], scheduled_at=AT)
    response = page_client(college, coordinator).post(
        f"{AGENDA}{interview.pk}/", {"action": "cancel"}
    )
    assert response.status_code == 302 and response["Location"] == f"{AGENDA}?date={DAY}"
    assert refreshed(college, interview).deleted_at is not None


def test_the_lists_never_fail_on_odd_parameters(college, coordinator):
    client = page_client(college, coordinator)
    odd = {"date": "someday", "view": "month", "drive": "x", "status": "lost", "page": "-1"}
    response = client.get(AGENDA, odd)
    assert response.status_code == 200
    assert client.get(SCHEDULE, {"drive": "x"}).status_code == 200


# --- Two colleges ------------------------------------------------------------------------------


def test_another_colleges_staff_cannot_read_change_or_guess_interviews(
    college, other_college, coordinator
):
    # given an interview in the college and a coordinator of the other college
    drive = make_drive(college)
    application = shortlisted(college, drive)[0]
    interview = make_interview(college, application, scheduled_at=AT)
    stranger = page_client(other_college, make_user(other_college, Role.COORDINATOR))
    # then its id, its drive and its application are unknown there
    assert stranger.get(f"{AGENDA}{interview.pk}/").status_code == 404
    changed = stranger.post(f"{AGENDA}{interview.pk}/", {"action": "cancel"})
    assert changed.status_code == 404
    assert stranger.get(SCHEDULE, {"drive": drive.pk}).status_code == 404
    assert 'id="interview-' not in text_of(stranger.get(AGENDA, {"date": DAY}))
    assert refreshed(college, interview).status == "scheduled"
