"""Authoring assessments (staff), results and moving the qualifying applicants on, recruiters'
reading, isolation between colleges, and lists whose cost does not grow with their size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from shared_apps.billing.models import Plan
from tenant_apps.assessments.models import Assessment, Attempt, Question, QuestionBank
from tests.conftest import client_for, make_user
from tests.tenant_apps.assessments.factories import (
    correct_ids,
    make_assessment,
    make_bank,
    make_question,
)
from tests.tenant_apps.factories import (
    make_application,
    make_company,
    make_drive,
    make_recruiter,
    make_student,
    refreshed,
)

BANKS = "/api/v1/question-banks/"
QUESTIONS = "/api/v1/questions/"
ASSESSMENTS = "/api/v1/assessments/"
ATTEMPTS = "/api/v1/attempts/"


def question_body(bank, **extra):
    return {
        "bank": bank.pk,
        "text": "2 + 2?",
        "kind": "single",
        "marks": "2",
        "negative_marks": "0.5",
        "choices": [{"text": "4", "is_correct": True}, {"text": "5"}],
        **extra,
    }


def submitted_attempt(college, assessment, student, score: str) -> Attempt:
    now = timezone.now()
    with tenant_context(college):
        return Attempt.objects.create(
            assessment=assessment,
            student=student,
            started_at=now - timedelta(minutes=5),
            deadline=now + timedelta(minutes=25),
            seed=1,
            question_order=[],
            status="submitted",
            submitted_at=now,
            submitted_by="student",
            score=Decimal(score),
        )


def test_staff_author_a_bank_questions_and_a_published_assessment(college, coordinator_client):
    bank = coordinator_client.post(BANKS, {"name": "Aptitude"}, format="json")
    assert bank.status_code == 201, bank.json()
    bank_id = bank.json()["data"]["id"]

    question = coordinator_client.post(
        QUESTIONS,
        {
            "bank": bank_id, "text": "Primes?", "kind": "multiple", "marks": "3",
            "negative_marks": "1",
            "choices": [
                {"text": "2", "is_correct": True}, {"text": "4", "is_correct": False},
                {"text": "5", "is_correct": True},
            ],
        },
        format="json",
    )  # fmt: skip
    assert question.status_code == 201, question.json()
    data = question.json()["data"]
    assert [(c["text"], c["is_correct"]) for c in data["choices"]] == [
        ("2", True), ("4", False), ("5", True),
    ]  # fmt: skip
    drive = make_drive(college)
    assessment = coordinator_client.post(
        ASSESSMENTS,
        {
            "title": "Round 1", "drive": drive.pk, "time_limit_minutes": 20,
            "pass_marks": "2", "status": "published", "questions": [data["id"]],
        },
        format="json",
    )  # fmt: skip

    assert assessment.status_code == 201, assessment.json()
    created = assessment.json()["data"]
    assert created["status"] == "published"
    assert (created["question_count"], created["total_marks"]) == (1, "3.00")
    assert created["questions"] == [data["id"]]
    assert created["drive"] == {"id": drive.pk, "title": drive.title}
    assert coordinator_client.get(BANKS).json()["data"][0]["question_count"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"choices": [{"text": "only", "is_correct": True}]}, "choices"),
        ({"choices": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}]},
         "choices"),
        ({"choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
        ({"negative_marks": "3"}, "negative_marks"),
        ({"marks": "0"}, "marks"),
        ({"kind": "essay"}, "kind"),
    ],
)  # fmt: skip
def test_questions_are_validated(college, coordinator_client, change, field):
    response = coordinator_client.post(
        QUESTIONS, question_body(make_bank(college), **change), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]


def test_an_assessment_needs_questions_to_be_published_and_a_round_of_its_drive(
    college, coordinator_client
):
    drive, other = make_drive(college), make_drive(college)
    with tenant_context(college):
        foreign_round = other.rounds.first()

    empty = coordinator_client.post(
        ASSESSMENTS, {"title": "T", "time_limit_minutes": 10, "status": "published"}, "json"
    )
    misplaced = coordinator_client.post(
        ASSESSMENTS,
        {"title": "T", "time_limit_minutes": 10, "drive": drive.pk, "round": foreign_round.pk},
        format="json",
    )
    backwards = coordinator_client.post(
        ASSESSMENTS,
        {
            "title": "T", "time_limit_minutes": 10, "opens_at": "2030-01-02T00:00:00Z",
            "closes_at": "2030-01-01T00:00:00Z",
        },
        format="json",
    )  # fmt: skip

    assert empty.status_code == misplaced.status_code == backwards.status_code == 400
    assert "status" in empty.json()["error"]["details"]
    assert "round" in misplaced.json()["error"]["details"]
    assert "closes_at" in backwards.json()["error"]["details"]
    with tenant_context(college):
        assert not Assessment.objects.exists()


def test_what_students_attempted_no_longer_changes(college, coordinator_client):
    question = make_question(college)
    assessment = make_assessment(college, [question])
    client_for(college, make_student(college).user).post(f"{ASSESSMENTS}{assessment.pk}/start/")

    edit = coordinator_client.patch(
        f"{QUESTIONS}{question.pk}/",
        {"choices": [{"text": "x", "is_correct": True}, {"text": "y"}]},
        format="json",
    )
    swap = coordinator_client.patch(
        f"{ASSESSMENTS}{assessment.pk}/", {"questions": [make_question(college).pk]}, "json"
    )
    unpublish = coordinator_client.patch(
        f"{ASSESSMENTS}{assessment.pk}/", {"status": "draft"}, "json"
    )
    longer = coordinator_client.patch(
        f"{ASSESSMENTS}{assessment.pk}/", {"time_limit_minutes": 90}, "json"
    )

    assert edit.status_code == swap.status_code == unpublish.status_code == 409
    assert longer.status_code == 200
    assert longer.json()["data"]["time_limit_minutes"] == 90
    assert longer.json()["data"]["questions"] == [question.pk]
    assert longer.json()["data"]["status"] == "published"


def test_creating_an_assessment_needs_the_plans_feature(college, coordinator_client):
    college.plan = Plan.objects.get(code="starter")  # no assessments in it
    college.save()

    response = coordinator_client.post(ASSESSMENTS, {"title": "T", "time_limit_minutes": 5}, "json")

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "plan_limit_reached"


def test_students_and_recruiters_do_not_author(college):
    company = make_company(college)
    bank = make_bank(college)
    for user in (make_student(college).user, make_recruiter(college, company)):
        client = client_for(college, user)
        assert client.post(BANKS, {"name": "X"}, "json").status_code == 403
        assert client.post(QUESTIONS, question_body(bank), "json").status_code == 403
        assert (
            client.post(ASSESSMENTS, {"title": "T", "time_limit_minutes": 5}, "json").status_code
            == 403
        )
        assert client.get(f"{BANKS}{bank.pk}/").status_code == 403


def test_results_rank_attempts_and_filter_them(college, coordinator_client):
    assessment = make_assessment(college, [make_question(college)], pass_marks="5")
    low, high, mid = (make_student(college) for _ in range(3))
    scores = {low: "1.5", high: "9", mid: "5"}
    attempts = {s: submitted_attempt(college, assessment, s, score) for s, score in scores.items()}
    running = make_student(college)
    client_for(college, running.user).post(f"{ASSESSMENTS}{assessment.pk}/start/")

    def listed(**params):
        response = coordinator_client.get(f"{ASSESSMENTS}{assessment.pk}/results/", params)
        assert response.status_code == 200, response.json()
        return response.json()["data"]

    rows = listed()
    assert [row["student"]["id"] for row in rows] == [high.pk, mid.pk, low.pk, running.pk]
    assert [row["passed"] for row in rows] == [True, True, False, None]
    assert [r["id"] for r in listed(passed="true")] == [attempts[high].pk, attempts[mid].pk]
    assert [r["id"] for r in listed(passed="false")] == [attempts[low].pk]
    assert [r["id"] for r in listed(min_score="5", ordering="score")] == [
        attempts[mid].pk, attempts[high].pk,
    ]  # fmt: skip
    assert [r["id"] for r in listed(search=low.roll_number)] == [attempts[low].pk]
    assert coordinator_client.get(f"{ASSESSMENTS}999999/results/").status_code == 404
    bad = coordinator_client.get(f"{ASSESSMENTS}{assessment.pk}/results/", {"min_score": "x"})
    assert bad.status_code == 400


def test_results_score_the_overdue_attempts_first(college, coordinator_client):
    question = make_question(college, marks="2")
    assessment = make_assessment(college, [question])
    student = make_student(college)
    client = client_for(college, student.user)
    attempt_id = client.post(f"{ASSESSMENTS}{assessment.pk}/start/").json()["data"]["id"]
    client.post(
        f"{ATTEMPTS}{attempt_id}/answer/",
        {"question": question.pk, "choices": correct_ids(college, question)},
        format="json",
    )
    with tenant_context(college):
        Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(minutes=1))

    rows = coordinator_client.get(f"{ASSESSMENTS}{assessment.pk}/results/").json()["data"]

    assert [(r["status"], r["score"], r["submitted_by"]) for r in rows] == [
        ("submitted", "2.00", "deadline")
    ]


def test_advance_moves_the_qualifying_applicants_in_one_step(
    college, coordinator, coordinator_client
):
    # given applicants who scored 9, 5 and 2 against pass marks of 5, and one who never sat it
    drive = make_drive(college)
    assessment = make_assessment(college, [make_question(college)], drive=drive, pass_marks="5")
    students = [make_student(college) for _ in range(4)]
    applications = [make_application(college, s, drive) for s in students]
    for student, score in zip(students, ("9", "5", "2"), strict=False):
        submitted_attempt(college, assessment, student, score)
    elsewhere = make_application(college, students[0], make_drive(college))

    # when staff advance them
    response = coordinator_client.post(f"{ASSESSMENTS}{assessment.pk}/advance/", {}, "json")

    # then the two who passed are shortlisted, with who and why; the others stay
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["data"]["moved"]) == sorted(a.pk for a in applications[:2])
    statuses = [refreshed(college, a).status for a in (*applications, elsewhere)]
    assert statuses == ["shortlisted", "shortlisted", "applied", "applied", "applied"]
    moved = refreshed(college, applications[0])
    assert moved.shortlisted_by_id == coordinator.pk
    # and again moves no one; a lower cutoff takes the third
    again = coordinator_client.post(f"{ASSESSMENTS}{assessment.pk}/advance/", {}, "json")
    assert again.json()["data"]["moved"] == []
    lower = coordinator_client.post(
        f"{ASSESSMENTS}{assessment.pk}/advance/", {"cutoff": "2"}, "json"
    )
    assert lower.json()["data"]["moved"] == [applications[2].pk]
    assert (lower.json()["data"]["cutoff"], response.json()["data"]["cutoff"]) == ("2.00", "5.00")


def test_advance_is_all_or_nothing(college, coordinator_client):
    drive = make_drive(college)
    assessment = make_assessment(college, [make_question(college)], drive=drive)
    ready, early = make_student(college), make_student(college)
    ready_app = make_application(college, ready, drive, "shortlisted")
    early_app = make_application(college, early, drive, "applied")
    for student in (ready, early):
        submitted_attempt(college, assessment, student, "3")

    response = coordinator_client.post(
        f"{ASSESSMENTS}{assessment.pk}/advance/", {"status": "in_process"}, "json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"
    assert [r["id"] for r in response.json()["error"]["details"]["refused"]] == [early_app.pk]
    assert refreshed(college, ready_app).status == "shortlisted"
    free = make_assessment(college, [make_question(college)])
    no_drive = coordinator_client.post(f"{ASSESSMENTS}{free.pk}/advance/", {}, "json")
    assert no_drive.status_code == 400
    bad = coordinator_client.post(
        f"{ASSESSMENTS}{assessment.pk}/advance/", {"status": "offered"}, "json"
    )
    assert bad.status_code == 400


def test_recruiters_read_their_companys_assessments_and_results(college):
    company = make_company(college)
    ours = make_assessment(college, [make_question(college)], drive=make_drive(college, company))
    theirs = make_assessment(college, [make_question(college)], drive=make_drive(college))
    free = make_assessment(college, [make_question(college)])
    recruiter = client_for(college, make_recruiter(college, company))

    listed = [row["id"] for row in recruiter.get(ASSESSMENTS).json()["data"]]

    assert listed == [ours.pk]
    assert "questions" not in recruiter.get(f"{ASSESSMENTS}{ours.pk}/").json()["data"]
    assert recruiter.get(f"{ASSESSMENTS}{ours.pk}/results/").status_code == 200
    for other in (theirs, free):
        assert recruiter.get(f"{ASSESSMENTS}{other.pk}/").status_code == 404
        assert recruiter.get(f"{ASSESSMENTS}{other.pk}/results/").status_code == 404
    assert recruiter.post(f"{ASSESSMENTS}{ours.pk}/advance/", {}, "json").status_code == 403
    assert recruiter.patch(f"{ASSESSMENTS}{ours.pk}/", {"title": "X"}, "json").status_code == 403


def test_staff_delete_an_attempt_to_let_the_student_start_again(college, admin_client):
    assessment = make_assessment(college, [make_question(college)])
    client = client_for(college, make_student(college).user)
    first = client.post(f"{ASSESSMENTS}{assessment.pk}/start/").json()["data"]["id"]
    client.post(f"{ATTEMPTS}{first}/submit/")

    assert admin_client.delete(f"{ATTEMPTS}{first}/").status_code == 204
    second = client.post(f"{ASSESSMENTS}{assessment.pk}/start/")

    assert second.status_code == 201
    assert second.json()["data"]["id"] != first
    assert admin_client.post(f"{ATTEMPTS}{first}/restore/").status_code == 409


def test_a_college_can_neither_read_change_nor_guess_another_colleges_assessments(
    college, other_college, coordinator_client
):
    # given rows under the same ids in both colleges, and more in the other
    bank = make_bank(college, pk=3000)
    question = make_question(college, bank, pk=3000)
    make_assessment(college, [question], pk=3000)
    their_bank = make_bank(other_college, pk=3000)
    their_question = make_question(other_college, their_bank, pk=3000)
    make_assessment(other_college, [their_question], pk=3000, title="Theirs")
    secret_q = make_question(other_college, their_bank, pk=3100)
    secret = make_assessment(other_college, [secret_q], pk=3100)
    their_student = make_student(other_college)
    attempt = (
        client_for(other_college, their_student.user)
        .post(f"{ASSESSMENTS}{secret.pk}/start/")
        .json()["data"]["id"]
    )
    their_staff = client_for(other_college, make_user(other_college, Role.COORDINATOR))

    # when our staff read, change or guess
    assert [r["id"] for r in coordinator_client.get(ASSESSMENTS).json()["data"]] == [3000]
    assert [r["id"] for r in coordinator_client.get(QUESTIONS).json()["data"]] == [3000]
    assert coordinator_client.get(ATTEMPTS).json()["data"] == []
    assert their_staff.get(f"{ASSESSMENTS}3000/").json()["data"]["title"] == "Theirs"
    responses = [
        coordinator_client.get(f"{ASSESSMENTS}{secret.pk}/"),
        coordinator_client.patch(f"{ASSESSMENTS}{secret.pk}/", {"title": "X"}, "json"),
        coordinator_client.delete(f"{ASSESSMENTS}{secret.pk}/"),
        coordinator_client.get(f"{ASSESSMENTS}{secret.pk}/results/"),
        coordinator_client.post(f"{ASSESSMENTS}{secret.pk}/advance/", {}, "json"),
        coordinator_client.get(f"{QUESTIONS}{secret_q.pk}/"),
        coordinator_client.patch(f"{QUESTIONS}{secret_q.pk}/", {"text": "X"}, "json"),
        coordinator_client.get(f"{ATTEMPTS}{attempt}/"),
        coordinator_client.delete(f"{ATTEMPTS}{attempt}/"),
    ]
    # and a question of theirs cannot be put into our assessment
    smuggle = coordinator_client.post(
        ASSESSMENTS, {"title": "T", "time_limit_minutes": 5, "questions": [secret_q.pk]}, "json"
    )

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert smuggle.status_code == 400
    assert "questions" in smuggle.json()["error"]["details"]
    assert refreshed(other_college, secret).title != "X"
    assert refreshed(other_college, Attempt(pk=attempt)).deleted_at is None
    with tenant_context(other_college):
        assert Question.objects.get(pk=secret_q.pk).text != "X"


# --- Query counts --------------------------------------------------------------------------------


def _same_cost(client, path: str, fill) -> None:
    def count_for(n: int) -> int:
        fill(n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {"page_size": 100})
        assert response.status_code == 200, response.json()
        assert len(response.json()["data"]) == n
        return len(queries)

    client.get("/healthz")
    assert count_for(1) == count_for(30)


def _reset(college, *models):
    with tenant_context(college):
        for model in models:
            model.all_objects.hard_delete()


@pytest.mark.parametrize("role", ["coordinator", "student", "recruiter"])
def test_the_assessment_list_costs_the_same_for_1_or_30_rows(college, role):
    company = make_company(college)
    drive = make_drive(college, company)
    student = make_student(college)
    make_application(college, student, drive)
    bank = make_bank(college)
    questions = [make_question(college, bank) for _ in range(3)]
    user = {
        "coordinator": lambda: make_user(college, Role.COORDINATOR),
        "student": lambda: student.user,
        "recruiter": lambda: make_recruiter(college, company),
    }[role]()

    def fill(n):
        _reset(college, Attempt, Assessment)
        for _ in range(n):
            make_assessment(college, questions, drive=drive)

    _same_cost(client_for(college, user), ASSESSMENTS, fill)


def test_the_bank_and_question_lists_cost_the_same_for_1_or_30_rows(college):
    staff = client_for(college, make_user(college, Role.COORDINATOR))

    def fill_banks(n):
        _reset(college, Question, QuestionBank)
        for _ in range(n):
            make_question(college, make_bank(college))

    _same_cost(staff, BANKS, fill_banks)
    bank = make_bank(college)

    def fill_questions(n):
        _reset(college, Question)
        for _ in range(n):
            make_question(college, bank, correct=(0, 2))

    _same_cost(staff, QUESTIONS, fill_questions)


@pytest.mark.parametrize("path", ["attempts", "results"])
def test_attempt_lists_cost_the_same_for_1_or_30_rows(college, path):
    assessment = make_assessment(college, [make_question(college)])
    students = [make_student(college) for _ in range(30)]
    staff = client_for(college, make_user(college, Role.COORDINATOR))
    url = ATTEMPTS if path == "attempts" else f"{ASSESSMENTS}{assessment.pk}/results/"

    def fill(n):
        _reset(college, Attempt)
        for i, student in enumerate(students[:n]):
            submitted_attempt(college, assessment, student, str(i))

    _same_cost(staff, url, fill)
