from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.audit.models import SoftDeleteModel
from tenant_apps.drives.models import Drive
from tenant_apps.kit.files import generated_pdf_name
from tenant_apps.students.models import Student


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    SHORTLISTED = "shortlisted", "Shortlisted"
    IN_PROCESS = "in_process", "In process"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Offer accepted"
    DECLINED = "declined", "Offer declined"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = ApplicationStatus
OPEN_STATUSES = frozenset({S.APPLIED, S.SHORTLISTED, S.IN_PROCESS, S.OFFERED})
# The state machine: where an application may go from each open status. `rejected` from any open
# status; `withdrawn` (by the student) too; accepted and declined are final, as are the others.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.SHORTLISTED, S.REJECTED, S.WITHDRAWN}),
    S.SHORTLISTED: frozenset({S.IN_PROCESS, S.REJECTED, S.WITHDRAWN}),
    S.IN_PROCESS: frozenset({S.OFFERED, S.REJECTED, S.WITHDRAWN}),
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.REJECTED, S.WITHDRAWN}),
    # accepted is final for people: only the system releases it, when the student accepts an
    # offer of a higher tier (the accepted one is then declined, with who and when)
    S.ACCEPTED: frozenset({S.DECLINED}),
}
SYSTEM_ONLY = frozenset({(S.ACCEPTED, S.DECLINED)})
# Who makes which move: staff and recruiters move applicants on or reject them; the student
# withdraws; accepting and declining happen on the offer (offers/{id}/accept/, decline/).
MOVER_TARGETS = frozenset({S.SHORTLISTED, S.IN_PROCESS, S.OFFERED, S.REJECTED})
STUDENT_TARGETS = frozenset({S.WITHDRAWN})
OFFER_TARGETS = frozenset({S.ACCEPTED, S.DECLINED})
# Every status after `applied` has its own `<status>_at` and `<status>_by` columns (`applied` is
# `created_at` and `created_by`): when each stage was reached, and who moved the application.
STAGES = (S.SHORTLISTED, S.IN_PROCESS, S.OFFERED, S.ACCEPTED, S.DECLINED, S.REJECTED, S.WITHDRAWN)


def _stage_at():
    return models.DateTimeField(null=True, blank=True)


def _stage_by():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )


class OfferTier(SoftDeleteModel):
    """A category of offers the placement office names (Regular, Dream, Super Dream...), in its
    order (`rank` 1 the lowest). A drive is of the tier it names, else of the CTC band its CTC
    falls in (the tier with the greatest `min_ctc` at most the CTC). The tier rule: a student
    placed in a tier may apply only to drives of higher tiers, and accepting an offer of a
    higher tier releases the accepted one. No tiers: no rule (a placed student applies
    anywhere; accepting another offer still releases the accepted one)."""

    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    min_ctc = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Where the tier's CTC band starts; empty: drives are put in it by name only.",
    )

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(deleted_at__isnull=True),
                name="offer_tier_name_unique_alive",
            ),
            models.UniqueConstraint(
                fields=["rank"],
                condition=models.Q(deleted_at__isnull=True),
                name="offer_tier_rank_unique_alive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Application(SoftDeleteModel):
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="applications")
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=S.APPLIED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True, help_text="The last move's note.")
    shortlisted_at = _stage_at()
    shortlisted_by = _stage_by()
    in_process_at = _stage_at()
    in_process_by = _stage_by()
    offered_at = _stage_at()
    offered_by = _stage_by()
    accepted_at = _stage_at()
    accepted_by = _stage_by()
    declined_at = _stage_at()
    declined_by = _stage_by()
    rejected_at = _stage_at()
    rejected_by = _stage_by()
    withdrawn_at = _stage_at()
    withdrawn_by = _stage_by()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "drive"],
                condition=models.Q(deleted_at__isnull=True),
                name="application_once_per_drive",
            ),
            # a student never holds two accepted offers, whatever the order or concurrency
            # (offer_accept also locks the student's row: this is the last line)
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(status="accepted", deleted_at__isnull=True),
                name="application_one_accepted_per_student",
            ),
        ]
        indexes = [
            models.Index(fields=["drive", "status"], name="application_drive_status_idx"),
            models.Index(fields=["student", "status"], name="application_student_status_idx"),
            # the staff's usual view: one status, most recent moves first
            models.Index(
                fields=["status", "-status_changed_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="application_status_recent_idx",
            ),
            # a student's open applications and their drives, from the index alone: the
            # recommendations ask it of each of thousands of eligible students ("busy elsewhere")
            models.Index(
                fields=["student"],
                # the status is included, not in the condition: a partial index's IN list is
                # rewritten by PostgreSQL and would not survive the schema clone unchanged
                include=["drive", "status"],
                condition=models.Q(deleted_at__isnull=True),
                name="application_student_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} (student {self.student_id}, drive {self.drive_id})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"  # the application was withdrawn or rejected


def offer_letter_upload_to(instance, filename: str) -> str:
    return generated_pdf_name("offer-letters")


class Offer(SoftDeleteModel):
    """The offer made on an application in the `offered` status; the student accepts or
    declines it before it expires."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    ctc = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    joining_date = models.DateField(null=True, blank=True)
    expires_at = models.DateTimeField()
    letter = models.FileField(upload_to=offer_letter_upload_to, max_length=255, blank=True)
    status = models.CharField(
        max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # an accepted offer released when its student accepted one of a higher tier
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(deleted_at__isnull=True),
                name="offer_once_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} on application {self.application_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
