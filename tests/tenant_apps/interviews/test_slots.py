"""Interview slots and panels: staff define a round's slots (time, place, panel, capacity), fill
them in shortlist order or let the students pick; nobody is booked twice at once (a student, a
panel member), and no slot takes more applicants than its capacity, even under concurrency."""

import itertools
from datetime import timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import CollegeSettings, Role
from core.api.errors import Conflict
from tenant_apps.drives.models import DriveRound
from tenant_apps.interviews import services
from tenant_apps.interviews.models import Interview, InterviewSlot
from tenants.services import college_ensure
from tests.browser import committed, drop_college
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_interview,
    make_recruiter,
    make_student,
    refreshed,
)
from tests.tenants.test_provisioning import run_in_threads
from tests.web import page_client

SLOTS = "/api/v1/interview-slots/"
_numbers = itertools.count(1)
TOMORROW_10 = (timezone.now() + timedelta(days=1)).replace(
    hour=10, minute=0, second=0, microsecond=0
)


def staff_member(college):
    return make_user(college, Role.COORDINATOR, f"panel{next(_numbers)}@{college.subdomain}.edu")


def round_of(college, drive, sequence: int = 1) -> DriveRound:
    with tenant_context(college):
        return DriveRound.objects.select_related("drive").get(drive=drive, sequence=sequence)


def make_slot(college, round_, *, at=TOMORROW_10, minutes=30, capacity=1, panel=(), **extra):
    with tenant_context(college):
        return services.slot_create(
            round=round_,
            starts_at=at,
            duration_minutes=minutes,
            venue=extra.pop("venue", "Block A, room 12"),
            capacity=capacity,
            panel=list(panel),
            **extra,
        )


def shortlisted(college, drive, count: int, **student):
    """`count` applications of `drive`, shortlisted one after the other (the shortlist order)."""
    applications = []
    for index in range(count):
        application = make_application(
            college, make_student(college, **student), drive, "shortlisted"
        )
        with tenant_context(college):
            application.shortlisted_at = timezone.now() - timedelta(hours=count - index)
            application.save(update_fields=["shortlisted_at"])
        applications.append(application)
    return applications


def let_students_pick(college, round_) -> None:
    with tenant_context(college):
        services.round_scheduling_set(round=round_, students_pick=True)


@pytest.fixture
def company(college):
    return make_company(college)


@pytest.fixture
def drive(college, company):
    return make_drive(college, company)


@pytest.fixture
def recruiter(college, company):
    return make_recruiter(college, company)


# --- Defining slots -------------------------------------------------------------------------------


