"""Writes of assessments: authoring (banks, questions, assessments), attempts (start, answer,
submit, the deadline) with their automatic score, and moving the qualifying applicants on.

Scoring, per question of the attempt: its `marks` when the selected choices are exactly its
correct choices; minus its `negative_marks` when anything else was selected; 0 when left blank
(or never reached). The score is the sum, and may be negative.

An attempt ends when the student submits it or at its deadline. Past the deadline, the next call
on it (next, answer, submit) submits it first; the beat task `assessments.tasks.expire_overdue`
submits those nobody touches. Every write to an attempt locks its row first, so concurrent calls
neither lose an answer nor score twice."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core import due
from core.accounts.models import User
from core.api.errors import Conflict
from shared_apps.billing.limits import ensure_feature
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.applications.services import applications_bulk_move
from tenant_apps.assessments.errors import AssessmentClosed, AttemptClosed
from tenant_apps.assessments.models import (
    Answer,
    Assessment,
    AssessmentQuestion,
    AssessmentStatus,
    Attempt,
    AttemptStatus,
    Choice,
    Question,
    QuestionBank,
    QuestionKind,
    SubmittedBy,
)
from tenant_apps.assessments.shuffle import shuffled
from tenant_apps.drives.models import Drive, DriveRound
from tenant_apps.students.models import Student

FEATURE = "assessments"
DUE_KIND = "attempts"  # the deadline sweep's notes (core.due)
MIN_CHOICES, MAX_CHOICES = 2, 10

# --- Question banks and questions ------------------------------------------------------------


@transaction.atomic
def question_bank_create(*, name: str, description: str = "") -> QuestionBank:
    if QuestionBank.objects.filter(name__iexact=name).exists():
        raise Conflict("A question bank of this name exists already.")
    return QuestionBank.objects.create(name=name, description=description)


@transaction.atomic
def question_bank_update(*, bank: QuestionBank, **changes) -> QuestionBank:
    name = changes.get("name")
    if name and QuestionBank.objects.filter(name__iexact=name).exclude(pk=bank.pk).exists():
        raise Conflict("A question bank of this name exists already.")
    for field, value in changes.items():
        setattr(bank, field, value)
    bank.save()
    return bank


def _choices_check(*, kind: str, choices: list[dict]) -> None:
    correct = sum(1 for choice in choices if choice["is_correct"])
    if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        raise ValidationError({"choices": [f"Give {MIN_CHOICES} to {MAX_CHOICES} choices."]})
    if correct == 0:
        raise ValidationError({"choices": ["Mark at least one choice correct."]})
    if kind == QuestionKind.SINGLE and correct != 1:
        raise ValidationError({"choices": ["A single-choice question has one correct choice."]})


def _choices_replace(*, question: Question, choices: list[dict]) -> None:
    question.choices.all().delete()  # soft: attempts' answers keep pointing at them
    Choice.objects.bulk_create(
        Choice(question=question, text=choice["text"], is_correct=choice["is_correct"], position=i)
        for i, choice in enumerate(choices)
    )


def _negative_check(*, marks: Decimal, negative_marks: Decimal) -> None:
    if negative_marks > marks:
        raise ValidationError({"negative_marks": ["At most the question's marks."]})


@transaction.atomic
def question_create(
    *,
    bank: QuestionBank,
    text: str,
    kind: str,
    choices: list[dict],
    marks: Decimal = Decimal("1"),
    negative_marks: Decimal = Decimal("0"),
) -> Question:
    _choices_check(kind=kind, choices=choices)
    _negative_check(marks=marks, negative_marks=negative_marks)
    question = Question.objects.create(
        bank=bank, text=text, kind=kind, marks=marks, negative_marks=negative_marks
    )
    _choices_replace(question=question, choices=choices)
    return question


def _question_frozen(question: Question) -> None:
    """A question some attempt has seen cannot change (its score would change under it)."""
    if Attempt.all_objects.filter(question_order__contains=[question.pk]).exists():
        raise Conflict("Students have attempted this question: it can no longer change.")


@transaction.atomic
def question_update(*, question: Question, **changes) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    _question_frozen(question)
    choices = changes.pop("choices", None)
    for field, value in changes.items():
        setattr(question, field, value)
    _negative_check(marks=question.marks, negative_marks=question.negative_marks)
    if choices is not None or "kind" in changes:
        if choices is None:
            choices = list(question.choices.values("text", "is_correct"))
        _choices_check(kind=question.kind, choices=choices)
        _choices_replace(question=question, choices=choices)
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    question.delete()  # attempts read their questions deleted or not


# --- Assessments -----------------------------------------------------------------------------


def _placement_check(*, drive: Drive | None, round: DriveRound | None) -> None:
    if round is not None and (drive is None or round.drive_id != drive.pk):
        raise ValidationError({"round": ["Not a round of the assessment's drive."]})


def _window_check(*, opens_at, closes_at) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": ["Must be after opens_at."]})


def _questions_set(*, assessment: Assessment, questions: list[Question]) -> None:
    ids = [question.pk for question in questions]
    if len(set(ids)) != len(ids):
        raise ValidationError({"questions": ["A question is listed twice."]})
    assessment.assessment_questions.all().delete()
    AssessmentQuestion.objects.bulk_create(
        AssessmentQuestion(assessment=assessment, question=question, position=i)
        for i, question in enumerate(questions)
    )


def _publishable(assessment: Assessment) -> None:
    if not assessment.assessment_questions.exists():
        raise ValidationError({"status": ["An assessment needs questions to be published."]})


@transaction.atomic
def assessment_create(
    *,
    title: str,
    time_limit_minutes: int,
    questions: list[Question] | None = None,
    description: str = "",
    drive: Drive | None = None,
    round: DriveRound | None = None,
    pass_marks: Decimal = Decimal("0"),
    opens_at=None,
    closes_at=None,
    status: str = AssessmentStatus.DRAFT,
) -> Assessment:
    """Needs the plan's `assessments` feature (`402 plan_limit_reached` otherwise)."""
    ensure_feature(FEATURE)
    _placement_check(drive=drive, round=round)
    _window_check(opens_at=opens_at, closes_at=closes_at)
    assessment = Assessment.objects.create(
        title=title,
        description=description,
        drive=drive,
        round=round,
        time_limit_minutes=time_limit_minutes,
        pass_marks=pass_marks,
        opens_at=opens_at,
        closes_at=closes_at,
        status=AssessmentStatus.DRAFT,
    )
    _questions_set(assessment=assessment, questions=questions or [])
    if status == AssessmentStatus.PUBLISHED:
        _publishable(assessment)
        assessment.status = status
        assessment.save(update_fields=["status"])
    return assessment


