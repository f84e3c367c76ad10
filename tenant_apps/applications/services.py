"""Writes of applications and offers: applying (eligibility, deadline, once per drive), the state
machine (one application or hundreds at once, all or nothing), offers and the placement policy."""

from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.accounts.models import STAFF_ROLES, Role, User
from core.accounts.policies import college_settings
from core.api.errors import Conflict
from shared_apps.billing import limits as plan_limits
from tenant_apps.applications.models import (
    MOVER_TARGETS,
    OFFER_TARGETS,
    OPEN_STATUSES,
    STUDENT_TARGETS,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
    offer_letter_upload_to,
)
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
        .select_related("application__drive")
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


def applications_withdrawn_on_accept(*, application: Application) -> QuerySet[Application]:
    """The student's other open applications that accepting the offer on `application`
    withdraws: with the one-offer policy, all but those to dream drives (CTC at least the
    threshold); none without it. The confirmation page shows the student this same list."""
    policy = college_settings()
    if not policy.one_offer_policy:
        return Application.objects.none()
    others = Application.objects.filter(
        student_id=application.student_id, status__in=OPEN_STATUSES
    ).exclude(pk=application.pk)
    if policy.dream_ctc_threshold is not None:
        others = others.exclude(drive__ctc__gte=policy.dream_ctc_threshold)
    return others


@transaction.atomic
def offer_accept(*, offer: Offer, actor: User) -> Offer:
    """The student accepts before expiry, if the placement policy allows (`not_eligible` with a
    `placement_policy` reason otherwise). The student is placed; with the one-offer policy, their
    other open applications are withdrawn, except to dream drives (CTC at least the threshold),
    which the policy still lets them pursue."""
    offer, student = _pending_offer(offer)
    application = offer.application
    reasons = drive_ineligibility_reasons(
        drive=application.drive, student=student, ctc=offer.ctc, codes={"placement_policy"}
    )
    if reasons:
        raise NotEligible(reasons, "The college's placement policy does not allow this offer.")
    now = timezone.now()
    offer.status, offer.responded_at = OfferStatus.ACCEPTED, now
    offer.save(update_fields=["status", "responded_at"])
    application_move(
        application=application, status=ApplicationStatus.ACCEPTED, actor=actor, by_system=True
    )
    if student.placement_status != PlacementStatus.PLACED:
        student.placement_status = PlacementStatus.PLACED
        student.save(update_fields=["placement_status"])
    notify.queue_after_commit(notify.notify_offer_response, offer.pk)
    for other in applications_withdrawn_on_accept(application=application):
        application_move(
            application=other,
            status=ApplicationStatus.WITHDRAWN,
            actor=actor,
            note="Withdrawn on accepting another offer (one-offer policy).",
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
    """A student is placed while one of their accepted offers (and its application) is alive."""
    placed = Offer.objects.filter(
        Q(application__deleted_at__isnull=True),
        application__student_id=student_id,
        status=OfferStatus.ACCEPTED,
    ).exists()
    status = PlacementStatus.PLACED if placed else PlacementStatus.UNPLACED
    for student in Student.all_objects.filter(pk=student_id).exclude(placement_status=status):
        student.placement_status = status
        student.save(update_fields=["placement_status"])


@transaction.atomic
def application_delete(*, application: Application) -> None:
    application.delete()
    student_placement_refresh(student_id=application.student_id)


@transaction.atomic
def application_restore(*, application: Application) -> None:
    application.restore()
    student_placement_refresh(student_id=application.student_id)


@transaction.atomic
def offer_delete(*, offer: Offer) -> None:
    offer.delete()
    student_placement_refresh(student_id=offer.application.student_id)


@transaction.atomic
def offer_restore(*, offer: Offer) -> None:
    offer.restore()
    student_placement_refresh(student_id=offer.application.student_id)
