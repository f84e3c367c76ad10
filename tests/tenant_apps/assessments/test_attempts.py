"""Attempts: a student's one timed attempt, its questions one at a time in an order of its own,
answered in turn, scored with negative marks on submit or at the deadline; correct answers stay
on the server until the attempt has ended."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.billing.models import Plan
from tenant_apps.assessments.models import Answer, Attempt
from tenant_apps.assessments.tasks import expire_overdue
from tests.conftest import client_for
from tests.tenant_apps.assessments.factories import (
    correct_ids,
    make_assessment,
    make_bank,
    make_question,
    wrong_ids,
)
from tests.tenant_apps.factories import make_application, make_drive, make_student, refreshed

ASSESSMENTS = "/api/v1/assessments/"
ATTEMPTS = "/api/v1/attempts/"


@pytest.fixture
def student(college):
    return make_student(college)


@pytest.fixture
def client(college, student):
    return client_for(college, student.user)


def start(client, assessment):
    return client.post(f"{ASSESSMENTS}{assessment.pk}/start/")


def answer(client, attempt_id, question_id, choices):
    return client.post(
        f"{ATTEMPTS}{attempt_id}/answer/", {"question": question_id, "choices": choices}, "json"
    )


def overdue(college, attempt_id: int) -> None:
    """The attempt's deadline passes (a second ago)."""
    with tenant_context(college):
        Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(seconds=1))


def test_questions_come_one_at_a_time_without_their_correct_choices(college, client):
    questions = [make_question(college, correct=(1,)), make_question(college, correct=(0, 2))]
    assessment = make_assessment(college, questions)

    started = start(client, assessment)
    attempt_id = started.json()["data"]["id"]
    first = client.get(f"{ATTEMPTS}{attempt_id}/next/")
    again = client.get(f"{ATTEMPTS}{attempt_id}/next/")

    assert started.status_code == 201, started.json()
    assert first.status_code == 200
    question = first.json()["data"]["question"]
    assert question["number"] == 1
    assert again.json()["data"]["question"] == question  # the same question, same choice order
    assert {choice["text"] for choice in question["choices"]} == {"A", "B", "C", "D"}
    assert all(set(choice) == {"id", "text"} for choice in question["choices"])
    assert "is_correct" not in first.content.decode()

    # when it is answered, the next one comes, and none after the last
    second = answer(client, attempt_id, question["id"], [question["choices"][0]["id"]])
    next_question = second.json()["data"]["question"]
    assert next_question["number"] == 2 and next_question["id"] != question["id"]
    assert "is_correct" not in second.content.decode()
    done = answer(client, attempt_id, next_question["id"], [])
    assert done.json()["data"]["question"] is None
    assert done.json()["data"]["attempt"]["answered"] == 2


def test_nothing_a_running_attempt_shows_its_student_tells_the_correct_choices(college, client):
    question = make_question(college, correct=(3,), text="Which one?")
    assessment = make_assessment(college, [question])
    attempt_id = start(client, assessment).json()["data"]["id"]

    bodies = [
        client.get(f"{ATTEMPTS}{attempt_id}/").content,
        client.get(ATTEMPTS).content,
        client.get(f"{ASSESSMENTS}{assessment.pk}/").content,
        client.get(ASSESSMENTS).content,
        client.get(f"{ATTEMPTS}{attempt_id}/next/").content,
    ]
    result = client.get(f"{ATTEMPTS}{attempt_id}/result/")
    authoring = [client.get(f"/api/v1/questions/{question.pk}/"), client.get("/api/v1/questions/")]

    for body in bodies:
        assert b"is_correct" not in body
    assert b'"questions"' not in bodies[2]  # the question ids are for staff
    assert result.status_code == 409
    assert b"is_correct" not in result.content
    assert [response.status_code for response in authoring] == [403, 403]


def test_each_attempt_has_its_own_shuffled_order(college):
    questions = [make_question(college) for _ in range(8)]
    assessment = make_assessment(college, questions)
    ids = sorted(question.pk for question in questions)

    orders = []
    for _ in range(4):
        student = make_student(college)
        client = client_for(college, student.user)
        attempt_id = start(client, assessment).json()["data"]["id"]
        served = []
        for _ in questions:
            current = client.get(f"{ATTEMPTS}{attempt_id}/next/").json()["data"]["question"]
            served.append(current["id"])
            answer(client, attempt_id, current["id"], [])
        orders.append(served)
        assert refreshed(college, Attempt(pk=attempt_id)).question_order == served

    assert all(sorted(order) == ids for order in orders)  # every question, once
    assert len({tuple(order) for order in orders}) > 1  # 8! orders: four equal ones is no shuffle