@transaction.atomic
def assessment_update(*, assessment: Assessment, **changes) -> Assessment:
    """Questions cannot change once an attempt started (409), nor can a published assessment go
    back to draft then. Time and pass marks may: running attempts keep their deadline."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    attempted = assessment.attempts.exists()
    questions = changes.pop("questions", None)
    if questions is not None and attempted:
        raise Conflict("Students have attempted this assessment: its questions are fixed.")
    if changes.get("status") == AssessmentStatus.DRAFT and attempted:
        raise Conflict("Students have attempted this assessment: it stays published.")
    for field, value in changes.items():
        setattr(assessment, field, value)
    _placement_check(drive=assessment.drive, round=assessment.round)
    _window_check(opens_at=assessment.opens_at, closes_at=assessment.closes_at)
    if questions is not None:
        _questions_set(assessment=assessment, questions=questions)
    if assessment.status == AssessmentStatus.PUBLISHED:
        _publishable(assessment)
    assessment.save()
    return assessment


# --- Attempts --------------------------------------------------------------------------------


@transaction.atomic
def attempt_start(*, assessment: Assessment, student: Student) -> tuple[Attempt, bool]:
    """Starts the student's one attempt (needs the plan's feature and the assessment's window),
    its questions shuffled for it alone. Starting again returns the running attempt (`False`:
    not created); once it ended, starting again is `409 conflict`. Who may start (a student
    with an open application to the assessment's drive) is the caller's scope."""
    ensure_feature(FEATURE)
    # the student's row lock orders two concurrent starts of one student
    Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)
    existing = Attempt.objects.filter(assessment=assessment, student=student).first()
    if existing is not None:
        existing = _finalised_if_overdue(existing)
        if existing.is_running:
            return existing, False
        raise Conflict("You have already taken this assessment.", details={"attempt": existing.pk})
    now = timezone.now()
    if not assessment.is_open(now):
        raise AssessmentClosed(
            "This assessment has not opened yet."
            if assessment.opens_at and assessment.opens_at > now
            else "This assessment is closed."
        )
    question_ids = list(
        assessment.assessment_questions.order_by("position", "id").values_list(
            "question_id", flat=True
        )
    )
    if not question_ids:
        raise AssessmentClosed("This assessment has no questions.")
    seed = secrets.randbits(62)
    deadline = now + timedelta(minutes=assessment.time_limit_minutes)
    if assessment.closes_at is not None:
        deadline = min(deadline, assessment.closes_at)
    attempt = Attempt.objects.create(
        assessment=assessment,
        student=student,
        started_at=now,
        deadline=deadline,
        seed=seed,
        question_order=shuffled(question_ids, seed=seed),
    )
    # the deadline sweep looks at this college from now on (and learns the deadline then)
    due.note(DUE_KIND)
    return attempt, True


def _locked(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update(of=("self",)).get(pk=attempt.pk)


def _finalised_if_overdue(attempt: Attempt) -> Attempt:
    if attempt.is_overdue():
        attempt = _locked(attempt)
        if attempt.is_overdue():
            _finalise(attempt, by=SubmittedBy.DEADLINE, at=attempt.deadline)
    return attempt


def marks_for(question: Question, *, selected: set[int], correct: set[int]) -> Decimal:
    """The scoring rule of one question (see the module's docstring)."""
    if not selected:
        return Decimal("0")
    if selected == correct:
        return question.marks
    return -question.negative_marks


def _finalise(attempt: Attempt, *, by: str, at) -> Attempt:
    """Scores the (locked, running) attempt and ends it."""
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    questions = Question.all_objects.filter(pk__in=attempt.question_order)
    correct: dict[int, set[int]] = {}
    for question_id, choice_id in Choice.all_objects.filter(
        question_id__in=attempt.question_order, is_correct=True, deleted_at__isnull=True
    ).values_list("question_id", "id"):
        correct.setdefault(question_id, set()).add(choice_id)
    score = Decimal("0")
    for question in questions:
        answer = answers.get(question.pk)
        if answer is None:
            continue
        awarded = marks_for(
            question, selected=set(answer.choice_ids), correct=correct.get(question.pk, set())
        )
        score += awarded
        answer.marks_awarded = awarded
        answer.save(update_fields=["marks_awarded"])
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = at
    attempt.submitted_by = by
    attempt.score = score
    attempt.save(update_fields=["status", "submitted_at", "submitted_by", "score"])
    return attempt


def attempt_refresh(*, attempt: Attempt) -> Attempt:
    """The attempt as it stands, submitted first if its deadline passed (own transaction: the
    submission holds even when the caller then refuses the request)."""
    with transaction.atomic():
        return _finalised_if_overdue(attempt)


def attempt_answer(*, attempt: Attempt, question_id: int, choice_ids: list[int]) -> Attempt:
    """Records the answer to the attempt's current question and moves to the next. Questions come
    in order and are answered once: no going back. Empty `choice_ids` leaves it blank. After the
    attempt ended: `400 attempt_closed` (and an overdue attempt is submitted first)."""
    attempt = attempt_refresh(attempt=attempt)
    with transaction.atomic():
        attempt = _locked(attempt)
        if not attempt.is_running:
            raise AttemptClosed(details={"submitted_at": attempt.submitted_at.isoformat()})
        if question_id not in attempt.question_order:
            raise ValidationError({"question": ["Not a question of this attempt."]})
        if attempt.position >= len(attempt.question_order):
            raise ValidationError({"question": ["Every question is answered: submit."]})
        current = attempt.question_order[attempt.position]
        if question_id != current:
            raise ValidationError(
                {"question": ["Questions are answered in turn: answer the current one."]}
            )
        question = Question.all_objects.get(pk=question_id)
        selected = sorted(set(choice_ids))
        valid = set(
            Choice.objects.filter(question_id=question_id, pk__in=selected).values_list(
                "pk", flat=True
            )
        )
        if len(valid) != len(selected):
            raise ValidationError({"choices": ["Not choices of this question."]})
        if question.kind == QuestionKind.SINGLE and len(selected) > 1:
            raise ValidationError({"choices": ["This question takes one choice."]})
        Answer.objects.create(attempt=attempt, question_id=question_id, choice_ids=selected)
        attempt.position += 1
        attempt.save(update_fields=["position"])
        return attempt


def attempt_submit(*, attempt: Attempt) -> Attempt:
    """The student ends the attempt; it is scored once (a second submit returns it as it is)."""
    attempt = attempt_refresh(attempt=attempt)
    with transaction.atomic():
        attempt = _locked(attempt)
        if attempt.is_running:
            _finalise(attempt, by=SubmittedBy.STUDENT, at=timezone.now())
        return attempt


def attempts_finalise_overdue(*, attempts: QuerySet[Attempt] | None = None) -> int:
    """Submits the overdue attempts (of `attempts`, else all) of the current college: what the
    beat sweep calls, and results and advancing before they read scores."""
    queryset = Attempt.objects.all() if attempts is None else attempts
    overdue = queryset.filter(status=AttemptStatus.IN_PROGRESS, deadline__lte=timezone.now())
    done = 0
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = Attempt.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if attempt is not None and attempt.is_overdue():
                _finalise(attempt, by=SubmittedBy.DEADLINE, at=attempt.deadline)
                done += 1
    return done


# --- Moving the qualifying applicants on -----------------------------------------------------

ADVANCE_TARGETS = (ApplicationStatus.SHORTLISTED, ApplicationStatus.IN_PROCESS)
PIPELINE = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.IN_PROCESS,
    ApplicationStatus.OFFERED,
)


@transaction.atomic
def assessment_advance(
    *,
    assessment: Assessment,
    scope: QuerySet[Application],
    actor: User,
    status: str,
    cutoff: Decimal | None = None,
    note: str = "",
) -> list[int]:
    """Moves the open applications to the assessment's drive of the students whose submitted
    attempt scored at least `cutoff` (default: the pass marks) to `status`, all or nothing
    (`400 invalid_transition` naming those that cannot move; none moves then). Applications
    already at `status` or further are left as they are, so advancing twice moves no one."""
    if assessment.drive_id is None:
        raise ValidationError({"assessment": ["Not tied to a drive: there is no one to move."]})
    attempts_finalise_overdue(attempts=Attempt.objects.filter(assessment=assessment))
    cutoff = assessment.pass_marks if cutoff is None else cutoff
    qualified = Attempt.objects.filter(
        assessment=assessment, status=AttemptStatus.SUBMITTED, score__gte=cutoff
    ).values("student_id")
    ids = list(
        scope.alive()
        .filter(
            drive_id=assessment.drive_id,
            student_id__in=qualified,
            status__in=PIPELINE[: PIPELINE.index(status)],
        )
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    note = note or f"Scored at least {cutoff} in “{assessment.title}”."
    return applications_bulk_move(scope=scope, ids=ids, status=status, actor=actor, note=note)
