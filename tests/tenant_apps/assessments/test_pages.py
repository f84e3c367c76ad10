"""The placement office's assessment pages: banks and questions, authoring an assessment from a
bank, results and moving the qualifying applicants on, all through the API's serializers and
services."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.assessments.models import Assessment, Question, QuestionBank
from tests.conftest import make_user
from tests.tenant_apps.assessments.factories import make_assessment, make_bank, make_question
from tests.tenant_apps.assessments.test_apis import submitted_attempt
from tests.tenant_apps.factories import (
    make_application,
    make_drive,
    make_student,
    refreshed,
)
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/office/assessments/"
BANKS = "/office/assessments/banks/"


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


def question_body(**extra) -> dict:
    return {
        "text": "2 + 2?",
        "kind": "single",
        "marks": "2",
        "negative_marks": "0.5",
        "choice_0": "4",
        "correct_0": "on",
        "choice_1": "5",
        "choice_2": "",
        **extra,
    }


def assessment_body(bank, **extra) -> dict:
    return {
        "title": "Aptitude screening",
        "description": "",
        "bank": bank.pk if bank else "",
        "time_limit_minutes": "20",
        "pass_marks": "2",
        "opens_at": "",
        "closes_at": "",
        "drive": "",
        "round": "",
        "publish": "on",
        **extra,
    }


def ids_of(html: str, prefix: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'id="{prefix}-(\d+)"', html)}


# --- Access ------------------------------------------------------------------------------------


def office_urls(college) -> list[str]:
    bank = make_bank(college)
    question = make_question(college, bank)
    assessment = make_assessment(college, [question])
    return [
        ASSESSMENTS,
        f"{ASSESSMENTS}new/",
        f"{ASSESSMENTS}{assessment.pk}/",
        f"{ASSESSMENTS}{assessment.pk}/edit/",
        BANKS,
        f"{BANKS}{bank.pk}/",
        f"{BANKS}{bank.pk}/questions/new/",
        f"{ASSESSMENTS}questions/{question.pk}/edit/",
    ]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_the_office_opens_every_assessment_page(college, role):
    client = page_client(college, make_user(college, role))
    for url in office_urls(college):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.STUDENT, Role.RECRUITER])
def test_students_and_recruiters_cannot_open_the_office_assessment_pages(college, role):
    client = page_client(college, make_user(college, role))
    for url in office_urls(college):
        assert client.get(url).status_code == 403, url


# --- Banks and questions -----------------------------------------------------------------------


def test_a_bank_is_created_once_by_name(college, coordinator):
    client = page_client(college, coordinator, csrf=True)
    form = client.get(BANKS)
    created = client.post(BANKS, {"name": "Aptitude", "csrfmiddlewaretoken": csrf_of(form)})
    with tenant_context(college):
        bank = QuestionBank.objects.get(name="Aptitude")
    assert created.status_code == 302 and created["Location"] == f"{BANKS}{bank.pk}/"
    again = client.post(BANKS, {"name": "aptitude", "csrfmiddlewaretoken": csrf_of(form)})
    assert again.status_code == 200
    assert "A question bank of this name exists already." in text_of(again)
    assert 'value="aptitude"' in text_of(again)


def test_a_question_is_added_with_its_choices(college, coordinator):
    bank = make_bank(college)
    client = page_client(college, coordinator)
    response = client.post(f"{BANKS}{bank.pk}/questions/new/", question_body())
    assert response.status_code == 302 and response["Location"] == f"{BANKS}{bank.pk}/"
    with tenant_context(college):
        question = Question.objects.get(bank=bank)
        choices = list(question.choices.values_list("text", "is_correct"))
    assert (question.kind, question.marks, question.negative_marks) == (
        "single",
        Decimal("2"),
        Decimal("0.5"),
    )
    assert choices == [("4", True), ("5", False)]
    html = text_of(client.get(response["Location"]))
    assert "2 + 2?" in html and "\u22120.50 if wrong" in html


def test_the_question_rules_are_the_services_and_nothing_typed_is_lost(college, coordinator):
    bank = make_bank(college)
    client = page_client(college, coordinator)
    url = f"{BANKS}{bank.pk}/questions/new/"
    no_correct = client.post(url, question_body(correct_0="", text="Which is prime?"))
    two_correct = client.post(url, question_body(correct_1="on"))
    too_negative = client.post(url, question_body(negative_marks="3"))
    assert "Mark at least one choice correct." in text_of(no_correct)
    assert "Which is prime?" in text_of(no_correct) and 'value="5"' in text_of(no_correct)
    assert "A single-choice question has one correct choice." in text_of(two_correct)
    assert 'id="error-negative_marks"' in text_of(too_negative)
    with tenant_context(college):
        assert not Question.objects.filter(bank=bank).exists()


def test_a_question_is_edited_until_a_student_has_seen_it(college, coordinator):
    # given a question, then an attempt that saw it
    question = make_question(college, text="Old text?")
    client = page_client(college, coordinator)
    url = f"{ASSESSMENTS}questions/{question.pk}/edit/"
    assert 'value="A"' in text_of(client.get(url))
    edited = client.post(url, question_body(text="New text?"))
    assert edited.status_code == 302
    assert refreshed(college, question).text == "New text?"
    assessment = make_assessment(college, [question])
    attempt = submitted_attempt(college, assessment, make_student(college), "1")
    with tenant_context(college):
        type(attempt).objects.filter(pk=attempt.pk).update(question_order=[question.pk])
    # when
    refused = client.post(url, question_body(text="Newer text?"))
    # then
    assert refused.status_code == 200
    assert "Students have attempted this question" in text_of(refused)
    assert refreshed(college, question).text == "New text?"


def test_the_bank_list_costs_the_same_queries_for_1_or_15_banks(college, coordinator):
    client = page_client(college, coordinator)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Question.all_objects.all().delete()
            QuestionBank.all_objects.all().delete()
        for _ in range(n):
            make_question(college, make_bank(college))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BANKS)
        assert len(ids_of(text_of(response), "bank")) == n
        return len(queries)

    client.get(BANKS)
    assert count_for(1) == count_for(15)


def test_a_bank_costs_the_same_queries_for_1_or_15_questions(college, coordinator):
    client = page_client(college, coordinator)

    def count_for(n: int) -> int:
        bank = make_bank(college)
        for _ in range(n):
            make_question(college, bank)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BANKS}{bank.pk}/")
        assert len(ids_of(text_of(response), "question")) == n
        return len(queries)

    client.get(BANKS)
    assert count_for(1) == count_for(15)


# --- Authoring assessments ----------------------------------------------------------------------


def test_an_assessment_is_created_from_a_bank_and_published(college, coordinator):
    bank = make_bank(college)
    questions = [make_question(college, bank, marks="2") for _ in range(3)]
    drive = make_drive(college)
    with tenant_context(college):
        round_ = drive.rounds.get(sequence=1)
    response = page_client(college, coordinator).post(
        f"{ASSESSMENTS}new/",
        assessment_body(bank, drive=drive.pk, round=round_.pk, opens_at="2030-01-15T10:00"),
    )
    with tenant_context(college):
        assessment = Assessment.objects.get(title="Aptitude screening")
        asked = list(assessment.assessment_questions.values_list("question_id", flat=True))
    assert response.status_code == 302
    assert response["Location"] == f"{ASSESSMENTS}{assessment.pk}/"
    assert (assessment.status, assessment.drive_id, assessment.round_id) == (
        "published",
        drive.pk,
        round_.pk,
    )
    assert assessment.opens_at.isoformat() == "2030-01-15T04:30:00+00:00"
    assert sorted(asked) == [question.pk for question in questions]


def test_the_assessment_rules_show_on_the_form(college, coordinator):
    # given a bank without questions, and a round of another drive
    empty = make_bank(college)
    drive, other = make_drive(college), make_drive(college)
    with tenant_context(college):
        foreign_round = other.rounds.get(sequence=1)
    client = page_client(college, coordinator)
    # then
    no_bank = client.post(f"{ASSESSMENTS}new/", assessment_body(None))
    nothing_to_ask = client.post(f"{ASSESSMENTS}new/", assessment_body(empty))
    wrong_round = client.post(
        f"{ASSESSMENTS}new/",
        assessment_body(make_bank(college), drive=drive.pk, round=foreign_round.pk),
    )
    assert 'id="error-bank"' in text_of(no_bank)
    assert "An assessment needs questions to be published." in text_of(nothing_to_ask)
    assert "Not a round of the assessment&#x27;s drive." in text_of(wrong_round)
    assert 'value="Aptitude screening"' in text_of(wrong_round)
    with tenant_context(college):
        assert not Assessment.objects.exists()


def test_a_plan_without_assessments_cannot_create_one(college, coordinator, tiny_plan):
    bank = make_bank(college)
    make_question(college, bank)
    response = page_client(college, coordinator).post(f"{ASSESSMENTS}new/", assessment_body(bank))
    assert response.status_code == 200
    assert "Your plan does not include assessments" in text_of(response)


def round_ids(college, drive) -> set[int]:
    with tenant_context(college):
        return set(drive.rounds.values_list("pk", flat=True))


def round_options(html: str) -> set[int]:
    field = html[html.index('id="assessment-round"') :]
    field = field[: field.index("</select>")]
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', field)}


def test_the_form_lists_the_rounds_of_the_chosen_drive_only(college, coordinator):
    # given two drives with their rounds
    drive, other = make_drive(college), make_drive(college)
    client = page_client(college, coordinator, csrf=True)
    # when no drive is chosen yet, then no round is offered
    blank = client.get(f"{ASSESSMENTS}new/")
    assert round_options(text_of(blank)) == set()
    # when the drive select asks for its rounds (htmx), then only that drive's come, alone
    swapped = client.get(
        f"{ASSESSMENTS}new/",
        {"drive": drive.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="assessment-round",
    )
    assert round_options(text_of(swapped)) == round_ids(college, drive)
    assert "<html" not in text_of(swapped)
    # when the button does it without script, then the other drive's rounds come, with what was
    # typed kept and nothing saved
    body = assessment_body(make_bank(college), title="Kept title", drive=other.pk)
    listed = client.post(
        f"{ASSESSMENTS}new/",
        {**body, "list_rounds": "1", "csrfmiddlewaretoken": csrf_of(blank)},
    )
    assert listed.status_code == 200
    assert round_options(text_of(listed)) == round_ids(college, other)
    assert 'value="Kept title"' in text_of(listed)
    assert 'id="error-' not in text_of(listed)
    with tenant_context(college):
        assert not Assessment.objects.exists()


def test_an_edited_assessment_shows_its_drives_rounds_with_its_round_chosen(college, coordinator):
    drive = make_drive(college)
    with tenant_context(college):
        round_ = drive.rounds.get(sequence=2)
    assessment = make_assessment(college, [make_question(college)], drive=drive)
    with tenant_context(college):
        assessment.round = round_
        assessment.save()
    html = text_of(page_client(college, coordinator).get(f"{ASSESSMENTS}{assessment.pk}/edit/"))
    assert round_options(html) == round_ids(college, drive)
    assert f'<option value="{round_.pk}" selected>' in html


def test_the_form_costs_the_same_queries_for_1_or_15_drives(college, coordinator):
    client = page_client(college, coordinator)

    def count_for(n: int) -> int:
        for _ in range(n):
            make_drive(college)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{ASSESSMENTS}new/", {"drive": make_drive(college).pk})
        assert response.status_code == 200
        return len(queries)

    client.get(f"{ASSESSMENTS}new/")
    assert count_for(1) == count_for(15)


def test_the_results_cost_the_same_queries_for_1_or_15_attempts(college, coordinator):
    client = page_client(college, coordinator)
    assessment = make_assessment(college, [make_question(college)])

    def count_for(n: int) -> int:
        for _ in range(n):
            submitted_attempt(college, assessment, make_student(college), "3")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{ASSESSMENTS}{assessment.pk}/")
        assert response.status_code == 200
        return len(queries)

    client.get(f"{ASSESSMENTS}{assessment.pk}/")
    assert count_for(1) == count_for(14)


def test_editing_keeps_the_questions_and_an_attempted_assessment_stays_published(
    college, coordinator
):
    bank = make_bank(college)
    question = make_question(college, bank)
    assessment = make_assessment(college, [question], title="Before")
    client = page_client(college, coordinator)
    url = f"{ASSESSMENTS}{assessment.pk}/edit/"
    assert 'value="Before"' in text_of(client.get(url))
    submitted_attempt(college, assessment, make_student(college), "1")
    # when the title changes (the bank is the same: the questions are not sent again)
    renamed = client.post(url, assessment_body(bank, title="After"))
    # and then it would go back to draft
    unpublished = client.post(url, assessment_body(bank, title="After", publish=""))
    # then
    assert renamed.status_code == 302
    assert refreshed(college, assessment).title == "After"
    assert "it stays published" in text_of(unpublished)
    assert refreshed(college, assessment).status == "published"


def test_the_assessment_list_filters_and_costs_the_same_queries_for_1_or_15(college, coordinator):
    client = page_client(college, coordinator)
    question = make_question(college)

    def count_for(n: int) -> int:
        with tenant_context(college):
            Assessment.all_objects.all().delete()
        for _ in range(n):
            make_assessment(college, [question])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ASSESSMENTS)
        assert len(ids_of(text_of(response), "assessment")) == n
        return len(queries)

    client.get(ASSESSMENTS)
    assert count_for(1) == count_for(15)
    draft = make_assessment(college, [question], status="draft")
    assert ids_of(text_of(client.get(ASSESSMENTS, {"status": "draft"})), "assessment") == {draft.pk}


def test_filtering_with_htmx_returns_only_the_table(college, coordinator):
    assessment = make_assessment(college, [make_question(college)], status="draft")
    response = page_client(college, coordinator).get(
        ASSESSMENTS, {"status": "draft"}, HTTP_HX_REQUEST="true"
    )
    html = text_of(response)
    assert f'id="assessment-{assessment.pk}"' in html and "<html" not in html


def test_the_lists_never_fail_on_odd_parameters(college, coordinator):
    client = page_client(college, coordinator)
    odd = {"status": "lost", "drive": "x", "ordering": "secret", "page": "0", "q": "%"}
    assert client.get(ASSESSMENTS, odd).status_code == 200
    assert client.get(BANKS, odd).status_code == 200


# --- Results and moving applicants on -----------------------------------------------------------


def test_the_results_rank_attempts_and_advance_moves_those_who_qualify(college, coordinator):
    # given a drive's assessment (pass marks 5) and three applicants who took it
    drive = make_drive(college)
    assessment = make_assessment(college, [make_question(college)], drive=drive, pass_marks="5")
    scores = {"4": None, "9": None, "6": None}
    for score in scores:
        student = make_student(college, first_name=f"Scored{score}")
        scores[score] = make_application(college, student, drive, "applied")
        submitted_attempt(college, assessment, student, score)
    client = page_client(college, coordinator, csrf=True)
    url = f"{ASSESSMENTS}{assessment.pk}/"
    page = client.get(url)
    html = text_of(page)
    assert html.index("Scored9") < html.index("Scored6") < html.index("Scored4")
    assert "Below pass marks" in html
    # when
    body = {"status": "shortlisted", "cutoff": "", "csrfmiddlewaretoken": csrf_of(page)}
    moved = client.post(url, body)
    # then the service moved those at or above the pass marks, once
    assert moved.status_code == 302
    assert [refreshed(college, scores[s]).status for s in ("4", "9", "6")] == [
        "applied",
        "shortlisted",
        "shortlisted",
    ]
    assert "Moved 2 applicant(s) to shortlisted." in text_of(client.get(moved["Location"]))
    again = client.post(url, body)
    assert "No applicant needed moving" in text_of(client.get(again["Location"]))


def test_an_assessment_for_every_student_has_no_one_to_move(college, coordinator):
    assessment = make_assessment(college, [make_question(college)])
    client = page_client(college, coordinator)
    url = f"{ASSESSMENTS}{assessment.pk}/"
    assert 'id="advance-form"' not in text_of(client.get(url))
    response = client.post(url, {"status": "shortlisted"})
    assert response.status_code == 200
    assert "Not tied to a drive: there is no one to move." in text_of(response)


# --- Two colleges ------------------------------------------------------------------------------


def test_another_colleges_staff_cannot_read_change_or_guess_assessments(
    college, other_college, coordinator
):
    bank = make_bank(college)
    question = make_question(college, bank)
    drive = make_drive(college)
    assessment = make_assessment(college, [question], drive=drive)
    application = make_application(college, make_student(college), drive, "applied")
    submitted_attempt(college, assessment, application.student, "9")
    stranger = page_client(other_college, make_user(other_college, Role.COORDINATOR))
    for url in (
        f"{ASSESSMENTS}{assessment.pk}/",
        f"{ASSESSMENTS}{assessment.pk}/edit/",
        f"{BANKS}{bank.pk}/",
        f"{BANKS}{bank.pk}/questions/new/",
        f"{ASSESSMENTS}questions/{question.pk}/edit/",
    ):
        assert stranger.get(url).status_code == 404, url
    advanced = stranger.post(f"{ASSESSMENTS}{assessment.pk}/", {"status": "shortlisted"})
    assert advanced.status_code == 404
    assert stranger.post(f"{ASSESSMENTS}{assessment.pk}/edit/", {}).status_code == 404
    assert not ids_of(text_of(stranger.get(ASSESSMENTS)), "assessment")
    assert not ids_of(text_of(stranger.get(BANKS)), "bank")
    assert refreshed(college, application).status == "applied"
