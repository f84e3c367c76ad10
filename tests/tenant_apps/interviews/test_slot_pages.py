"""The pages of slots and results: the office defines a round's slots with their panel (in the
college's time zone), lets students pick or fills them in shortlist order, and records a round's
results in one form; a student picks a free slot. Roles, two colleges, errors, query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings
from tenant_apps.interviews import services
from tenant_apps.interviews.models import Interview, InterviewSlot
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_recruiter,
    make_student,
    refreshed,
)
from tests.tenant_apps.interviews.test_slots import (
    let_students_pick,
    make_slot,
    round_of,
    shortlisted,
    staff_member,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

SLOTS = "/office/interviews/slots/"
RESULTS = "/office/interviews/results/"
PICK = "/me/interviews/slots/"
AT = datetime(2030, 1, 15, 4, 30, tzinfo=UTC)  # 10:00 in the college's zone (Asia/Kolkata)


@pytest.fixture
def drive(college):
    return make_drive(college, make_company(college))


@pytest.fixture
def office(college, coordinator):
    return page_client(college, coordinator)


def where(drive, round_) -> dict:
    return {"drive": drive.pk, "round": round_.pk}


def test_the_office_defines_a_slot_with_its_panel_at_the_colleges_wall_clock(
    college, drive, coordinator, office
):
    round_ = round_of(college, drive, 2)
    recruiter = make_recruiter(college, drive.company)
    page = office.get(SLOTS, where(drive, round_))
    assert page.status_code == 200
    assert f'value="{recruiter.pk}"' in text_of(page)  # the company's recruiter can sit on it

    response = office.post(
        SLOTS,
        {
            **where(drive, round_), "action": "create", "starts_at": "2030-01-15T10:00",
            "duration_minutes": "40", "capacity": "2", "venue": "Seminar hall B",
            "meeting_link": "", "panel": [coordinator.pk, recruiter.pk],
        },
    )  # fmt: skip

    assert response.status_code == 302
    with tenant_context(college):
        slot = InterviewSlot.objects.get(round=round_)
        assert (slot.starts_at, slot.duration_minutes, slot.capacity) == (AT, 40, 2)
        assert set(slot.panelists.values_list("user_id", flat=True)) == {
            coordinator.pk,
            recruiter.pk,
        }
    listed = text_of(office.get(SLOTS, where(drive, round_)))
    assert "Tue 15 Jan, 10:00\u201310:40" in listed
    assert "0 / 2" in listed


def test_a_busy_panel_member_or_a_missing_place_is_shown_on_the_form(
    college, drive, coordinator, office
):
    round_ = round_of(college, drive)
    make_slot(college, round_of(college, make_drive(college)), at=AT, panel=[coordinator])
    body = {
        **where(drive, round_), "action": "create", "starts_at": "2030-01-15T10:15",
        "duration_minutes": "30", "capacity": "1", "venue": "Hall", "panel": [coordinator.pk],
    }  # fmt: skip

    busy = office.post(SLOTS, body)
    nowhere = office.post(SLOTS, {**body, "venue": "", "panel": []})

    assert busy.status_code == 200
    assert "is on another panel at 15 Jan 2030, 10:00" in text_of(busy)
    assert "Give a venue or a meeting link." in text_of(nowhere)
    with tenant_context(college):
        assert not InterviewSlot.objects.filter(round=round_).exists()


def test_the_office_lets_students_pick_and_fills_the_rest_in_shortlist_order(
    college, drive, office
):
    round_ = round_of(college, drive)
    shortlisted(college, drive, 2)
    make_slot(college, round_, at=AT, capacity=2)

    office.post(SLOTS, {**where(drive, round_), "action": "policy", "students_pick": "on"})
    with tenant_context(college):
        assert services.students_pick(round_.pk)
    response = office.post(SLOTS, {**where(drive, round_), "action": "assign"}, follow=True)

    assert "2 applicants booked in shortlist order." in text_of(response)
    with tenant_context(college):
        assert Interview.objects.filter(round=round_, slot__isnull=False).count() == 2


def test_removing_a_slot_from_its_page_cancels_its_interviews(college, drive, coordinator, office):
    round_ = round_of(college, drive)
    (application,) = shortlisted(college, drive, 1)
    slot = make_slot(college, round_, at=AT)
    with tenant_context(college):
        interview = services.slot_book(slot=slot, application=application, actor=coordinator)

    response = office.post(SLOTS, {**where(drive, round_), "action": "delete", "slot": slot.pk})

    assert response.status_code == 302
    assert refreshed(college, interview).deleted_at is not None


def test_a_student_picks_a_slot_on_the_page(college, drive):
    round_ = round_of(college, drive)
    (application,) = shortlisted(college, drive, 1)
    slot = make_slot(college, round_, at=AT, capacity=2, panel=[staff_member(college)])
    client = page_client(college, application.student.user)
    assert f'id="take-{slot.pk}"' not in text_of(client.get(PICK))  # not open to students yet
    let_students_pick(college, round_)
    assert 'id="pick-slot"' in text_of(client.get("/me/interviews/"))

    page = text_of(client.get(PICK))
    assert f'id="take-{slot.pk}"' in page and "Tue 15 Jan, 10:00\u201310:30" in page

    response = client.post(PICK, {"slot": slot.pk}, follow=True)
    assert "Booked: Tuesday 15 January, 10:00." in text_of(response)
    with tenant_context(college):
        assert Interview.objects.get(slot=slot).application_id == application.pk
    # the page now says it is booked; a second try is refused with a message, not a 500
    assert f'id="take-{slot.pk}"' not in text_of(client.get(PICK))
    again = client.post(PICK, {"slot": slot.pk})
    assert again.status_code == 409
    assert "already scheduled" in text_of(again)


def test_a_full_slot_is_refused_on_the_students_page(college, drive):
    round_ = round_of(college, drive)
    first, second = shortlisted(college, drive, 2)
    slot = make_slot(college, round_, at=AT)
    let_students_pick(college, round_)
    with tenant_context(college):
        services.slot_book(slot=slot, application=first, actor=first.student.user)

    response = page_client(college, second.student.user).post(PICK, {"slot": slot.pk})

    assert response.status_code == 409
    assert "This slot is full." in text_of(response)


def test_the_office_records_a_rounds_results_in_one_form(college, drive, office):
    last = round_of(college, drive, 3)
    cleared, rejected, later = (
        make_interview(
            college, make_application(college, make_student(college), drive, "in_process"),
            round_sequence=3, scheduled_at=AT + timedelta(hours=n),
        )
        for n in range(3)
    )  # fmt: skip
    page = text_of(office.get(RESULTS, where(drive, last)))
    assert "This is the drive's last round" in page

    response = office.post(
        RESULTS,
        {
            **where(drive, last), "interview": [cleared.pk, rejected.pk, later.pk],
            f"result-{cleared.pk}": "cleared", f"feedback-{cleared.pk}": "Strong",
            f"result-{rejected.pk}": "rejected", f"result-{later.pk}": "",
        },
        follow=True,
    )  # fmt: skip

    assert "2 results recorded" in text_of(response)
    assert refreshed(college, cleared.application).status == "offered"
    assert refreshed(college, cleared).feedback == "Strong"
    assert refreshed(college, rejected.application).status == "rejected"
    assert refreshed(college, later.application).status == "in_process"
    # the recorded ones leave the form; the one still to record stays
    assert f'id="result-row-{later.pk}"' in text_of(response)
    assert f'id="result-row-{cleared.pk}"' not in text_of(response)


def test_an_empty_results_form_records_nothing_and_says_so(college, drive, office):
    round_ = round_of(college, drive)
    interview = make_interview(
        college, make_application(college, make_student(college), drive, "shortlisted")
    )

    response = office.post(RESULTS, {**where(drive, round_), "interview": [interview.pk]})

    assert response.status_code == 200
    assert "choose a result for at least one applicant" in text_of(response)
    assert refreshed(college, interview).status == "scheduled"


@pytest.mark.parametrize("url", [SLOTS, RESULTS])
def test_students_and_recruiters_cannot_open_the_offices_pages(college, drive, url):
    for user in (make_student(college).user, make_recruiter(college, drive.company)):
        assert page_client(college, user).get(url).status_code in (403, 404)


@pytest.mark.parametrize("url", [SLOTS, RESULTS])
def test_another_colleges_drive_is_not_found(college, other_college, office, url):
    theirs = make_drive(other_college)
    round_ = round_of(other_college, theirs)

    assert office.get(url, where(theirs, round_)).status_code == 404
    assert office.post(url, {**where(theirs, round_), "action": "assign"}).status_code == 404


def test_another_colleges_slot_cannot_be_picked(college, other_college, drive):
    (application,) = shortlisted(college, drive, 1)
    let_students_pick(college, round_of(college, drive))
    other_drive = make_drive(other_college)
    theirs = make_slot(other_college, round_of(other_college, other_drive), at=AT)

    response = page_client(college, application.student.user).post(PICK, {"slot": theirs.pk})

    assert response.status_code == 404
    with tenant_context(other_college):
        assert not Interview.objects.filter(slot=theirs).exists()


def test_the_slot_pages_cost_the_same_queries_whatever_they_show(
    college, drive, coordinator, office
):
    with tenant_context(college):  # the settings row exists, as in any college past its first page
        CollegeSettings.load()
    round_ = round_of(college, drive)
    let_students_pick(college, round_)
    (picker,) = shortlisted(college, drive, 1)
    student = page_client(college, picker.student.user)

    def add(count: int) -> None:
        for _ in range(count):
            slot = make_slot(
                college, round_, at=AT + timedelta(days=len(added)), capacity=2,
                panel=[staff_member(college)],
            )  # fmt: skip
            (application,) = shortlisted(college, drive, 1)
            with tenant_context(college):
                services.slot_book(slot=slot, application=application, actor=coordinator)
                make_interview(
                    college,
                    make_application(college, make_student(college), make_drive(college)),
                )
            added.append(slot)

    def queries(client, url, params, marker) -> tuple[int, int]:
        client.get(url, params)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        return len(captured), text_of(response).count(marker)

    added: list = []
    add(2)
    few = [
        queries(office, SLOTS, where(drive, round_), '<tr id="slot-'),
        queries(office, RESULTS, where(drive, round_), 'id="result-row-'),
        queries(student, PICK, {}, 'id="take-'),
    ]
    add(12)
    many = [
        queries(office, SLOTS, where(drive, round_), '<tr id="slot-'),
        queries(office, RESULTS, where(drive, round_), 'id="result-row-'),
        queries(student, PICK, {}, 'id="take-'),
    ]

    assert [shown for _, shown in few] == [2, 2, 2]
    assert [shown for _, shown in many] == [14, 14, 14]
    assert [count for count, _ in many] == [count for count, _ in few]


def test_recruiters_keep_their_result_form_and_it_moves_the_application(college, drive):
    recruiter = make_recruiter(college, drive.company)
    interview = make_interview(
        college,
        make_application(college, make_student(college), drive, "shortlisted"),
        round_sequence=1,
    )

    response = page_client(college, recruiter).post(
        f"/recruiter/interviews/{interview.pk}/result/",
        {f"i{interview.pk}-status": "cleared", f"i{interview.pk}-feedback": "ok"},
    )

    assert response.status_code in (200, 302)
    assert refreshed(college, interview.application).status == "in_process"


def test_a_slot_that_is_no_number_is_not_found_not_an_error(college, drive, office):
    (application,) = shortlisted(college, drive, 1)
    round_ = round_of(college, drive)
    student = page_client(college, application.student.user)

    for value in ("abc", "", "1e9", "99999999999999999999"):
        assert student.post(PICK, {"slot": value}).status_code == 404
        removed = office.post(SLOTS, {**where(drive, round_), "action": "delete", "slot": value})
        assert removed.status_code == 404