def test_the_score_counts_full_marks_negative_marks_and_blanks(college, client):
    # given 2 + 1 + 3 + 1 + 3 + 1 marks of questions
    bank = make_bank(college)
    right = make_question(college, bank, correct=(0,), marks="2", negative_marks="0.5")
    wrong = make_question(college, bank, correct=(0,), marks="1", negative_marks="0.25")
    partial = make_question(college, bank, correct=(0, 1), marks="3", negative_marks="1")
    blank = make_question(college, bank, correct=(2,), marks="1", negative_marks="1")
    full = make_question(college, bank, correct=(1, 3), marks="3", negative_marks="1")
    unreached = make_question(college, bank, correct=(0,), marks="1", negative_marks="1")
    plan = {
        right.pk: correct_ids(college, right),  # +2
        wrong.pk: wrong_ids(college, wrong)[:1],  # -0.25
        partial.pk: correct_ids(college, partial)[:1],  # one of two: -1
        blank.pk: [],  # 0
        full.pk: correct_ids(college, full),  # +3
    }
    assessment = make_assessment(
        college, [right, wrong, partial, blank, full, unreached], pass_marks="3.5"
    )
    attempt_id = start(client, assessment).json()["data"]["id"]

    # when the student answers five of them (in the attempt's order) and submits
    for _ in plan:
        current = client.get(f"{ATTEMPTS}{attempt_id}/next/").json()["data"]["question"]
        if current["id"] == unreached.pk:  # answer it blank and go on
            answer(client, attempt_id, current["id"], [])
            current = client.get(f"{ATTEMPTS}{attempt_id}/next/").json()["data"]["question"]
        assert answer(client, attempt_id, current["id"], plan[current["id"]]).status_code == 200
    submitted = client.post(f"{ATTEMPTS}{attempt_id}/submit/")

    # then
    assert submitted.status_code == 200, submitted.json()
    data = submitted.json()["data"]
    assert (data["status"], data["submitted_by"]) == ("submitted", "student")
    assert Decimal(data["score"]) == Decimal("3.75")
    assert data["passed"] is True
    review = client.get(f"{ATTEMPTS}{attempt_id}/result/").json()["data"]["review"]
    awarded = {item["question"]: Decimal(item["marks_awarded"]) for item in review}
    assert awarded == {
        right.pk: 2, wrong.pk: Decimal("-0.25"), partial.pk: -1, blank.pk: 0, full.pk: 3,
        unreached.pk: 0,
    }  # fmt: skip
    shown = {item["question"]: item for item in review}
    assert sorted(c["id"] for c in shown[full.pk]["choices"] if c["is_correct"]) == plan[full.pk]
    assert shown[wrong.pk]["selected"] == plan[wrong.pk]


def test_a_second_submit_does_not_score_again_and_the_attempt_row_is_locked(college, client):
    question = make_question(college, marks="2")
    assessment = make_assessment(college, [question])
    attempt_id = start(client, assessment).json()["data"]["id"]
    answer(client, attempt_id, question.pk, correct_ids(college, question))

    with CaptureQueriesContext(connection) as queries:
        first = client.post(f"{ATTEMPTS}{attempt_id}/submit/").json()["data"]
    locks = [q["sql"] for q in queries.captured_queries if " FOR UPDATE" in q["sql"]]
    second = client.post(f"{ATTEMPTS}{attempt_id}/submit/").json()["data"]

    assert first["score"] == second["score"] == "2.00"
    assert first["submitted_at"] == second["submitted_at"]
    assert any('FROM "assessments_attempt"' in sql for sql in locks), locks


def test_a_late_answer_is_refused_and_the_attempt_is_submitted_at_its_deadline(college, client):
    # given a first answer in time
    questions = [make_question(college, marks="4"), make_question(college)]
    assessment = make_assessment(college, questions)
    attempt_id = start(client, assessment).json()["data"]["id"]
    first = client.get(f"{ATTEMPTS}{attempt_id}/next/").json()["data"]["question"]
    by_id = {question.pk: question for question in questions}
    answer(client, attempt_id, first["id"], correct_ids(college, by_id[first["id"]]))
    second = client.get(f"{ATTEMPTS}{attempt_id}/next/").json()["data"]["question"]

    # when the deadline passes before the second answer
    overdue(college, attempt_id)
    late = answer(client, attempt_id, second["id"], correct_ids(college, by_id[second["id"]]))

    # then the answer is refused, and the attempt ended at its deadline with the first answer
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "attempt_closed"
    stored = refreshed(college, Attempt(pk=attempt_id))
    assert (stored.status, stored.submitted_by) == ("submitted", "deadline")
    assert stored.submitted_at == stored.deadline
    assert stored.score == Decimal(by_id[first["id"]].marks)
    with tenant_context(college):
        assert list(Answer.objects.filter(attempt_id=attempt_id).values_list("question_id")) == [
            (first["id"],)
        ]
    # and the correct answers are now the student's to see
    assert client.get(f"{ATTEMPTS}{attempt_id}/result/").status_code == 200


