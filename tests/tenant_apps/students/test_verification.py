"""The verification queue: a student submits the profile, staff verify it or send it back with a
comment (mailed), many at once in one request; the student's drive list says when verification
is what keeps drives away. Through the API and the pages, each college on its own."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.students import verification
from tenant_apps.students.models import Student, VerificationStatus
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import make_drive, make_student, refreshed
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

MINE = "/api/v1/students/me/verification/"
STUDENTS = "/api/v1/students/"
QUEUE = "/office/students/verification/"


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def post_form(client, url: str, data: dict, *, form_url: str):
    form = client.get(form_url)
    return client.post(url, {"csrfmiddlewaretoken": csrf_of(form), **data})


@pytest.fixture
def unverified(college):
    return make_student(college, verified=False)


# --- API ---------------------------------------------------------------------------------------


def test_a_student_submits_staff_send_back_with_a_comment_then_verify(
    college, unverified, coordinator_client, django_capture_on_commit_callbacks
):
    student_client = client_for(college, unverified.user)

    # the student submits: the profile is in the office's queue
    submitted = student_client.post(MINE)
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["data"]["status"] == "submitted"
    queue = coordinator_client.get(
        STUDENTS, {"verification_status": "submitted", "ordering": "verification_submitted_at"}
    ).json()
    assert [row["id"] for row in queue["data"]] == [unverified.pk]

    # staff send it back with a comment: the student is mailed it
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        back = coordinator_client.post(
            f"{STUDENTS}{unverified.pk}/send-back/",
            {"comment": "Your 12th marks are missing."},
            format="json",
        )
    assert back.status_code == 200, back.json()
    assert back.json()["data"]["verification"] == {
        "status": "returned",
        "submitted_at": back.json()["data"]["verification"]["submitted_at"],
        "comment": "Your 12th marks are missing.",
    }
    (message,) = mail.outbox
    assert message.to == [unverified.user.email] and "12th marks are missing" in message.body
    mine = student_client.get(MINE).json()["data"]
    assert (mine["status"], mine["comment"]) == ("returned", "Your 12th marks are missing.")

    # the student submits again; staff verify
    assert student_client.post(MINE).json()["data"]["status"] == "submitted"
    verified = coordinator_client.post(f"{STUDENTS}{unverified.pk}/verify/").json()["data"]
    assert verified["is_verified"] is True and verified["verification"]["status"] == "verified"
    assert student_client.post(MINE).json()["error"]["code"] == "invalid_transition"


def test_sending_back_needs_a_comment(college, unverified, coordinator_client):
    response = coordinator_client.post(
        f"{STUDENTS}{unverified.pk}/send-back/", {"comment": "  "}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert refreshed(college, unverified).verification_status == "draft"


def test_students_cannot_verify_or_send_back(college, unverified):
    student_client = client_for(college, unverified.user)
    assert student_client.post(f"{STUDENTS}verify/", {"ids": [unverified.pk]}).status_code == 403
    assert (
        student_client.post(f"{STUDENTS}{unverified.pk}/send-back/", {"comment": "x"}).status_code
        == 403
    )
    assert refreshed(college, unverified).is_verified is False


def test_bulk_verify_is_one_request_for_many_students(college, coordinator_client):
    students = [make_student(college, verified=False) for _ in range(3)]
    already = make_student(college, verified=True)

    response = coordinator_client.post(
        f"{STUDENTS}verify/", {"ids": [s.pk for s in [*students, already]]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {
        "verified": sorted(s.pk for s in students),
        "already_verified": 1,
    }
    with tenant_context(college):
        assert Student.objects.filter(is_verified=False).count() == 0
        assert set(
            Student.objects.filter(pk__in=[s.pk for s in students]).values_list(
                "verification_status", "verified_by__role"
            )
        ) == {("verified", Role.COORDINATOR)}


def test_bulk_verify_costs_the_same_queries_for_2_or_40_students(college, coordinator_client):
    def count(n: int) -> int:
        ids = [make_student(college, verified=False).pk for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.post(f"{STUDENTS}verify/", {"ids": ids}, format="json")
        assert response.status_code == 200
        return len(queries)

    count(1)  # warm the caches
    assert count(40) == count(2)


def test_an_id_outside_the_college_is_refused_and_none_is_verified(college, coordinator_client):
    mine = make_student(college, verified=False)

    response = coordinator_client.post(
        f"{STUDENTS}verify/", {"ids": [mine.pk, 987654]}, format="json"
    )

    assert response.status_code == 400
    assert "987654" in str(response.json()["error"]["details"])
    assert refreshed(college, mine).is_verified is False


def test_each_college_has_its_own_queue(college, other_college):
    alpha = make_student(college, verified=False, pk=7001)
    beta = make_student(other_college, verified=False, pk=7001)
    client_for(college, alpha.user).post(MINE)

    beta_staff = client_for(other_college, make_user(other_college, Role.COORDINATOR))
    queue = beta_staff.get(STUDENTS, {"verification_status": "submitted"}).json()
    sent_back = beta_staff.post(
        f"{STUDENTS}7001/send-back/", {"comment": "Beta's own"}, format="json"
    )

    assert queue["data"] == []
    assert sent_back.status_code == 200  # Beta's own student 7001, not Alpha's
    assert refreshed(college, alpha).verification_status == "submitted"
    assert refreshed(other_college, beta).verification_status == "returned"


def test_the_student_hears_how_many_drives_wait_on_verification(college, unverified):
    make_drive(college)
    make_drive(college)
    make_drive(college, min_cgpa="9.50")  # not eligible anyway

    data = client_for(college, unverified.user).get(MINE).json()["data"]

    assert (data["status"], data["drives_waiting"]) == ("draft", 2)


# --- Pages -------------------------------------------------------------------------------------


def test_the_drive_list_says_verification_keeps_drives_away(college, unverified):
    make_drive(college, title="Backend Engineer")
    client = page_client(college, unverified.user)

    html = text_of(client.get("/me/drives/"))

    assert 'id="verification-notice"' in html
    assert "1 open drive would be open to you once it is verified" in html


def test_a_verified_student_sees_no_verification_notice(college):
    make_drive(college)
    html = text_of(page_client(college, make_student(college).user).get("/me/drives/"))
    assert 'id="verification-notice"' not in html


def test_the_student_submits_on_the_profile_page(college, unverified):
    client = page_client(college, unverified.user)

    response = post_form(client, "/me/profile/verification/", {}, form_url="/me/profile/")

    assert response.status_code == 302
    assert refreshed(college, unverified).verification_status == "submitted"
    assert "Waiting for the placement office" in text_of(client.get("/me/profile/"))


def test_the_office_queue_verifies_the_selected_and_sends_one_back(
    college, django_capture_on_commit_callbacks
):
    office = page_client(college, make_user(college, Role.COORDINATOR))
    waiting = [make_student(college, verified=False) for _ in range(3)]
    for student in waiting:
        client_for(college, student.user).post(MINE)
    not_submitted = make_student(college, verified=False)

    html = text_of(office.get(QUEUE))
    assert all(f'id="queue-{s.pk}"' in html for s in waiting)
    assert f'id="queue-{not_submitted.pk}"' not in html

    verified = post_form(
        office,
        "/office/students/bulk/",
        {
            "action": "verify",
            "ids": [waiting[0].pk, waiting[1].pk],
            "filters": "verification_status=submitted",
            "next": "queue",
        },
        form_url=QUEUE,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent_back = post_form(
            office,
            f"/office/students/{waiting[2].pk}/send-back/",
            {"comment": "Add your diploma marks.", "next": "queue"},
            form_url=QUEUE,
        )

    assert verified.status_code == 302 and verified["Location"] == QUEUE
    assert sent_back.status_code == 302
    assert [refreshed(college, s).is_verified for s in waiting] == [True, True, False]
    assert refreshed(college, waiting[2]).verification_comment == "Add your diploma marks."
    assert refreshed(college, not_submitted).is_verified is False
    assert [m.to for m in mail.outbox] == [[waiting[2].user.email]]


def test_all_matching_in_the_queue_verifies_only_the_submitted(college):
    office = page_client(college, make_user(college, Role.COORDINATOR))
    waiting = make_student(college, verified=False)
    client_for(college, waiting.user).post(MINE)
    not_submitted = make_student(college, verified=False)

    post_form(
        office,
        "/office/students/bulk/",
        {"action": "verify", "all_matching": "1", "filters": "verification_status=submitted"},
        form_url=QUEUE,
    )

    assert refreshed(college, waiting).is_verified is True
    assert refreshed(college, not_submitted).is_verified is False


def test_verifying_a_submitted_student_alone_takes_them_out_of_the_queue(college):
    # given two profiles submitted and waiting in the queue
    coordinator = make_user(college, Role.COORDINATOR)
    office = page_client(college, coordinator)
    alone, waiting = make_student(college, verified=False), make_student(college, verified=False)
    for student in (alone, waiting):
        client_for(college, student.user).post(MINE)
    assert f'id="queue-{alone.pk}"' in text_of(office.get(QUEUE))

    # when one is verified on its own (the service the students' pages and tests use)
    with tenant_context(college):
        verification.verification_approve(student=alone, actor=coordinator)

    # then it is verified and out of the queue; the other still waits
    fresh = refreshed(college, alone)
    assert fresh.is_verified and fresh.verification_status == VerificationStatus.VERIFIED
    assert fresh.verified_by_id == coordinator.pk
    html = text_of(office.get(QUEUE))
    assert f'id="queue-{alone.pk}"' not in html and f'id="queue-{waiting.pk}"' in html
    queue = client_for(college, coordinator).get(STUDENTS, {"verification_status": "submitted"})
    assert [row["id"] for row in queue.json()["data"]] == [waiting.pk]

    # and unverified on its own, it is a draft again (not back in the queue)
    with tenant_context(college):
        verification.verification_unverify(student=alone)
    assert refreshed(college, alone).verification_status == VerificationStatus.DRAFT
    assert f'id="queue-{alone.pk}"' not in text_of(office.get(QUEUE))


def test_the_queue_page_costs_the_same_queries_for_1_or_20_profiles(college):
    office = page_client(college, make_user(college, Role.COORDINATOR))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get(QUEUE).status_code == 200
        return len(queries)

    def submit(n: int) -> None:
        for _ in range(n):
            student = make_student(college, verified=False)
            with tenant_context(college):
                Student.objects.filter(pk=student.pk).update(verification_status="submitted")

    submit(1)
    count()
    first = count()
    submit(19)
    count()  # the new rows' users drop the cached user: measured warm, as before
    assert count() == first


def test_the_office_bulk_verify_costs_the_same_queries_for_2_or_30_students(college):
    office = page_client(college, make_user(college, Role.COORDINATOR))

    def count(n: int) -> int:
        ids = [make_student(college, verified=False).pk for _ in range(n)]
        token = csrf_of(office.get("/office/students/"))
        with CaptureQueriesContext(connection) as queries:
            response = office.post(
                "/office/students/bulk/",
                {"csrfmiddlewaretoken": token, "action": "verify", "ids": ids},
            )
        assert response.status_code == 302
        return len(queries)

    count(1)
    assert count(30) == count(2)


def test_the_queue_is_the_office_only_and_per_college(college, other_college, unverified):
    client_for(college, unverified.user).post(MINE)
    student_page = page_client(college, unverified.user).get(QUEUE)
    beta_office = page_client(other_college, make_user(other_college, Role.COORDINATOR))

    assert student_page.status_code in (403, 404)
    assert unverified.roll_number not in text_of(beta_office.get(QUEUE))
