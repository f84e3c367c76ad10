"""Taking an assessment on its pages: one question at a time, the time left from the server,
submitted at the deadline without the student, the result once the attempt has ended."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.assessments.models import Attempt
from tests.conftest import make_user
from tests.tenant_apps.assessments.factories import (
    correct_ids,
    make_assessment,
    make_question,
    wrong_ids,
)
from tests.tenant_apps.factories import make_application, make_drive, make_student
from tests.web import page_client, text_of

pytestmark = pytest.mark.django_db


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(response)).group(1)


@pytest.fixture
def profile(college):
    return make_student(college)


@pytest.fixture
def client(college, profile):
    return page_client(college, profile.user, csrf=True)


@pytest.fixture
def questions(college):
    return [make_question(college, text=f"Question {i}?", marks="2") for i in range(3)]


@pytest.fixture
def assessment(college, questions):
    return make_assessment(college, questions, title="Aptitude", time_limit_minutes=20)


def start(client, assessment):
    token = csrf_of(client.get("/me/assessments/"))
    return client.post(f"/me/assessments/{assessment.pk}/start/", {"csrfmiddlewaretoken": token})


def the_attempt(college, profile) -> Attempt:
    with tenant_context(college):
        return Attempt.objects.get(student=profile)


def answer(client, attempt, question_id, choices):
    page = client.get(f"/me/attempts/{attempt.pk}/")
    return client.post(
        f"/me/attempts/{attempt.pk}/answer/",
        {"csrfmiddlewaretoken": csrf_of(page), "question": question_id, "choices": choices},
        follow=True,
    )


def current_question(html: str) -> int:
    return int(re.search(r'name="question" value="(\d+)"', html).group(1))


def test_the_list_shows_what_is_open_and_a_start_button(college, assessment, client):
    html = text_of(client.get("/me/assessments/"))
    assert "Aptitude" in html and "3 questions" in html and "20 minutes" in html
    assert f'id="start-{assessment.pk}"' in html


def test_an_assessment_of_a_drive_not_applied_to_is_not_offered(college, profile, questions):
    drive = make_drive(college)
    tied = make_assessment(college, questions, drive=drive, title="For applicants")
    client = page_client(college, profile.user)
    assert f'id="start-{tied.pk}"' not in text_of(client.get("/me/assessments/"))
    make_application(college, profile, drive)
    assert f'id="start-{tied.pk}"' in text_of(client.get("/me/assessments/"))


def test_one_question_at_a_time_with_the_time_left_then_the_result(
    college, profile, assessment, questions, client
):
    # when the student starts
    response = start(client, assessment)
    attempt = the_attempt(college, profile)
    assert response["Location"] == f"/me/attempts/{attempt.pk}/"
    page = text_of(client.get(response["Location"]))
    # then one question shows, with the server's time left and the deferred countdown script
    assert len(re.findall(r'name="question"', page)) == 1
    assert "Question 1 of 3" in page
    seconds = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 1190 <= seconds <= 1200
    assert re.search(r'id="time-left"[^>]*>(20:00|19:\d\d)<', page)
    assert re.search(r'<script src="[^"]*assessments/attempt\.js" defer>', page)
    assert "<script>" not in page
    # answering moves to the next question; correct, wrong, blank
    by_id = {q.pk: q for q in questions}
    first = current_question(page)
    answer(client, attempt, first, correct_ids(college, by_id[first]))
    second = current_question(text_of(client.get(f"/me/attempts/{attempt.pk}/")))
    assert second != first
    answer(client, attempt, second, wrong_ids(college, by_id[second])[:1])
    third = current_question(text_of(client.get(f"/me/attempts/{attempt.pk}/")))
    html = text_of(answer(client, attempt, third, []))
    assert "You have answered every question" in html
    # submitting shows the result, with the correct answers
    token = csrf_of(client.get(f"/me/attempts/{attempt.pk}/"))
    result = client.post(
        f"/me/attempts/{attempt.pk}/submit/", {"csrfmiddlewaretoken": token}, follow=True
    )
    html = text_of(result)
    assert re.search(r'id="score">2\.00<', html)
    assert "Submitted by you" in html and "correct" in html


def test_answering_another_question_than_the_current_one_is_refused(
    college, profile, assessment, questions, client
):
    start(client, assessment)
    attempt = the_attempt(college, profile)
    current = current_question(text_of(client.get(f"/me/attempts/{attempt.pk}/")))
    other = next(q for q in questions if q.pk != current)
    html = text_of(answer(client, attempt, other.pk, correct_ids(college, other)))
    assert "That answer was not saved" in html
    assert current_question(html) == current


def test_past_the_deadline_the_attempt_is_submitted_by_itself(college, profile, assessment, client):
    # given an attempt whose deadline has passed while nobody was looking
    start(client, assessment)
    attempt = the_attempt(college, profile)
    with tenant_context(college):
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    # when the student comes back (or their page reloads at zero without script)
    response = client.get(f"/me/attempts/{attempt.pk}/", follow=True)
    # then it was submitted at the deadline, and the result shows
    assert response.redirect_chain[-1][0] == f"/me/attempts/{attempt.pk}/result/"
    assert "by itself at the deadline" in text_of(response)
    assert the_attempt(college, profile).submitted_by == "deadline"


def test_the_countdowns_submit_at_zero_is_recorded_as_the_deadlines(
    college, profile, assessment, client
):
    start(client, assessment)
    attempt = the_attempt(college, profile)
    token = csrf_of(client.get(f"/me/attempts/{attempt.pk}/"))
    with tenant_context(college):
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    html = text_of(
        client.post(
            f"/me/attempts/{attempt.pk}/submit/", {"csrfmiddlewaretoken": token}, follow=True
        )
    )
    assert "Time is up: your attempt was submitted at its deadline." in html


def test_a_late_answer_is_refused_and_the_result_shows(
    college, profile, assessment, questions, client
):
    start(client, assessment)
    attempt = the_attempt(college, profile)
    current = current_question(text_of(client.get(f"/me/attempts/{attempt.pk}/")))
    token = csrf_of(client.get("/me/assessments/"))
    with tenant_context(college):
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = client.post(
        f"/me/attempts/{attempt.pk}/answer/",
        {"csrfmiddlewaretoken": token, "question": current, "choices": []},
        follow=True,
    )
    assert "Time is up" in text_of(response)
    with tenant_context(college):
        assert not Attempt.objects.get(pk=attempt.pk).answers.exists()


def test_starting_a_taken_assessment_again_leads_to_its_result(
    college, profile, assessment, client
):
    start(client, assessment)
    attempt = the_attempt(college, profile)
    token = csrf_of(client.get(f"/me/attempts/{attempt.pk}/"))
    client.post(f"/me/attempts/{attempt.pk}/submit/", {"csrfmiddlewaretoken": token})
    response = start(client, assessment)
    assert response["Location"] == f"/me/attempts/{attempt.pk}/result/"
    assert "Taken" in text_of(client.get("/me/assessments/"))


def test_a_closed_assessment_says_so(college, questions, client):
    closed = make_assessment(
        college, questions, title="Closed", closes_at=timezone.now() - timedelta(minutes=1)
    )
    html = text_of(client.get("/me/assessments/"))
    assert f'id="start-{closed.pk}"' in html
    token = csrf_of(client.get("/me/assessments/"))
    response = client.post(
        f"/me/assessments/{closed.pk}/start/", {"csrfmiddlewaretoken": token}, follow=True
    )
    assert "This assessment is closed." in text_of(response)


def test_the_list_costs_the_same_queries_for_1_or_10(college, profile, questions, client):
    make_assessment(college, questions)
    client.get("/healthz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/assessments/").status_code == 200
        return len(queries)

    count()
    first = count()
    for _ in range(9):
        make_assessment(college, questions)
    assert count() == first


def test_another_students_or_colleges_attempt_is_a_404(
    college, other_college, profile, assessment, client
):
    start(client, assessment)
    attempt = the_attempt(college, profile)
    stranger = page_client(college, make_student(college).user)
    assert stranger.get(f"/me/attempts/{attempt.pk}/").status_code == 404
    assert stranger.get(f"/me/attempts/{attempt.pk}/result/").status_code == 404
    elsewhere = page_client(other_college, make_student(other_college).user)
    assert elsewhere.get(f"/me/attempts/{attempt.pk}/").status_code == 404


def test_other_roles_get_a_403(college, assessment):
    for role in (Role.COORDINATOR, Role.RECRUITER):
        client = page_client(college, make_user(college, role))
        assert client.get("/me/assessments/").status_code == 403