def test_next_after_the_deadline_ends_the_attempt(college, client):
    assessment = make_assessment(college, [make_question(college)])
    attempt_id = start(client, assessment).json()["data"]["id"]
    overdue(college, attempt_id)

    response = client.get(f"{ATTEMPTS}{attempt_id}/next/")

    assert response.status_code == 200
    assert response.json()["data"]["question"] is None
    assert response.json()["data"]["attempt"]["status"] == "submitted"
    assert response.json()["data"]["attempt"]["remaining_seconds"] == 0
    assert client.post(f"{ATTEMPTS}{attempt_id}/submit/").json()["data"]["submitted_by"] == (
        "deadline"
    )


def test_the_deadline_is_the_time_limit_but_never_after_the_assessment_closes(college, client):
    open_long = make_assessment(college, [make_question(college)], time_limit_minutes=45)
    closing = make_assessment(
        college,
        [make_question(college)],
        time_limit_minutes=45,
        closes_at=timezone.now() + timedelta(minutes=10),
    )

    long_attempt = start(client, open_long).json()["data"]
    short_attempt = start(client, closing).json()["data"]

    for attempt, minutes in ((long_attempt, 45), (short_attempt, 10)):
        stored = refreshed(college, Attempt(pk=attempt["id"]))
        assert abs((stored.deadline - stored.started_at) - timedelta(minutes=minutes)) < timedelta(
            seconds=5
        )
        assert minutes * 60 - 5 <= attempt["remaining_seconds"] <= minutes * 60


def test_the_sweep_submits_overdue_attempts_in_every_college(college, other_college):
    attempts = {}
    for tenant in (college, other_college):
        question = make_question(tenant, marks="3")
        assessment = make_assessment(tenant, [question])
        late, running = make_student(tenant), make_student(tenant)
        for student in (late, running):
            client = client_for(tenant, student.user)
            attempt_id = start(client, assessment).json()["data"]["id"]
            answer(client, attempt_id, question.pk, correct_ids(tenant, question))
            attempts[(tenant.pk, student.pk)] = attempt_id
        overdue(tenant, attempts[(tenant.pk, late.pk)])
        attempts[tenant.pk] = (attempts[(tenant.pk, late.pk)], attempts[(tenant.pk, running.pk)])

    assert expire_overdue.delay().get() == 2

    for tenant in (college, other_college):
        late_id, running_id = attempts[tenant.pk]
        late = refreshed(tenant, Attempt(pk=late_id))
        assert (late.status, late.submitted_by, late.score) == ("submitted", "deadline", 3)
        assert refreshed(tenant, Attempt(pk=running_id)).status == "in_progress"


@pytest.mark.parametrize(
    "window",
    [
        {"opens_at": timezone.now() + timedelta(hours=1)},
        {"closes_at": timezone.now() - timedelta(minutes=1)},
    ],
)
def test_an_assessment_is_attempted_within_its_window(college, client, window):
    assessment = make_assessment(college, [make_question(college)], **window)

    response = start(client, assessment)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "assessment_closed"


def test_one_attempt_per_student(college, client):
    assessment = make_assessment(college, [make_question(college)])

    first = start(client, assessment)
    again = start(client, assessment)
    client.post(f"{ATTEMPTS}{first.json()['data']['id']}/submit/")
    after = start(client, assessment)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert after.status_code == 409
    assert after.json()["error"]["code"] == "conflict"


