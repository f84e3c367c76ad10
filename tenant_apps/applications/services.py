"""Writes of applications and offers: applying (eligibility, deadline, once per drive), the state
machine (one application or hundreds at once, all or nothing), offers and the offer tiers."""

from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts.models import STAFF_ROLES, Role, User
from core.api.errors import Conflict
from shared_apps.billing import limits as plan_limits
from tenant_apps.applications.models import (
    MOVER_TARGETS,
    OFFER_TARGETS,
    OPEN_STATUSES,
    STUDENT_TARGETS,
    SYSTEM_ONLY,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
    offer_letter_upload_to,
)
from tenant_apps.applications.tiers import Tier, offer_tiers, rank_column, tier_of
from tenant_apps.drives.eligibility import drive_ineligibility_reasons
from tenant_apps.drives.models import Drive
from tenant_apps.kit.audit import audit_bulk_update
from tenant_apps.kit.errors import DriveClosed, InvalidTransition, NotEligible
from tenant_apps.kit.files import pdf_checked
from tenant_apps.notifications import tasks as notify
from tenant_apps.students.models import PlacementStatus, Student
from tenant_apps.students.services import megabytes

# --- Applying ------------------------------------------------------------------------------------


@transaction.atomic
def application_create(*, student: Student, drive: Drive) -> Application:
    """The student applies: the drive must accept applications (`drive_closed`), once per drive
    (`409 conflict`), and the student must be eligible (`not_eligible`, with the reasons)."""
    # the student's row lock orders this against accepting an offer (the placement policy)
    student = Student.all_objects.select_for_update(of=("self",)).get(pk=student.pk)
    if not drive.accepts_applications:
        raise DriveClosed(
            "This drive does not accept applications any more."
            if drive.apply_by <= timezone.now()
            else f"This drive is {drive.status}: it does not accept applications."
        )
    if Application.objects.filter(student=student, drive=drive).exists():
        raise Conflict("You have already applied to this drive.")
    reasons = drive_ineligibility_reasons(drive=drive, student=student)
    if reasons:
        raise NotEligible(reasons)
    return Application.objects.create(student=student, drive=drive)


# --- Moving --------------------------------------------------------------------------------------


def allowed_targets(*, actor: User) -> frozenset[str]:
    if actor.role in STAFF_ROLES or actor.role == Role.RECRUITER:
        return MOVER_TARGETS
    if actor.role == Role.STUDENT:
        return STUDENT_TARGETS
    return frozenset()


def _refusal(*, current: str, target: str, actor: User | None) -> str | None:
    """Why the move from `current` to `target` is refused (None: allowed). `actor` None: a move
    the system makes (accepting or declining an offer, the one-offer policy)."""
    if target not in TRANSITIONS.get(current, frozenset()):
        return f"An application that is {current} cannot become {target}."
    if actor is not None and (current, target) in SYSTEM_ONLY:
        return f"An application that is {current} cannot become {target}."
    if actor is not None and target not in allowed_targets(actor=actor):
        if target in OFFER_TARGETS:
            return "Offers are accepted or declined by the student, on the offer."
        if target in STUDENT_TARGETS:
            return "Only the student can withdraw an application."
        return f"Your role cannot move an application to {target}."
    return None


def _stage_fields(target: str, *, actor: User | None, at, note: str) -> dict:
    return {
        "status": target,
        "status_changed_at": at,
        "note": note,
        f"{target}_at": at,
        f"{target}_by": actor,
    }


