"""Rows of the assessments app, created directly in a college's schema."""

import itertools
from decimal import Decimal

from django_tenants.utils import tenant_context

from tenant_apps.assessments.models import (
    Assessment,
    AssessmentQuestion,
    Choice,
    Question,
    QuestionBank,
)

_sequence = itertools.count(1)


def make_bank(college, name: str | None = None, *, pk: int | None = None) -> QuestionBank:
    with tenant_context(college):
        return QuestionBank.objects.create(pk=pk, name=name or f"Bank {next(_sequence)}")


def make_question(
    college,
    bank: QuestionBank | None = None,
    *,
    correct: tuple[int, ...] = (0,),
    choices: int = 4,
    marks: str = "1",
    negative_marks: str = "0",
    text: str | None = None,
    pk: int | None = None,
) -> Question:
    """A question with `choices` choices ("A", "B", ...), those at the indexes `correct` right."""
    bank = bank or make_bank(college)
    with tenant_context(college):
        question = Question.objects.create(
            pk=pk,
            bank=bank,
            text=text or f"Question {next(_sequence)}?",
            kind="single" if len(correct) == 1 else "multiple",
            marks=Decimal(marks),
            negative_marks=Decimal(negative_marks),
        )
        for i in range(choices):
            Choice.objects.create(
                question=question, text="ABCDEFGHIJ"[i], is_correct=i in correct, position=i
            )
        return question


def make_assessment(
    college,
    questions: list[Question],
    *,
    drive=None,
    round=None,
    time_limit_minutes: int = 30,
    pass_marks: str = "0",  # noqa: S107 (marks, not a password)
    status: str = "published",
    opens_at=None,
    closes_at=None,
    title: str | None = None,
    pk: int | None = None,
) -> Assessment:
    with tenant_context(college):
        assessment = Assessment.objects.create(
            pk=pk,
            title=title or f"Assessment {next(_sequence)}",
            drive=drive,
            round=round,
            time_limit_minutes=time_limit_minutes,
            pass_marks=Decimal(pass_marks),
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        for position, question in enumerate(questions):
            AssessmentQuestion.objects.create(
                assessment=assessment, question=question, position=position
            )
        return assessment


def correct_ids(college, question: Question) -> list[int]:
    with tenant_context(college):
        return sorted(question.choices.filter(is_correct=True).values_list("pk", flat=True))


def wrong_ids(college, question: Question) -> list[int]:
    with tenant_context(college):
        return sorted(question.choices.filter(is_correct=False).values_list("pk", flat=True))