def test_questions_are_answered_in_turn_with_their_own_choices(college, client):
    single = make_question(college, correct=(0,))
    other = make_question(college, correct=(1,))
    assessment = make_assessment(college, [single, other])
    foreign = make_question(college)
    attempt_id = start(client, assessment).json()["data"]["id"]
    current = client.get(f"{ATTEMPTS}{attempt_id}/next/").json()["data"]["question"]
    current_q = single if current["id"] == single.pk else other
    later_q = other if current_q is single else single

    def refused(question_id, choices, field):
        response = answer(client, attempt_id, question_id, choices)
        assert response.status_code == 400, response.json()
        assert response.json()["error"]["code"] == "validation_error"
        assert field in response.json()["error"]["details"]

    refused(foreign.pk, correct_ids(college, foreign), "question")  # not in this attempt
    refused(later_q.pk, correct_ids(college, later_q), "question")  # not its turn yet
    refused(current_q.pk, correct_ids(college, later_q), "choices")  # another question's choice
    refused(current_q.pk, wrong_ids(college, current_q)[:2], "choices")  # two on a single choice
    assert answer(client, attempt_id, current_q.pk, []).status_code == 200
    refused(current_q.pk, correct_ids(college, current_q), "question")  # no going back
    for body in ({"question": "x", "choices": [1]}, {"question": current_q.pk, "choices": "1"}):
        response = client.post(f"{ATTEMPTS}{attempt_id}/answer/", body, format="json")
        assert response.status_code == 400


def test_a_drives_assessment_is_for_its_open_applicants(college):
    drive = make_drive(college)
    assessment = make_assessment(college, [make_question(college)], drive=drive)
    applicant, withdrawn, outsider = (make_student(college) for _ in range(3))
    make_application(college, applicant, drive)
    make_application(college, withdrawn, drive, "withdrawn")

    for student, status in ((applicant, 201), (withdrawn, 404), (outsider, 404)):
        client = client_for(college, student.user)
        listed = [row["id"] for row in client.get(ASSESSMENTS).json()["data"]]
        assert (assessment.pk in listed) is (status == 201)
        assert start(client, assessment).status_code == status


def test_students_see_only_published_assessments(college, client):
    draft = make_assessment(college, [make_question(college)], status="draft")
    published = make_assessment(college, [make_question(college)])

    listed = [row["id"] for row in client.get(ASSESSMENTS).json()["data"]]

    assert listed == [published.pk]
    assert client.get(f"{ASSESSMENTS}{draft.pk}/").status_code == 404
    assert start(client, draft).status_code == 404


def test_a_student_cannot_reach_another_students_attempt(college, client):
    question = make_question(college)
    assessment = make_assessment(college, [question])
    peer = client_for(college, make_student(college).user)
    theirs = start(peer, assessment).json()["data"]["id"]

    responses = [
        client.get(f"{ATTEMPTS}{theirs}/"),
        client.get(f"{ATTEMPTS}{theirs}/next/"),
        answer(client, theirs, question.pk, correct_ids(college, question)),
        client.post(f"{ATTEMPTS}{theirs}/submit/"),
        client.get(f"{ATTEMPTS}{theirs}/result/"),
    ]

    assert [response.status_code for response in responses] == [404] * 5
    assert client.get(ATTEMPTS).json()["data"] == []
    stored = refreshed(college, Attempt(pk=theirs))
    assert (stored.status, stored.position) == ("in_progress", 0)


def test_staff_do_not_take_attempts(college, coordinator_client, client):
    assessment = make_assessment(college, [make_question(college)])
    attempt_id = start(client, assessment).json()["data"]["id"]

    assert start(coordinator_client, assessment).status_code == 403
    assert coordinator_client.get(f"{ATTEMPTS}{attempt_id}/next/").status_code == 403
    assert coordinator_client.post(f"{ATTEMPTS}{attempt_id}/submit/").status_code == 403
    assert coordinator_client.post(ATTEMPTS, {}, format="json").status_code == 405


def test_starting_needs_the_plans_assessments_feature(college, client):
    assessment = make_assessment(college, [make_question(college)])
    college.plan = Plan.objects.create(
        code="no-assessments", name="No tests", is_public=False, limits={}, features={}
    )
    college.save()

    response = start(client, assessment)

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "plan_limit_reached"
    assert response.json()["error"]["details"]["feature"] == "assessments"
    with tenant_context(college):
        assert not Attempt.objects.exists()


def test_the_results_review_is_json_safe_after_the_end(college, client):
    question = make_question(college, correct=(0, 1), marks="2.5", negative_marks="0.5")
    assessment = make_assessment(college, [question])
    attempt_id = start(client, assessment).json()["data"]["id"]
    answer(client, attempt_id, question.pk, wrong_ids(college, question))
    client.post(f"{ATTEMPTS}{attempt_id}/submit/")

    result = client.get(f"{ATTEMPTS}{attempt_id}/result/").json()["data"]

    assert result["attempt"]["score"] == "-0.50"
    assert result["attempt"]["passed"] is False
    item = result["review"][0]
    assert (item["marks"], item["negative_marks"], item["marks_awarded"]) == (
        "2.50",
        "0.50",
        "-0.50",
    )
    assert json.dumps(item)  # plain JSON values
