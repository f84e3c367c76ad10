import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Lower, Upper

from core.audit.models import SoftDeleteModel
from tenant_apps.kit.files import generated_pdf_name
from tenant_apps.kit.jobs import BackgroundJob

CGPA_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]
RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(10)]
PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
YEAR_VALIDATORS = [MinValueValidator(1950), MaxValueValidator(2100)]
# Fields a verified profile freezes until it is unverified.
ACADEMIC_FIELDS = (
    "roll_number",
    "department",
    "graduation_year",
    "cgpa",
    "backlogs",
    "tenth_pct",
    "twelfth_pct",
    "twelfth_board",
)


class PlacementStatus(models.TextChoices):
    UNPLACED = "unplaced", "Not placed"
    PLACED = "placed", "Placed"  # has accepted an offer


class VerificationStatus(models.TextChoices):
    DRAFT = "draft", "Not submitted"
    SUBMITTED = "submitted", "Waiting for the placement office"
    RETURNED = "returned", "Sent back for changes"
    VERIFIED = "verified", "Verified"


class TwelfthBoard(models.TextChoices):
    TWELFTH = "twelfth", "12th"
    DIPLOMA = "diploma", "Diploma"


class Skill(SoftDeleteModel):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(deleted_at__isnull=True),
                name="skill_name_unique_alive",
            )
        ]

    def __str__(self) -> str:
        return self.name


def resume_upload_to(instance, filename: str) -> str:
    return generated_pdf_name("resumes")  # never the client's file name


class Student(SoftDeleteModel):
    """A student's placement profile, one-to-one with a user of role `student`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student"
    )
    roll_number = models.CharField(max_length=50)
    department = models.CharField(max_length=100)
    graduation_year = models.PositiveSmallIntegerField(validators=YEAR_VALIDATORS)
    cgpa = models.DecimalField(max_digits=4, decimal_places=2, validators=CGPA_VALIDATORS)
    backlogs = models.PositiveSmallIntegerField(default=0)
    phone = models.CharField(max_length=20, blank=True)
    education = models.JSONField(default=list, blank=True)
    experience = models.JSONField(default=list, blank=True)
    # 10th and 12th (or diploma) marks, in percent
    tenth_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    twelfth_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    twelfth_board = models.CharField(
        max_length=10, choices=TwelfthBoard.choices, default=TwelfthBoard.TWELFTH
    )
    is_verified = models.BooleanField(default=False)
    # the verification queue: the student submits, staff verify or send it back with a comment
    verification_status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.DRAFT
    )
    verification_submitted_at = models.DateTimeField(null=True, blank=True)
    verification_comment = models.CharField(max_length=1000, blank=True)
    verification_returned_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placement_status = models.CharField(
        max_length=20, choices=PlacementStatus.choices, default=PlacementStatus.UNPLACED
    )
    # the tier of the accepted offer (the offer tiers' rule), and how many offers the student
    # has accepted this season (released ones included: the college's maximum counts them)
    placed_tier = models.ForeignKey(
        "applications.OfferTier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    offers_accepted = models.PositiveSmallIntegerField(default=0)
    resume = models.FileField(upload_to=resume_upload_to, max_length=255, blank=True)
    resume_uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["roll_number", "id"]
        constraints = [
            models.UniqueConstraint(
                Upper("roll_number"),
                condition=models.Q(deleted_at__isnull=True),
                name="student_roll_number_unique_alive",
            ),
            models.CheckConstraint(
                condition=models.Q(cgpa__gte=0, cgpa__lte=10), name="student_cgpa_0_10"
            ),
        ]
        indexes = [
            # the lists' default order, read 20 rows at a time
            models.Index(
                fields=["roll_number", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="student_roll_number_alive_idx",
            ),
            models.Index(fields=["department", "graduation_year"], name="student_dept_year_idx"),
            models.Index(fields=["cgpa"], name="student_cgpa_idx"),
            # the office's verification queue
            models.Index(
                fields=["verification_submitted_at", "id"],
                condition=models.Q(verification_status="submitted", deleted_at__isnull=True),
                name="student_verification_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.roll_number

    @transaction.atomic
    def delete(self, using=None, keep_parents=False):
        # A deleted profile cannot sign in; restoring it lets the student back in.
        result = super().delete(using=using, keep_parents=keep_parents)
        get_user_model().objects.filter(pk=self.user_id).update(is_active=False)
        return result

    @transaction.atomic
    def restore(self) -> None:
        super().restore()
        get_user_model().objects.filter(pk=self.user_id).update(is_active=True)


class StudentSkill(SoftDeleteModel):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="skill_ratings")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "skill"],
                condition=models.Q(deleted_at__isnull=True),
                name="student_skill_unique_alive",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=10), name="student_skill_rating_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.rating}"


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{uuid.uuid4().hex}"  # never the client's file name


class StudentImport(BackgroundJob):
    """A student import run in the background (large files): the uploaded file waits in the
    college's storage until the job has read it."""

    file = models.FileField(upload_to=import_upload_to, max_length=255, blank=True)
    dry_run = models.BooleanField(default=True)
    invite = models.BooleanField(default=True)
    link_base = models.CharField(
        max_length=255, blank=True, help_text="scheme://host of the college, for invitations"
    )

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Student import {self.pk} ({self.status})"
