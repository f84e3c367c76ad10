"""The verification queue: a student submits the profile, the placement office verifies it or
sends it back with a comment (the student is mailed), one profile or hundreds at once.

A verified profile's academic fields are frozen until it is unverified (`student_update`);
eligibility reads `is_verified` (the `not_verified` rule)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts.models import User
from core.accounts.policies import college_settings
from tenant_apps.drives.eligibility import DriveTerms, StudentTerms, all_hold, eligibility_rules
from tenant_apps.drives.models import Drive, accepting_applications
from tenant_apps.kit.errors import InvalidTransition
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import Student, VerificationStatus

V = VerificationStatus


def _locked(student: Student) -> Student:
    return Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)


@transaction.atomic
def verification_submit(*, student: Student) -> Student:
    """The student asks the office to verify the profile (again, after it was sent back)."""
    student = _locked(student)
    if student.is_verified:
        raise InvalidTransition("Your profile is verified already.")
    if student.verification_status == V.SUBMITTED:
        return student  # once is enough: the queue keeps its place
    student.verification_status = V.SUBMITTED
    student.verification_submitted_at = timezone.now()
    student.save(update_fields=["verification_status", "verification_submitted_at"])
    return student


@transaction.atomic
def verification_approve(*, student: Student, actor: User) -> Student:
    """Verified by `actor`, now; an already verified profile keeps who and when."""
    student = _locked(student)
    if not student.is_verified:
        student.is_verified = True
        student.verified_at = timezone.now()
        student.verified_by = actor
    student.verification_status = V.VERIFIED
    student.verification_comment = ""
    student.save(
        update_fields=[
            "is_verified",
            "verified_at",
            "verified_by",
            "verification_status",
            "verification_comment",
        ]
    )
    return student


@transaction.atomic
def verification_unverify(*, student: Student) -> Student:
    student = _locked(student)
    if student.is_verified or student.verification_status == V.VERIFIED:
        student.is_verified = False
        student.verified_at = None
        student.verified_by = None
        student.verification_status = V.DRAFT
        student.save(
            update_fields=["is_verified", "verified_at", "verified_by", "verification_status"]
        )
    return student


@transaction.atomic
def verification_return(*, student: Student, actor: User, comment: str) -> Student:
    """Sent back to the student with what to change (a verified profile is unverified); the
    student is mailed the comment after the commit."""

    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": ["Say what the student should change."]})
    student = _locked(student)
    student.is_verified = False
    student.verified_at = None
    student.verified_by = None
    student.verification_status = V.RETURNED
    student.verification_comment = comment[:1000]
    student.verification_returned_at = timezone.now()
    student.save(
        update_fields=[
            "is_verified",
            "verified_at",
            "verified_by",
            "verification_status",
            "verification_comment",
            "verification_returned_at",
        ]
    )
    notify.queue_after_commit(notify.notify_verification_returned, student.pk)
    return student


def verification_queue(queryset: QuerySet[Student]) -> QuerySet[Student]:
    """The profiles waiting for the office, the longest waiting first."""
    return (
        queryset.alive()
        .filter(verification_status=V.SUBMITTED)
        .order_by("verification_submitted_at", "id")
    )


def drives_waiting_on_verification(*, student: Student) -> int:
    """How many drives open now the student could apply to but for the verification: the
    count the student's drive list shows when verification is what keeps drives away."""

    if student.is_verified:
        return 0
    rules = eligibility_rules(
        drive=DriveTerms.columns(), student=StudentTerms.of(student), policy=college_settings()
    )
    others = [rule for rule in rules if rule.code != "not_verified"]
    return Drive.objects.filter(accepting_applications(), all_hold(others)).count()
