"""Notices the placement office posts to a batch, a department or a drive's applicants: mailed,
listed in each student's workspace, and counted as read when the student opens them."""

from django.db import models

from core.audit.models import SoftDeleteModel
from tenant_apps.drives.models import Drive
from tenant_apps.students.models import Student


class Audience(models.TextChoices):
    BATCH = "batch", "A batch (graduation year)"
    DEPARTMENT = "department", "A department"
    DRIVE = "drive", "A drive's applicants"


class Announcement(SoftDeleteModel):
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=10_000)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    graduation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    department = models.CharField(max_length=100, blank=True)
    drive = models.ForeignKey(
        Drive, null=True, blank=True, on_delete=models.PROTECT, related_name="announcements"
    )
    # the students it was posted to (their rows below), kept for the office's read/total
    recipients_total = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audience="batch", graduation_year__isnull=False)
                    | models.Q(audience="department") & ~models.Q(department="")
                    | models.Q(audience="drive", drive__isnull=False)
                ),
                name="announcement_audience_named",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRecipient(SoftDeleteModel):
    """A student an announcement was posted to, and when they first opened it."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="announcements_received"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-announcement_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "student"], name="announcement_recipient_once"
            )
        ]
        indexes = [
            models.Index(fields=["student", "announcement"], name="announcement_student_idx"),
            models.Index(
                fields=["announcement"],
                condition=models.Q(read_at__isnull=False),
                name="announcement_read_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Announcement {self.announcement_id} to student {self.student_id}"
