"""The old placement policy becomes a tier configuration: `one_offer_policy` is one tier
(Regular, from a CTC of 0), a `dream_ctc_threshold` a second one (Dream, from the threshold).
Placed students are put in the tier of their accepted offer; a student who held two accepted
offers (the bug of the old policy: a regular offer accepted, then a dream one) keeps the best
(highest CTC, then the latest) and the others are released, declined with when. Verified
profiles enter the verification queue as verified."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone


def _tier_of(tiers, drive, ctc):
    if drive.offer_tier_id is not None:
        return next((t for t in tiers if t.pk == drive.offer_tier_id), None)
    banded = [t for t in tiers if t.min_ctc is not None and t.min_ctc <= ctc]
    return max(banded, key=lambda t: (t.min_ctc, t.rank)) if banded else None


def forwards(apps, schema_editor):
    CollegeSettings = apps.get_model("accounts", "CollegeSettings")
    OfferTier = apps.get_model("applications", "OfferTier")
    Offer = apps.get_model("applications", "Offer")
    Application = apps.get_model("applications", "Application")
    Student = apps.get_model("students", "Student")

    policy = CollegeSettings.objects.filter(pk=1).first()
    if policy is not None and policy.one_offer_policy and not OfferTier.objects.exists():
        OfferTier.objects.create(name="Regular", rank=1, min_ctc=Decimal("0"))
        if policy.dream_ctc_threshold is not None:
            OfferTier.objects.create(name="Dream", rank=2, min_ctc=policy.dream_ctc_threshold)
    tiers = list(OfferTier.objects.filter(deleted_at__isnull=True).order_by("rank"))

    Student.objects.filter(is_verified=True).update(verification_status="verified")

    now = timezone.now()
    accepted = (
        Offer.objects.filter(
            status="accepted",
            deleted_at__isnull=True,
            application__deleted_at__isnull=True,
        )
        .select_related("application__drive")
        .order_by("application__student_id", "-ctc", "-responded_at", "-id")
    )
    by_student = {}
    for offer in accepted:
        by_student.setdefault(offer.application.student_id, []).append(offer)
    for student_id, offers in by_student.items():
        best, *extra = offers
        for offer in extra:
            offer.status, offer.released_at = "declined", now
            offer.save(update_fields=["status", "released_at"])
            Application.objects.filter(pk=offer.application_id).update(
                status="declined",
                status_changed_at=now,
                declined_at=now,
                note="Released: a student holds one accepted offer at most.",
            )
        tier = _tier_of(tiers, best.application.drive, best.ctc)
        Student.objects.filter(pk=student_id).update(
            placed_tier_id=tier.pk if tier else None, offers_accepted=len(offers)
        )


def backwards(apps, schema_editor):
    CollegeSettings = apps.get_model("accounts", "CollegeSettings")
    OfferTier = apps.get_model("applications", "OfferTier")
    tiers = list(OfferTier.objects.filter(deleted_at__isnull=True).order_by("rank"))
    CollegeSettings.objects.filter(pk=1).update(
        one_offer_policy=bool(tiers),
        dream_ctc_threshold=tiers[1].min_ctc if len(tiers) > 1 else None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_email_upper_index"),
        ("applications", "0004_offer_tiers"),
        ("drives", "0003_marks_tiers_named_lists"),
        ("students", "0004_marks_verification_queue_placed_tier"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