def test_staff_define_a_slot_with_a_panel_of_staff_and_the_companys_recruiter(
    college, drive, coordinator, recruiter, coordinator_client
):
    technical = round_of(college, drive, 2)

    response = coordinator_client.post(
        SLOTS,
        {
            "round": technical.pk,
            "starts_at": TOMORROW_10.isoformat(),
            "duration_minutes": 45,
            "meeting_link": "https://meet.example.com/abc",
            "capacity": 3,
            "panel": [coordinator.pk, recruiter.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["round"]["id"] == technical.pk and data["drive"]["id"] == drive.pk
    assert data["starts_at"] == TOMORROW_10.isoformat().replace("+00:00", "Z")
    assert data["ends_at"] == (TOMORROW_10 + timedelta(minutes=45)).isoformat().replace(
        "+00:00", "Z"
    )
    assert data["capacity"] == 3 and data["seats_left"] == 3 and data["bookings"] == []
    assert {member["id"] for member in data["panel"]} == {coordinator.pk, recruiter.pk}


def test_a_panel_member_must_be_staff_or_a_recruiter_of_the_drives_company(
    college, drive, coordinator_client
):
    outsider = make_recruiter(college, make_company(college))
    student = make_student(college)

    for user_id in (outsider.pk, student.user_id):
        response = coordinator_client.post(
            SLOTS,
            {
                "round": round_of(college, drive).pk,
                "starts_at": TOMORROW_10.isoformat(),
                "duration_minutes": 30,
                "venue": "Hall",
                "panel": [user_id],
            },
            format="json",
        )
        assert response.status_code == 400
        assert "panel" in response.json()["error"]["details"]
    with tenant_context(college):
        assert not InterviewSlot.objects.exists()


def test_a_panel_member_is_never_on_two_overlapping_slots(college, company, coordinator):
    first_drive, second_drive = make_drive(college, company), make_drive(college, company)
    make_slot(college, round_of(college, first_drive), minutes=60, panel=[coordinator])

    # an overlapping slot of another drive, with the same interviewer: refused
    with pytest.raises(Conflict) as refused, tenant_context(college):
        services.slot_create(
            round=round_of(college, second_drive),
            starts_at=TOMORROW_10 + timedelta(minutes=30),
            duration_minutes=30,
            venue="Hall",
            panel=[coordinator],
        )
    assert "another panel" in str(refused.value.message)

    # right after it: fine
    later = make_slot(
        college, round_of(college, second_drive), at=TOMORROW_10 + timedelta(hours=1),
        panel=[coordinator],
    )  # fmt: skip
    assert later.pk


def test_a_slot_needs_a_venue_or_a_link_and_sane_numbers(college, drive, coordinator_client):
    base = {"round": round_of(college, drive).pk, "starts_at": TOMORROW_10.isoformat()}
    for body, field in [
        ({"duration_minutes": 30}, "venue"),
        ({"duration_minutes": 2, "venue": "Hall"}, "duration_minutes"),
        ({"duration_minutes": 30, "venue": "Hall", "capacity": 0}, "capacity"),
        ({"duration_minutes": 30, "venue": "Hall", "starts_at": "tomorrow"}, "starts_at"),
        ({"duration_minutes": 30, "venue": "Hall", "round": 999_999}, "round"),
    ]:
        response = coordinator_client.post(SLOTS, {**base, **body}, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "validation_error"
        assert field in response.json()["error"]["details"], body


# --- Filling slots --------------------------------------------------------------------------------


def test_assigning_fills_the_slots_in_shortlist_order_around_busy_students(
    college, drive, coordinator_client
):
    # given four shortlisted applicants, the second busy at ten in another drive's interview
    first, second, third, fourth = shortlisted(college, drive, 4)
    other = make_application(college, second.student, make_drive(college), "shortlisted")
    make_interview(college, other, scheduled_at=TOMORROW_10, duration_minutes=30)
    # and a slot at ten for two, one at eleven for one
    round_ = round_of(college, drive)
    ten = make_slot(college, round_, capacity=2)
    eleven = make_slot(college, round_, at=TOMORROW_10 + timedelta(hours=1))

    response = coordinator_client.post(f"{SLOTS}assign/", {"round": round_.pk}, format="json")

    # then the first and third take ten, the second eleven, the fourth is left without a slot
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["unassigned"] == [fourth.pk]
    with tenant_context(college):
        booked = dict(
            Interview.objects.filter(round=round_).values_list("application_id", "slot_id")
        )
        assert booked == {first.pk: ten.pk, third.pk: ten.pk, second.pk: eleven.pk}
        interview = Interview.objects.get(application=second, round=round_)
        assert interview.scheduled_at == TOMORROW_10 + timedelta(hours=1)
        assert interview.venue == "Block A, room 12"

    # assigning again books nobody twice
    again = coordinator_client.post(f"{SLOTS}assign/", {"round": round_.pk}, format="json")
    assert again.json()["data"] == {"interviews": [], "unassigned": [fourth.pk]}


def test_a_student_picks_a_free_slot_when_the_office_allows_it(college, drive, coordinator_client):
    (application,) = shortlisted(college, drive, 1)
    client = client_for(college, application.student.user)
    round_ = round_of(college, drive)
    slot = make_slot(college, round_, capacity=2, panel=[staff_member(college)])

    # not before the office opens the round to students
    assert client.get(SLOTS).json()["data"] == []
    assert client.post(f"{SLOTS}{slot.pk}/book/").status_code == 404

    response = coordinator_client.post(
        f"{SLOTS}scheduling/", {"round": round_.pk, "students_pick": True}, format="json"
    )
    assert response.json()["data"] == {"round": round_.pk, "students_pick": True}

    listed = client.get(SLOTS).json()["data"]
    assert [row["id"] for row in listed] == [slot.pk]
    assert listed[0]["seats_left"] == 2 and "bookings" not in listed[0]

    booked = client.post(f"{SLOTS}{slot.pk}/book/")
    assert booked.status_code == 201, booked.json()
    assert booked.json()["data"]["application"] == application.pk
    assert "feedback" not in booked.json()["data"]
    # once per round
    again = client.post(f"{SLOTS}{slot.pk}/book/")
    assert again.status_code == 409
    assert client.get(SLOTS).json()["data"][0]["seats_left"] == 1


def test_a_full_slot_and_a_busy_student_are_refused(college, drive):
    first, second = shortlisted(college, drive, 2)
    round_ = round_of(college, drive)
    slot = make_slot(college, round_)
    let_students_pick(college, round_)
    with tenant_context(college):
        services.slot_book(slot=slot, application=first, actor=first.student.user)

    full = client_for(college, second.student.user).post(f"{SLOTS}{slot.pk}/book/")
    assert full.status_code == 409
    assert full.json()["error"]["message"] == "This slot is full."

    # the second student has another interview at eleven: the slot at eleven clashes
    eleven = make_slot(college, round_, at=TOMORROW_10 + timedelta(hours=1))
    other = make_application(college, second.student, make_drive(college), "shortlisted")
    make_interview(college, other, scheduled_at=TOMORROW_10 + timedelta(minutes=50))
    busy = client_for(college, second.student.user).post(f"{SLOTS}{eleven.pk}/book/")
    assert busy.status_code == 409
    assert "already has an interview" in busy.json()["error"]["message"]


def test_students_see_only_slots_of_their_own_drives_and_no_past_ones(college, company):
    mine, theirs = make_drive(college, company), make_drive(college, company)
    (application,) = shortlisted(college, mine, 1)
    shortlisted(college, theirs, 1)
    for drive in (mine, theirs):
        let_students_pick(college, round_of(college, drive))
    visible = make_slot(college, round_of(college, mine))
    past = make_slot(college, round_of(college, mine), at=timezone.now() - timedelta(hours=2))
    hidden = make_slot(college, round_of(college, theirs))
    client = client_for(college, application.student.user)

    assert [row["id"] for row in client.get(SLOTS).json()["data"]] == [visible.pk]
    for slot in (past, hidden):
        assert client.post(f"{SLOTS}{slot.pk}/book/").status_code == 404
        assert client.get(f"{SLOTS}{slot.pk}/").status_code == 404


def test_recruiters_read_their_companys_slots_only_and_cannot_define_them(
    college, drive, recruiter
):
    mine = make_slot(college, round_of(college, drive))
    make_slot(college, round_of(college, make_drive(college)))
    client = client_for(college, recruiter)

    assert [row["id"] for row in client.get(SLOTS).json()["data"]] == [mine.pk]
    response = client.post(
        SLOTS,
        {"round": round_of(college, drive).pk, "starts_at": TOMORROW_10.isoformat(),
         "duration_minutes": 30, "venue": "Hall"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403


def test_removing_a_slot_cancels_its_interviews(college, drive, coordinator_client):
    (application,) = shortlisted(college, drive, 1)
    slot = make_slot(college, round_of(college, drive))
    with tenant_context(college):
        interview = services.slot_book(
            slot=slot, application=application, actor=staff_member(college)
        )

    assert coordinator_client.delete(f"{SLOTS}{slot.pk}/").status_code == 204

    assert refreshed(college, interview).deleted_at is not None
    assert coordinator_client.get(f"{SLOTS}{slot.pk}/").status_code == 404


def test_the_slot_list_costs_the_same_queries_whatever_its_length(
    college, company, coordinator, coordinator_client
):
    with tenant_context(college):  # the settings row exists, as in any college past its first page
        CollegeSettings.load()

    def add_slots(count: int) -> None:
        drive = make_drive(college, company)
        applications = shortlisted(college, drive, count)
        for index, application in enumerate(applications):
            slot = make_slot(
                college, round_of(college, drive), at=TOMORROW_10 + timedelta(days=index),
                capacity=2, panel=[staff_member(college)],
            )  # fmt: skip
            with tenant_context(college):
                services.slot_book(slot=slot, application=application, actor=coordinator)

    def queries_of_the_list() -> int:
        coordinator_client.get("/healthz")
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(f"{SLOTS}?page_size=100")
        assert response.status_code == 200
        # the path is sent only when the connection was on another schema: not the list's
        own = [q for q in queries.captured_queries if "search_path" not in q["sql"]]
        return len(own), len(response.json()["data"])

    add_slots(2)
    few, shown = queries_of_the_list()
    add_slots(20)
    many, shown_many = queries_of_the_list()
    assert (shown, shown_many) == (2, 22)
    assert many == few


def test_another_colleges_slots_cannot_be_read_booked_or_removed(
    college, other_college, coordinator_client
):
    # given a slot in the other college with the id a slot of ours would have
    other_drive = make_drive(other_college)
    (theirs,) = shortlisted(other_college, other_drive, 1)
    slot = make_slot(other_college, round_of(other_college, other_drive))
    with tenant_context(college):
        assert not InterviewSlot.all_objects.filter(pk=slot.pk).exists()

    assert coordinator_client.get(SLOTS).json()["data"] == []
    assert coordinator_client.get(f"{SLOTS}{slot.pk}/").status_code == 404
    booked = coordinator_client.post(
        f"{SLOTS}{slot.pk}/book/", {"application": theirs.pk}, format="json"
    )
    assert booked.status_code == 404
    assert coordinator_client.delete(f"{SLOTS}{slot.pk}/").status_code == 404
    assign = coordinator_client.post(
        f"{SLOTS}assign/", {"round": round_of(other_college, other_drive).pk}, format="json"
    )
    assert assign.status_code == 400
    with tenant_context(other_college):
        assert InterviewSlot.objects.filter(pk=slot.pk).exists()
        assert not Interview.objects.filter(application=theirs).exists()


# --- Two students, one seat -----------------------------------------------------------------------

RACE = "slot-race"


@pytest.fixture
def race_college(db, _schemas):
    college = committed(lambda: college_ensure(subdomain=RACE, name="Slot Race College")[0])
    yield college
    drop_college(RACE)


def test_two_students_taking_the_last_seat_at_once_get_it_once(race_college):
    college = race_college

    def given():
        drive = make_drive(college)
        applications = shortlisted(college, drive, 2)
        round_ = round_of(college, drive)
        slot = make_slot(college, round_, capacity=2)
        let_students_pick(college, round_)
        with tenant_context(college):  # one seat of two is taken already
            other = make_application(college, make_student(college), drive, "shortlisted")
            services.slot_book(slot=slot, application=other, actor=other.student.user)
        return slot, applications

    slot, applications = committed(given)
    turn = iter(applications)

    def book():
        application = next(turn)
        with tenant_context(college):
            return services.slot_book(
                slot=slot, application=application, actor=application.student.user
            )

    results = run_in_threads(book, 2)

    booked = [result for result in results if isinstance(result, Interview)]
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert refused[0].message == "This slot is full."

    def count():
        with tenant_context(college):
            return Interview.objects.filter(slot=slot).count()

    assert committed(count) == 2


def test_two_slots_for_one_interviewer_at_once_are_made_once(race_college):
    college = race_college

    def given():
        with tenant_context(college):
            interviewer = staff_member(college)
        return interviewer, [round_of(college, make_drive(college)) for _ in range(2)]

    interviewer, rounds = committed(given)
    turn = iter(rounds)

    def define():
        round_ = next(turn)
        with tenant_context(college):
            return services.slot_create(
                round=round_, starts_at=TOMORROW_10, duration_minutes=30, venue="Hall",
                panel=[interviewer],
            )  # fmt: skip

    results = run_in_threads(define, 2)

    assert sorted(type(result).__name__ for result in results) == ["Conflict", "InterviewSlot"]


def test_a_booked_slot_downloads_as_the_interview_ics(college, drive):
    (application,) = shortlisted(college, drive, 1)
    slot = make_slot(college, round_of(college, drive), minutes=45)
    with tenant_context(college):
        interview = services.slot_book(
            slot=slot, application=application, actor=staff_member(college)
        )
    response = page_client(college, application.student.user).get(
        f"/me/interviews/{interview.pk}/calendar.ics"
    )

    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("DTSTART") == TOMORROW_10
    assert event.decoded("DTEND") == TOMORROW_10 + timedelta(minutes=45)
    assert str(event["LOCATION"]) == "Block A, room 12"


def test_staff_book_any_applicant_into_a_slot_and_recruiters_cannot(
    college, drive, recruiter, coordinator_client
):
    (application,) = shortlisted(college, drive, 1)
    slot = make_slot(college, round_of(college, drive), capacity=2)

    assert (
        client_for(college, recruiter)
        .post(f"{SLOTS}{slot.pk}/book/", {"application": application.pk}, format="json")
        .status_code
        == 403
    )
    missing = coordinator_client.post(f"{SLOTS}{slot.pk}/book/", {}, format="json")
    assert missing.status_code == 400
    assert "application" in missing.json()["error"]["details"]
    booked = coordinator_client.post(
        f"{SLOTS}{slot.pk}/book/", {"application": application.pk}, format="json"
    )
    assert booked.status_code == 201, booked.json()
    data = booked.json()["data"]
    assert data["scheduled_at"] == TOMORROW_10.isoformat().replace("+00:00", "Z")
    assert data["venue"] == "Block A, room 12"
    listed = coordinator_client.get(f"{SLOTS}{slot.pk}/").json()["data"]
    assert [row["application"] for row in listed["bookings"]] == [application.pk]
    assert listed["seats_left"] == 1


def test_an_applicant_of_another_drive_cannot_take_this_drives_slot(
    college, drive, coordinator_client
):
    (other,) = shortlisted(college, make_drive(college), 1)
    slot = make_slot(college, round_of(college, drive))

    response = coordinator_client.post(
        f"{SLOTS}{slot.pk}/book/", {"application": other.pk}, format="json"
    )

    assert response.status_code == 400
    assert "round" in response.json()["error"]["details"]
    with tenant_context(college):
        assert not Interview.objects.filter(slot=slot).exists()
