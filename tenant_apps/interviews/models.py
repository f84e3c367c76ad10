from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.audit.models import SoftDeleteModel
from tenant_apps.applications.models import Application
from tenant_apps.drives.models import DriveRound
from tenant_apps.students.models import Student


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CLEARED = "cleared", "Cleared"
    REJECTED = "rejected", "Rejected"
    NO_SHOW = "no_show", "No show"


class Interview(SoftDeleteModel):
    """One round of an application's selection process: when and where, and its result."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="interviews"
    )
    # Denormalised from the application: the double-booking check looks slots up by student.
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="interviews")
    round = models.ForeignKey(DriveRound, on_delete=models.PROTECT, related_name="interviews")
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    ends_at = models.DateTimeField(editable=False)
    venue = models.CharField(max_length=200, blank=True)
    meeting_link = models.URLField(max_length=500, blank=True)
    interviewer = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED
    )
    feedback = models.TextField(blank=True)
    # iCalendar's SEQUENCE: each reschedule or cancellation mailed is a newer version of the
    # same event (same UID), which calendars apply over the older one.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round"],
                condition=models.Q(deleted_at__isnull=True),
                name="interview_once_per_round",
            )
        ]
        indexes = [
            models.Index(fields=["student", "scheduled_at"], name="interview_student_slot_idx"),
            # the lists' default order (the schedule), read 20 rows at a time
            models.Index(
                fields=["scheduled_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="interview_schedule_alive_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk} (application {self.application_id}, round {self.round_id})"

    def save(self, *args, **kwargs):
        self.ends_at = self.scheduled_at + timedelta(minutes=self.duration_minutes)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"scheduled_at", "duration_minutes"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "ends_at"}
        super().save(*args, **kwargs)
