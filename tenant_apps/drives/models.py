from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from core.audit.models import SoftDeleteModel
from tenant_apps.companies.models import Company
from tenant_apps.students.models import (
    CGPA_VALIDATORS,
    PERCENT_VALIDATORS,
    RATING_VALIDATORS,
    Skill,
    Student,
)


class JobType(models.TextChoices):
    FULL_TIME = "full_time", "Full time"
    INTERNSHIP = "internship", "Internship"


class DriveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    COMPLETED = "completed", "Completed"


# Where a drive's status may go next (anything else is `400 invalid_transition`).
DRIVE_TRANSITIONS: dict[str, frozenset[str]] = {
    DriveStatus.DRAFT: frozenset({DriveStatus.OPEN}),
    DriveStatus.OPEN: frozenset({DriveStatus.CLOSED}),
    DriveStatus.CLOSED: frozenset({DriveStatus.OPEN, DriveStatus.COMPLETED}),
    DriveStatus.COMPLETED: frozenset(),
}


class RoundKind(models.TextChoices):
    APTITUDE = "aptitude", "Aptitude test"
    TECHNICAL = "technical", "Technical interview"
    HR = "hr", "HR interview"
    GROUP_DISCUSSION = "group_discussion", "Group discussion"
    CODING = "coding", "Coding test"
    MANAGERIAL = "managerial", "Managerial interview"
    OTHER = "other", "Other"


def accepting_applications() -> models.Q:
    """Drives a student may apply to now: open, before their `apply_by`."""
    return models.Q(status=DriveStatus.OPEN, apply_by__gt=timezone.now())


class Drive(SoftDeleteModel):
    """A company's recruitment drive at the college, with its eligibility criteria."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="drives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    job_type = models.CharField(max_length=20, choices=JobType.choices)
    ctc = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)],
        help_text="Annual cost to company (stipend for internships), in the college's currency.",
    )  # fmt: skip
    location = models.CharField(max_length=200, blank=True)
    # Eligibility: an empty list accepts every department / graduation year; no max_backlogs
    # accepts any number of backlogs.
    min_cgpa = models.DecimalField(
        max_digits=4, decimal_places=2, default=0, validators=CGPA_VALIDATORS
    )
    max_backlogs = models.PositiveSmallIntegerField(null=True, blank=True)
    departments = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    graduation_years = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    # 10th and 12th (or diploma) marks, in percent; empty: no minimum
    min_tenth_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    min_twelfth_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    # the offer tier the office puts the drive in; empty: the tier of its CTC band
    offer_tier = models.ForeignKey(
        "applications.OfferTier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drives",
    )
    apply_by = models.DateTimeField()
    status = models.CharField(max_length=20, choices=DriveStatus.choices, default=DriveStatus.DRAFT)

    class Meta:
        ordering = ["-apply_by", "-id"]
        indexes = [
            models.Index(fields=["status", "apply_by"], name="drive_status_apply_by_idx"),
            # the lists' order (read backwards): a page off the index, not a sort of every drive
            models.Index(
                fields=["apply_by", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="drive_apply_by_alive_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def accepts_applications(self) -> bool:
        return self.status == DriveStatus.OPEN and self.apply_by > timezone.now()


class DriveSkill(SoftDeleteModel):
    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="skill_weights")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "skill"],
                condition=models.Q(deleted_at__isnull=True),
                name="drive_skill_unique_alive",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10), name="drive_skill_weight_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} x{self.weight}"


class DriveRound(SoftDeleteModel):
    """One selection round of a drive, in order (`sequence` 1, 2, ...)."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="rounds")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30, choices=RoundKind.choices)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["drive_id", "sequence", "id"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class ListKind(models.TextChoices):
    INCLUDE = "include", "Included"
    EXCLUDE = "exclude", "Excluded"


class DriveStudentListEntry(SoftDeleteModel):
    """A student the office names on a drive, with its reason: included (eligible whatever the
    drive's criteria; verification and the offer tiers still apply) or excluded (never
    eligible)."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="student_list")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ListKind.choices)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["drive_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "student"],
                condition=models.Q(deleted_at__isnull=True),
                name="drive_student_list_once_alive",
            )
        ]
        indexes = [models.Index(fields=["student", "drive"], name="drive_list_student_idx")]

    def __str__(self) -> str:
        return f"{self.kind} student {self.student_id} on drive {self.drive_id}"
