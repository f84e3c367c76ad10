"""Eligibility: one set of rules, each reason with its code, and the same answer whether it
explains one pair, lists a drive's eligible students, or lists a student's drives."""

import itertools

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.drives.eligibility import (
    drive_eligible_students,
    drive_ineligibility_reasons,
    eligible_drives_condition,
)
from tenant_apps.drives.models import Drive
from tests.tenant_apps.factories import make_drive, make_student, set_policy


def reasons(college, drive, student, **kwargs) -> list[str]:
    with tenant_context(college):
        return [
            r["code"] for r in drive_ineligibility_reasons(drive=drive, student=student, **kwargs)
        ]


def test_a_student_who_meets_every_criterion_is_eligible(college):
    drive = make_drive(
        college, min_cgpa="7.5", max_backlogs=1, departments=["CSE", "ECE"], graduation_years=[2027]
    )
    student = make_student(college, cgpa="7.50", backlogs=1, department="ECE", graduation_year=2027)

    assert reasons(college, drive, student) == []


@pytest.mark.parametrize(
    ("student_fields", "code", "words"),
    [
        ({"verified": False}, "not_verified", "not verified"),
        ({"cgpa": "7.49"}, "min_cgpa", "at least 7.5"),
        ({"backlogs": 2}, "max_backlogs", "At most 1"),
        ({"department": "MECH"}, "department", "CSE, ECE"),
        ({"graduation_year": 2026}, "graduation_year", "2027"),
    ],
)
def test_each_criterion_has_its_reason(college, student_fields, code, words):
    drive = make_drive(
        college, min_cgpa="7.5", max_backlogs=1, departments=["CSE", "ECE"], graduation_years=[2027]
    )
    student = make_student(
        college,
        **{"cgpa": "8.00", "department": "CSE", "graduation_year": 2027, **student_fields},
    )

    with tenant_context(college):
        explained = drive_ineligibility_reasons(drive=drive, student=student)

    assert [r["code"] for r in explained] == [code]
    assert words in explained[0]["message"]


def test_every_failed_criterion_is_reported(college):
    drive = make_drive(college, min_cgpa="9", max_backlogs=0, departments=["ECE"])
    student = make_student(college, cgpa="6.00", backlogs=3, department="CSE", verified=False)

    assert reasons(college, drive, student) == [
        "not_verified",
        "min_cgpa",
        "max_backlogs",
        "department",
    ]


def test_open_criteria_accept_everybody(college):
    drive = make_drive(college, max_backlogs=None, departments=[], graduation_years=[])
    student = make_student(
        college, cgpa="0.00", backlogs=12, department="ANY", graduation_year=1999
    )

    assert reasons(college, drive, student) == []


def test_the_one_offer_policy_stops_placed_students_except_for_dream_drives(college):
    # given a placed student, a regular drive and a dream drive
    placed = make_student(college, placed=True)
    unplaced = make_student(college)
    regular = make_drive(college, ctc="800000")
    dream = make_drive(college, ctc="2000000")

    # without the policy, being placed changes nothing
    set_policy(college, one_offer_policy=False)
    assert reasons(college, regular, placed) == []

    # with the policy, a placed student is out, whatever the CTC, without a threshold
    set_policy(college, one_offer_policy=True)
    assert reasons(college, regular, placed) == ["placement_policy"]
    assert reasons(college, dream, placed) == ["placement_policy"]
    assert reasons(college, regular, unplaced) == []

    # with a dream threshold, drives at or above it stay open to placed students
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="2000000")
    assert reasons(college, regular, placed) == ["placement_policy"]
    assert reasons(college, dream, placed) == []
    with tenant_context(college):
        (message,) = drive_ineligibility_reasons(drive=regular, student=placed)
    assert "2000000" in message["message"]


def test_an_offers_own_ctc_can_stand_for_the_drives(college):
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="2000000")
    placed = make_student(college, placed=True)
    drive = make_drive(college, ctc="800000")

    assert reasons(college, drive, placed, ctc="2500000", codes={"placement_policy"}) == []
    assert reasons(college, drive, placed, codes={"placement_policy"}) == ["placement_policy"]


def test_explanations_database_lists_and_drive_lists_agree(college):
    # given a grid of students and drives that differ on every criterion
    set_policy(college, one_offer_policy=True, dream_ctc_threshold="1500000")
    students = [
        make_student(
            college,
            cgpa=cgpa,
            backlogs=backlogs,
            department=department,
            graduation_year=year,
            verified=verified,
            placed=placed,
        )
        for cgpa, backlogs, department, year, verified, placed in itertools.product(
            ["6.00", "8.00"], [0, 2], ["CSE", "MECH"], [2026, 2027], [True, False], [False, True]
        )
    ]
    drives = [
        make_drive(college, min_cgpa="7", max_backlogs=1, departments=["CSE"], ctc="900000"),
        make_drive(college, graduation_years=[2027], ctc="1500000"),
        make_drive(college, min_cgpa="5", max_backlogs=None),
    ]

    with tenant_context(college):
        for drive in drives:
            # when eligibility is explained pair by pair, and listed in the database
            explained = {
                s.pk for s in students if not drive_ineligibility_reasons(drive=drive, student=s)
            }
            listed = set(drive_eligible_students(drive=drive).values_list("pk", flat=True))
            # then both say the same, and each of those students sees the drive
            assert explained == listed
            assert explained  # the grid has eligible students for each drive
            for student in students:
                sees = Drive.objects.filter(
                    eligible_drives_condition(student=student), pk=drive.pk
                ).exists()
                assert sees == (student.pk in explained)
