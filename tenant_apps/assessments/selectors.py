"""Reads of assessments: the caller's scopes, the read models of lists, the question a student
is on (never with its correct choices) and the review of an ended attempt (with them)."""

from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone

from tenant_apps.assessments.models import (
    Answer,
    Assessment,
    AssessmentQuestion,
    Attempt,
    AttemptStatus,
    Choice,
    Question,
    QuestionBank,
)
from tenant_apps.assessments.shuffle import shuffled
from tenant_apps.kit.readmodel import ReadModel

# --- Scopes ----------------------------------------------------------------------------------


# --- Read models -----------------------------------------------------------------------------


def bank_rows(queryset: QuerySet[QuestionBank]) -> QuerySet:
    questions = Question.objects.filter(bank=OuterRef("pk")).order_by().values("id")
    return queryset.values(
        "id", "name", "description", "created_at", "updated_at",
        question_ids=ArraySubquery(questions),
    )  # fmt: skip


BANK_READ_MODEL = ReadModel(QuestionBank, bank_rows)


def bank_output(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "question_count": len(row["question_ids"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _choices_of(question_ref: str) -> ArraySubquery:
    return ArraySubquery(
        Choice.objects.filter(question=OuterRef(question_ref))
        .order_by("position", "id")
        .values(json=JSONObject(id="id", text="text", is_correct="is_correct"))
    )


def question_rows(queryset: QuerySet[Question]) -> QuerySet:
    return queryset.values(
        "id", "text", "kind", "marks", "negative_marks", "created_at", "updated_at",
        bank_ref=F("bank_id"),
        bank_name=F("bank__name"),
        choice_list=_choices_of("pk"),
    )  # fmt: skip


QUESTION_READ_MODEL = ReadModel(Question, question_rows)


def question_output(row: dict) -> dict:
    return {
        "id": row["id"],
        "bank": {"id": row["bank_ref"], "name": row["bank_name"]},
        "text": row["text"],
        "kind": row["kind"],
        "marks": str(row["marks"]),
        "negative_marks": str(row["negative_marks"]),
        "choices": row["choice_list"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def assessment_rows(queryset: QuerySet[Assessment]) -> QuerySet:
    questions = (
        AssessmentQuestion.objects.filter(assessment=OuterRef("pk"))
        .order_by("position", "id")
        .values(json=JSONObject(id="question_id", marks="question__marks"))
    )
    return queryset.values(
        "id", "title", "description", "time_limit_minutes", "pass_marks", "opens_at",
        "closes_at", "status", "created_at", "updated_at",
        drive_ref=F("drive_id"),
        drive_title=F("drive__title"),
        round_ref=F("round_id"),
        round_sequence=F("round__sequence"),
        round_kind=F("round__kind"),
        round_name=F("round__name"),
        question_list=ArraySubquery(questions),
    )  # fmt: skip


ASSESSMENT_READ_MODEL = ReadModel(Assessment, assessment_rows)


def assessment_output(row: dict, *, with_questions: bool) -> dict:
    """`with_questions`: the question ids (staff, who author them)."""
    questions = row["question_list"]
    output = {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "drive": (
            {"id": row["drive_ref"], "title": row["drive_title"]} if row["drive_ref"] else None
        ),
        "round": (
            {
                "id": row["round_ref"],
                "sequence": row["round_sequence"],
                "kind": row["round_kind"],
                "name": row["round_name"],
            }
            if row["round_ref"]
            else None
        ),
        "time_limit_minutes": row["time_limit_minutes"],
        "pass_marks": str(row["pass_marks"]),
        "opens_at": row["opens_at"],
        "closes_at": row["closes_at"],
        "status": row["status"],
        "question_count": len(questions),
        "total_marks": str(sum((Decimal(str(q["marks"])) for q in questions), Decimal("0.00"))),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if with_questions:
        output["questions"] = [question["id"] for question in questions]
    return output


def attempt_rows(queryset: QuerySet[Attempt]) -> QuerySet:
    return queryset.values(
        "id", "status", "started_at", "deadline", "submitted_at", "submitted_by", "score",
        "position", "question_order", "created_at", "updated_at",
        assessment_ref=F("assessment_id"),
        assessment_title=F("assessment__title"),
        pass_marks=F("assessment__pass_marks"),
        student_ref=F("student_id"),
        roll_number=F("student__roll_number"),
        first_name=F("student__user__first_name"),
        last_name=F("student__user__last_name"),
    )  # fmt: skip


ATTEMPT_READ_MODEL = ReadModel(Attempt, attempt_rows)


def attempt_output(row: dict, *, now=None) -> dict:
    now = now or timezone.now()
    running = row["status"] == AttemptStatus.IN_PROGRESS
    score = row["score"]
    return {
        "id": row["id"],
        "assessment": {"id": row["assessment_ref"], "title": row["assessment_title"]},
        "student": {
            "id": row["student_ref"],
            "roll_number": row["roll_number"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
        },
        "status": row["status"],
        "started_at": row["started_at"],
        "deadline": row["deadline"],
        "remaining_seconds": (
            max(int((row["deadline"] - now).total_seconds()), 0) if running else 0
        ),
        "answered": row["position"],
        "question_count": len(row["question_order"]),
        "submitted_at": row["submitted_at"],
        "submitted_by": row["submitted_by"] or None,
        "score": None if score is None else str(score),
        "passed": None if score is None else score >= row["pass_marks"],
    }


# --- One attempt -----------------------------------------------------------------------------


def attempt_current_question(attempt: Attempt) -> dict | None:
    """The question the student is on, its choices in this attempt's order: never whether a
    choice is correct. None once every question is answered or the attempt ended."""
    if not attempt.is_running or attempt.position >= len(attempt.question_order):
        return None
    question_id = attempt.question_order[attempt.position]
    question = Question.all_objects.get(pk=question_id)
    choices = list(Choice.objects.filter(question_id=question_id).values("id", "text"))
    return {
        "id": question.pk,
        "number": attempt.position + 1,
        "text": question.text,
        "kind": question.kind,
        "marks": str(question.marks),
        "negative_marks": str(question.negative_marks),
        "choices": shuffled(choices, seed=attempt.seed, salt=question_id),
    }


def attempt_review(attempt: Attempt) -> list[dict]:
    """An ended attempt, question by question in the order it was taken: the choices with the
    correct ones marked, what was selected and the marks awarded. Three queries."""
    order = attempt.question_order
    questions = {
        row["id"]: row
        for row in Question.all_objects.filter(pk__in=order).values(
            "id", "text", "kind", "marks", "negative_marks", choice_list=_choices_of("pk")
        )
    }
    answers = {
        answer["question_id"]: answer
        for answer in Answer.objects.filter(attempt=attempt).values(
            "question_id", "choice_ids", "marks_awarded"
        )
    }
    review = []
    for number, question_id in enumerate(order, start=1):
        question = questions[question_id]
        answer = answers.get(question_id)
        review.append(
            {
                "number": number,
                "question": question_id,
                "text": question["text"],
                "kind": question["kind"],
                "marks": str(question["marks"]),
                "negative_marks": str(question["negative_marks"]),
                "choices": shuffled(question["choice_list"], seed=attempt.seed, salt=question_id),
                "selected": answer["choice_ids"] if answer else [],
                "marks_awarded": (
                    str(answer["marks_awarded"])
                    if answer and answer["marks_awarded"] is not None
                    else "0.00"
                ),
            }
        )
    return review