@transaction.atomic
def application_move(
    *, application: Application, status: str, actor: User, note: str = "", by_system: bool = False
) -> Application:
    """One move of the state machine (`400 invalid_transition` when not allowed), stamped with
    its time and its author."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    refusal = _refusal(
        current=application.status, target=status, actor=None if by_system else actor
    )
    if refusal:
        raise InvalidTransition(
            refusal, details={"from": application.status, "to": status, "id": application.pk}
        )
    for name, value in _stage_fields(status, actor=actor, at=timezone.now(), note=note).items():
        setattr(application, name, value)
    application.save()
    notify.queue_after_commit(notify.notify_application_status, [application.pk], status)
    if status not in OPEN_STATUSES:
        _offers_withdraw(application_ids=[application.pk], keep=status)
    return application


@transaction.atomic
def applications_bulk_move(
    *,
    scope: QuerySet[Application],
    ids: list[int],
    status: str,
    actor: User | None,
    note: str = "",
    by_system: bool = False,
) -> list[int]:
    """Moves many applications (of the caller's `scope`) at once, all or nothing: if one is not
    found or cannot make the move, none moves. One UPDATE, one audit entry per application.
    `by_system`: a move the system makes (an interview's result), not checked against the
    actor's role."""
    ids = sorted(set(ids))
    current = dict(
        scope.alive().select_for_update(of=("self",)).filter(pk__in=ids).values_list("pk", "status")
    )
    missing = [pk for pk in ids if pk not in current]
    if missing:
        raise ValidationError({"applications": [f"Not found: {missing}."]})
    refused = [
        {"id": pk, "status": current[pk], "reason": reason}
        for pk in ids
        if (
            reason := _refusal(
                current=current[pk], target=status, actor=None if by_system else actor
            )
        )
    ]
    if refused:
        raise InvalidTransition(
            f"{len(refused)} of {len(ids)} applications cannot become {status}: none was moved.",
            details={"refused": refused},
        )
    now = timezone.now()
    Application.objects.filter(pk__in=ids).update(
        **_stage_fields(status, actor=actor, at=now, note=note), updated_at=now, updated_by=actor
    )
    audit_bulk_update(
        model=Application,
        changes={pk: {"status": [current[pk], status]} for pk in ids},
        actor=actor,
    )
    notify.queue_after_commit(notify.notify_application_status, ids, status)
    if status not in OPEN_STATUSES:
        _offers_withdraw(application_ids=ids, keep=status)
    return ids


def application_withdraw(*, application: Application, actor: User) -> Application:
    return application_move(
        application=application, status=ApplicationStatus.WITHDRAWN, actor=actor
    )


def _offers_withdraw(*, application_ids: list[int], keep: str) -> None:
    """Pending offers of applications that left the process are withdrawn (row by row, audited;
    there are few)."""
    if keep in OFFER_TARGETS:
        return  # the offer itself was answered
    pending = Offer.objects.filter(application_id__in=application_ids, status=OfferStatus.PENDING)
    for offer in pending.select_for_update():
        offer.status = OfferStatus.WITHDRAWN
        offer.save(update_fields=["status"])


# --- Offers --------------------------------------------------------------------------------------


@transaction.atomic
def offer_create(
    *,
    application: Application,
    ctc: Decimal,
    expires_at,
    joining_date=None,
    letter=None,
) -> Offer:
    """Staff make the offer of an application in the `offered` status (one per application)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.OFFERED:
        raise InvalidTransition(
            f"Offers are made on applications in the offered status; this one is "
            f"{application.status}.",
            details={"status": application.status},
        )
    if Offer.objects.filter(application=application).exists():
        raise Conflict("This application already has an offer.")
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["The offer would be expired already."]})
    offer = Offer(
        application=application, ctc=ctc, expires_at=expires_at, joining_date=joining_date
    )
    if letter is not None:
        _letter_store(offer, letter)
    offer.save()
    notify.queue_after_commit(notify.notify_offer_created, offer.pk)
    return offer


def _letter_store(offer: Offer, letter) -> None:
    pdf_checked(letter)
    plan_limits.ensure_room_for("storage_mb", adding=megabytes(letter.size))
    offer.letter.save(offer_letter_upload_to(offer, ""), letter, save=False)


@transaction.atomic
def offer_update(*, offer: Offer, **changes) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.PENDING:
        raise InvalidTransition(f"This offer is {offer.status}: it can no longer change.")
    if "expires_at" in changes and changes["expires_at"] <= timezone.now():
        raise ValidationError({"expires_at": ["The offer would be expired already."]})
    previous_letter = offer.letter.name
    letter = changes.pop("letter", None)
    for name, value in changes.items():
        setattr(offer, name, value)
    if letter is not None:
        _letter_store(offer, letter)
        if previous_letter:
            transaction.on_commit(lambda: default_storage.delete(previous_letter))
    offer.save()
    return offer


def _pending_offer(offer: Offer) -> tuple[Offer, Student]:
    """The offer, locked with its student, if it can still be answered."""
    student = Student.all_objects.select_for_update(of=("self",)).get(
        pk=offer.application.student_id
    )
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("application__drive__company")
        .get(pk=offer.pk)
    )
    if offer.status != OfferStatus.PENDING:
        raise InvalidTransition(f"This offer is already {offer.status}.")
    if offer.is_expired:
        raise InvalidTransition(
            f"This offer expired at {offer.expires_at.isoformat()}.",
            details={"expires_at": offer.expires_at.isoformat()},
        )
    return offer, student


def offer_tier(offer: Offer) -> Tier | None:
    """The tier of an offer: its drive's named tier, else the band of the offer's own CTC."""
    return tier_of(tier_id=offer.application.drive.offer_tier_id, ctc=offer.ctc)


def applications_withdrawn_on_accept(
    *, application: Application, tier: Tier | None = None
) -> QuerySet[Application]:
    """The student's other open applications that accepting the offer on `application`
    withdraws: with offer tiers, those to drives not of a higher tier than the offer's; none
    without tiers. The confirmation page shows the student this same list."""
    tiers = offer_tiers()
    if not tiers:
        return Application.objects.none()
    if tier is None:
        offer = application.offers.select_related("application__drive").first()
        tier = offer_tier(offer) if offer else tier_of(tier_id=None, ctc=application.drive.ctc)
    rank = tier.rank if tier else 0
    return (
        Application.objects.filter(student_id=application.student_id, status__in=OPEN_STATUSES)
        .exclude(pk=application.pk)
        .alias(tier_rank=rank_column(tier="drive__offer_tier", ctc="drive__ctc"))
        .filter(tier_rank__lte=rank)
    )


def accepted_released_on_accept(*, application: Application) -> QuerySet[Application]:
    """The accepted application (at most one) that accepting the offer on `application`
    releases."""
    return Application.objects.filter(
        student_id=application.student_id, status=ApplicationStatus.ACCEPTED
    ).exclude(pk=application.pk)


def _release(*, application: Application, actor: User, now, note: str) -> None:
    """The student's accepted offer gives way to one of a higher tier: the offer and its
    application are declined, with who and when."""
    for offer in Offer.objects.select_for_update().filter(
        application=application, status=OfferStatus.ACCEPTED
    ):
        offer.status, offer.released_at, offer.released_by = OfferStatus.DECLINED, now, actor
        offer.save(update_fields=["status", "released_at", "released_by"])
    application_move(
        application=application,
        status=ApplicationStatus.DECLINED,
        actor=actor,
        note=note,
        by_system=True,
    )


@transaction.atomic
def offer_accept(*, offer: Offer, actor: User) -> Offer:
    """The student accepts before expiry, if the offer tiers allow (`not_eligible` with a
    `placement_policy` or `max_offers` reason otherwise). The student is placed in the offer's
    tier; an offer accepted before (of a lower tier) is released, declined with who and when;
    with offer tiers, the other open applications not of a higher tier are withdrawn. All in
    this one transaction, under the lock of the student's row: whatever the order or the
    concurrency, a student never holds two accepted offers (and a partial unique constraint
    says so once more)."""
    offer, student = _pending_offer(offer)
    application = offer.application
    reasons = drive_ineligibility_reasons(
        drive=application.drive,
        student=student,
        ctc=offer.ctc,
        codes={"placement_policy", "max_offers"},
    )
    if reasons:
        raise NotEligible(reasons, "The college's placement policy does not allow this offer.")
    tier = offer_tier(offer)
    now = timezone.now()
    company = application.drive.company.name
    for accepted in accepted_released_on_accept(application=application).select_for_update():
        _release(
            application=accepted,
            actor=actor,
            now=now,
            note=f"Released on accepting the offer of {company}"
            + (f" ({tier.name} tier)." if tier else "."),
        )
    offer.status, offer.responded_at = OfferStatus.ACCEPTED, now
    offer.save(update_fields=["status", "responded_at"])
    application_move(
        application=application, status=ApplicationStatus.ACCEPTED, actor=actor, by_system=True
    )
    student.placement_status = PlacementStatus.PLACED
    student.placed_tier_id = tier.id if tier else None
    student.offers_accepted += 1
    student.save(update_fields=["placement_status", "placed_tier", "offers_accepted"])
    notify.queue_after_commit(notify.notify_offer_response, offer.pk)
    for other in applications_withdrawn_on_accept(application=application, tier=tier):
        application_move(
            application=other,
            status=ApplicationStatus.WITHDRAWN,
            actor=actor,
            note="Withdrawn on accepting another offer (the offer tiers' one-offer policy).",
            by_system=True,
        )
    return offer


@transaction.atomic
def offer_decline(*, offer: Offer, actor: User) -> Offer:
    offer, _student = _pending_offer(offer)
    offer.status, offer.responded_at = OfferStatus.DECLINED, timezone.now()
    offer.save(update_fields=["status", "responded_at"])
    application_move(
        application=offer.application,
        status=ApplicationStatus.DECLINED,
        actor=actor,
        by_system=True,
    )
    notify.queue_after_commit(notify.notify_offer_response, offer.pk)
    return offer


# --- Deletion --------------------------------------------------------------------------------


def student_placement_refresh(*, student_id: int) -> None:
    """A student is placed while one of their accepted offers (and its application) is alive,
    in the tier of that offer."""
    accepted = (
        Offer.objects.filter(
            Q(application__deleted_at__isnull=True),
            application__student_id=student_id,
            status=OfferStatus.ACCEPTED,
        )
        .select_related("application__drive")
        .first()
    )
    status = PlacementStatus.PLACED if accepted else PlacementStatus.UNPLACED
    tier = offer_tier(accepted) if accepted else None
    tier_id = tier.id if tier else None
    for student in Student.all_objects.filter(pk=student_id).exclude(
        placement_status=status, placed_tier_id=tier_id
    ):
        student.placement_status, student.placed_tier_id = status, tier_id
        student.save(update_fields=["placement_status", "placed_tier"])


@transaction.atomic
def application_delete(*, application: Application) -> None:
    application.delete()
    student_placement_refresh(student_id=application.student_id)


@transaction.atomic
def application_restore(*, application: Application) -> None:
    _ensure_one_accepted(application=application)
    application.restore()
    student_placement_refresh(student_id=application.student_id)


def _ensure_one_accepted(*, application: Application) -> None:
    Student.all_objects.select_for_update(of=("self",)).get(pk=application.student_id)
    if (
        application.status == ApplicationStatus.ACCEPTED
        and accepted_released_on_accept(application=application).exists()
    ):
        raise Conflict(
            "The student holds another accepted offer: a student holds one at most, so this "
            "accepted application cannot come back."
        )


@transaction.atomic
def offer_delete(*, offer: Offer) -> None:
    offer.delete()
    student_placement_refresh(student_id=offer.application.student_id)


@transaction.atomic
def offer_restore(*, offer: Offer) -> None:
    _ensure_one_accepted(application=offer.application)
    offer.restore()
    student_placement_refresh(student_id=offer.application.student_id)
