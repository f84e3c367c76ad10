from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.audit.models import SoftDeleteModel
from tenant_apps.applications.models import Application, ApplicationStatus
from tenant_apps.drives.models import DriveRound
from tenant_apps.students.models import Student

# The applications whose rounds can be scheduled (and booked into slots).
SCHEDULABLE = frozenset({ApplicationStatus.SHORTLISTED, ApplicationStatus.IN_PROCESS})


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CLEARED = "cleared", "Cleared"
    REJECTED = "rejected", "Rejected"
    NO_SHOW = "no_show", "No show"


class RoundScheduling(SoftDeleteModel):
    """How a round's interview slots are filled: by the office (automatically, in shortlist
    order) only, or also by the students themselves picking a free slot."""

    round = models.OneToOneField(DriveRound, on_delete=models.CASCADE, related_name="scheduling")
    students_pick = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Scheduling of round {self.round_id}"


class InterviewSlot(SoftDeleteModel):
    """A time of a round when a panel interviews up to `capacity` applicants. Each applicant
    booked is an `Interview` of the slot (its time and place copied from the slot)."""

    round = models.ForeignKey(DriveRound, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    ends_at = models.DateTimeField(editable=False)
    venue = models.CharField(max_length=200, blank=True)
    meeting_link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="interview_slot_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="interview_slot_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["round", "starts_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="interview_slot_round_idx",
            ),
            # the lists' order: a page is read off the index, not sorted out of every slot
            models.Index(
                fields=["starts_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="slot_schedule_alive_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Slot {self.pk} of round {self.round_id}"

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
        super().save(*args, **kwargs)


class SlotPanelist(SoftDeleteModel):
    """One interviewer of a slot's panel: a member of the placement office or a recruiter of
    the drive's company. Nobody sits on two panels at overlapping times."""

    slot = models.ForeignKey(InterviewSlot, on_delete=models.CASCADE, related_name="panelists")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )

    class Meta:
        ordering = ["slot_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "user"],
                condition=models.Q(deleted_at__isnull=True),
                name="slot_panelist_once",
            )
        ]
        indexes = [models.Index(fields=["user", "slot"], name="slot_panelist_user_idx")]

    def __str__(self) -> str:
        return f"User {self.user_id} on slot {self.slot_id}"


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
    # the slot this interview was booked into (None: scheduled one by one, with its own time)
    slot = models.ForeignKey(
        InterviewSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="interviews"
    )
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
