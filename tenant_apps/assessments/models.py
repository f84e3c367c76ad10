"""Assessments: question banks of multiple-choice questions, timed assessments (optionally a
round of a drive) and the students' attempts at them.

An attempt's questions come in an order shuffled for that attempt alone (`question_order`, from
`seed`), one at a time: `position` is the index of the question the student is on. An attempt
ends when the student submits it or at its `deadline` (whichever comes first); only then is it
scored and may the student see the correct answers."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.audit.models import SoftDeleteModel
from tenant_apps.drives.models import Drive, DriveRound
from tenant_apps.students.models import Student

MARKS_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))]


def _marks(**kwargs):
    return models.DecimalField(
        max_digits=6, decimal_places=2, validators=MARKS_VALIDATORS, **kwargs
    )


class QuestionBank(SoftDeleteModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(deleted_at__isnull=True),
                name="question_bank_name_unique_alive",
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    SINGLE = "single", "One correct choice"
    MULTIPLE = "multiple", "One or more correct choices"


class Question(SoftDeleteModel):
    """A multiple-choice question. Scoring: `marks` when the selected choices are exactly the
    correct ones, minus `negative_marks` when anything else was selected, 0 when left blank."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    marks = _marks(default=Decimal("1"))
    negative_marks = _marks(default=Decimal("0"))

    class Meta:
        ordering = ["bank_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(marks__gt=0), name="question_marks_positive"),
            models.CheckConstraint(
                condition=models.Q(negative_marks__gte=0),
                name="question_negative_marks_not_below_0",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(SoftDeleteModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=1000)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question_id", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Assessment(SoftDeleteModel):
    """A timed test. Tied to a drive (and optionally one of its rounds), it is for the students
    with an open application to that drive; otherwise for every student of the college."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    drive = models.ForeignKey(
        Drive, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    round = models.ForeignKey(
        DriveRound, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    pass_marks = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["drive", "status"], name="assessment_drive_status_idx")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == AssessmentStatus.PUBLISHED
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )


class AssessmentQuestion(SoftDeleteModel):
    """A question of an assessment (the authored order; each attempt shuffles it)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="assessment_questions"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assessment_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"],
                condition=models.Q(deleted_at__isnull=True),
                name="assessment_question_once",
            )
        ]


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"  # by the student, or at the deadline


class SubmittedBy(models.TextChoices):
    STUDENT = "student", "The student"
    DEADLINE = "deadline", "The deadline"


class Attempt(SoftDeleteModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=10, choices=SubmittedBy.choices, blank=True)
    seed = models.BigIntegerField(help_text="Shuffles this attempt's questions and choices.")
    question_order = ArrayField(models.BigIntegerField(), default=list)
    position = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "student"],
                condition=models.Q(deleted_at__isnull=True),
                name="attempt_once_per_student",
            )
        ]
        indexes = [
            # the sweep of attempts whose deadline passed
            models.Index(
                fields=["deadline"],
                condition=models.Q(status="in_progress", deleted_at__isnull=True),
                name="attempt_running_deadline_idx",
            ),
            models.Index(fields=["assessment", "-score"], name="attempt_assessment_score_idx"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} (assessment {self.assessment_id}, student {self.student_id})"

    @property
    def is_running(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    def is_overdue(self, now=None) -> bool:
        return self.is_running and self.deadline <= (now or timezone.now())

    def remaining(self, now=None) -> timedelta:
        if not self.is_running:
            return timedelta(0)
        return max(self.deadline - (now or timezone.now()), timedelta(0))


class Answer(SoftDeleteModel):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    choice_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    marks_awarded = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"],
                condition=models.Q(deleted_at__isnull=True),
                name="answer_once_per_question",
            )
        ]
