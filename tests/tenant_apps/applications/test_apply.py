"""Applying: eligible students only (with the reasons), before the deadline, once per drive."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import Role
from tenant_apps.applications.models import Application
from tests.conftest import client_for, make_user
from tests.tenant_apps.factories import make_application, make_drive, make_student, set_policy

APPLICATIONS = "/api/v1/applications/"


def apply(student, drive, college):
    return client_for(college, student.user).post(APPLICATIONS, {"drive": drive.pk}, format="json")


def applications_of(college, student) -> list[Application]:
    with tenant_context(college):
        return list(Application.objects.filter(student=student))


def test_an_eligible_student_applies(college):
    student = make_student(college)
    drive = make_drive(college, title="Backend")

    response = apply(student, drive, college)

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["status"] == "applied"
    assert data["drive"]["id"] == drive.pk and data["drive"]["title"] == "Backend"
    assert data["student"]["id"] == student.pk
    assert [stage["status"] for stage in data["timeline"]] == ["applied"]
    assert data["timeline"][0]["by"] == student.user.pk
    assert len(applications_of(college, student)) == 1


def test_applying_twice_is_a_conflict(college):
    student = make_student(college)
    drive = make_drive(college)
    assert apply(student, drive, college).status_code == 201

    response = apply(student, drive, college)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert len(applications_of(college, student)) == 1


def test_applying_after_the_deadline_is_refused(college):
    # a drive the student still sees: they applied, then withdrew
    student = make_student(college)
    drive = make_drive(college, apply_by=timezone.now() + timedelta(days=1))
    make_application(college, student, drive, "withdrawn")
    with tenant_context(college):
        type(drive).objects.filter(pk=drive.pk).update(
            apply_by=timezone.now() - timedelta(seconds=1)
        )

    response = apply(student, drive, college)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "drive_closed"
    assert [a.status for a in applications_of(college, student)] == ["withdrawn"]


@pytest.mark.parametrize("status", ["closed", "completed"])
def test_applying_to_a_drive_that_is_not_open_is_refused(college, status):
    # a drive the student still sees: they applied, then withdrew
    student = make_student(college)
    drive = make_drive(college)
    make_application(college, student, drive, "withdrawn")
    with tenant_context(college):
        type(drive).objects.filter(pk=drive.pk).update(status=status)

    response = apply(student, drive, college)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "drive_closed"


def test_a_draft_drive_cannot_be_applied_to(college):
    response = apply(make_student(college), make_drive(college, status="draft"), college)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "drive" in response.json()["error"]["details"]


def invalid_drive(response) -> tuple:
    return response.status_code, response.json()["error"]["code"], response.json()["error"]


def test_a_drive_hidden_from_the_student_answers_like_a_missing_one(college):
    # given a draft, an open drive the student is not eligible for (hidden from them: the API
    # lists only the drives they may apply to) and a drive id that does not exist
    student = make_student(college, cgpa="7.20", backlogs=1, department="ECE")
    draft = make_drive(college, status="draft")
    hidden = make_drive(college, min_cgpa="8", max_backlogs=0, departments=["CSE"])
    missing = max(draft.pk, hidden.pk) + 1000
    client = client_for(college, student.user)

    # when the student applies to each, then each answers the same: no status, code, message
    # or criteria tell a draft, a hidden drive and a missing one apart
    answers = [
        client.post(APPLICATIONS, {"drive": pk}, format="json") for pk in (draft.pk, hidden.pk)
    ]
    answer_missing = client.post(APPLICATIONS, {"drive": missing}, format="json")
    expected = invalid_drive(answer_missing)
    assert expected[0] == 400 and expected[1] == "validation_error"
    for response, pk in zip(answers, (draft.pk, hidden.pk), strict=True):
        status_code, code, error = invalid_drive(response)
        assert (status_code, code) == expected[:2]
        message = error["details"]["drive"][0].replace(str(pk), str(missing))
        assert message == expected[2]["details"]["drive"][0]
        assert error["message"] == expected[2]["message"]
        assert "reasons" not in error["details"]
    assert applications_of(college, student) == []


def test_a_placed_student_applies_only_to_dream_drives_under_the_policy(college):
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="2000000")
    placed = make_student(college, placed=True)

    regular = apply(placed, make_drive(college, ctc="1999999.99"), college)
    dream = apply(placed, make_drive(college, ctc="2000000"), college)

    # the regular drive is hidden from a placed student: it answers like a missing one
    assert regular.status_code == 400
    assert regular.json()["error"]["code"] == "validation_error"
    assert "drive" in regular.json()["error"]["details"]
    assert dream.status_code == 201


def test_only_students_apply_and_need_a_profile(college, coordinator_client):
    drive = make_drive(college)
    no_profile = client_for(college, make_user(college, Role.STUDENT, "bare@alpha.example.edu"))

    by_staff = coordinator_client.post(APPLICATIONS, {"drive": drive.pk}, format="json")
    without_profile = no_profile.post(APPLICATIONS, {"drive": drive.pk}, format="json")

    assert by_staff.status_code == 403
    assert without_profile.status_code == 400
