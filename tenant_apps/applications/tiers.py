"""Offer tiers: the college's named categories of offers in their order, and their rule.

A drive is of the tier it names (`Drive.offer_tier`), else of its CTC band: the tier with the
greatest `min_ctc` at most the CTC (an offer: its own CTC). A student placed in a tier may apply
only to drives of higher tiers; accepting an offer of a higher tier releases the accepted one
(`offer_accept`). No tiers: no rule.

The old placement policy is a tier configuration: `one_offer_policy` is one tier (Regular, from
0), a `dream_ctc_threshold` a second one (Dream, from the threshold); both stay readable
(`derived_policy`) and writable (`tiers_from_policy`) through the settings API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from rest_framework.exceptions import ValidationError

from core import datacache
from core.accounts.models import User
from tenant_apps.applications.models import OfferTier

TIERS_CACHE_KEY = "offer-tiers:versioned"
REGULAR, DREAM = "Regular", "Dream"


@dataclass(frozen=True)
class Tier:
    id: int
    name: str
    rank: int
    min_ctc: Decimal | None


def _load() -> tuple[Tier, ...]:
    return tuple(
        Tier(t.id, t.name, t.rank, t.min_ctc) for t in OfferTier.objects.order_by("rank", "id")
    )


def offer_tiers() -> tuple[Tier, ...]:
    """The college's tiers, lowest first (from the data cache until anything changes)."""
    return datacache.cached(TIERS_CACHE_KEY, _load)


def tier_of(
    *, tier_id: int | None, ctc: Decimal | None, tiers: tuple[Tier, ...] | None = None
) -> Tier | None:
    """The tier a drive (or an offer) is in: the one it names, else its CTC band."""
    tiers = offer_tiers() if tiers is None else tiers
    if tier_id is not None:
        for tier in tiers:
            if tier.id == tier_id:
                return tier
    if ctc is None:
        return None
    ctc = Decimal(ctc)
    banded = [t for t in tiers if t.min_ctc is not None and t.min_ctc <= ctc]
    return max(banded, key=lambda t: (t.min_ctc, t.rank)) if banded else None


def rank_column(*, tier: str = "offer_tier", ctc: str = "ctc"):
    """The tier rank of each row (drives: `offer_tier`, `ctc`) as SQL: the named tier's, else
    the CTC band's, else 0 (below every tier)."""
    band = (
        OfferTier.objects.filter(min_ctc__isnull=False, min_ctc__lte=OuterRef(ctc))
        .order_by("-min_ctc", "-rank")
        .values("rank")[:1]
    )
    return Coalesce(f"{tier}__rank", Subquery(band), 0)


def derived_policy(tiers: tuple[Tier, ...] | None = None) -> dict:
    """The old policy's fields, as the tiers answer them: on when there is a tier; the dream
    threshold is where the second tier's CTC band starts."""
    tiers = offer_tiers() if tiers is None else tiers
    threshold = tiers[1].min_ctc if len(tiers) > 1 else None
    return {"one_offer_policy": bool(tiers), "dream_ctc_threshold": threshold}


def policy_tiers(*, one_offer_policy: bool, dream_ctc_threshold: Decimal | None) -> list[dict]:
    """The tier configuration of the old policy (the data migration does the same)."""
    if not one_offer_policy:
        return []
    tiers = [{"name": REGULAR, "rank": 1, "min_ctc": Decimal("0")}]
    if dream_ctc_threshold is not None:
        tiers.append({"name": DREAM, "rank": 2, "min_ctc": dream_ctc_threshold})
    return tiers


# --- Writes ------------------------------------------------------------------------------------


def _check(tiers: list[dict]) -> None:
    names = [t["name"].strip().lower() for t in tiers]
    if len(set(names)) != len(names):
        raise ValidationError({"tiers": ["Two tiers have the same name."]})
    bands = [t["min_ctc"] for t in tiers if t.get("min_ctc") is not None]  # lowest tier first
    if any(low >= high for low, high in itertools.pairwise(bands)):
        raise ValidationError(
            {"tiers": ["A higher tier's CTC band must start above a lower tier's."]}
        )


@transaction.atomic
def tiers_replace(*, tiers: list[dict], actor: User | None = None) -> list[OfferTier]:
    """Sets the college's tiers (lowest first; `id` keeps an existing tier): ranks follow the
    order given, tiers left out are deleted (their drives fall back to their CTC band)."""
    _check(tiers)
    current = {t.pk: t for t in OfferTier.objects.select_for_update()}
    keep = {t["id"] for t in tiers if t.get("id") is not None}
    unknown = keep - current.keys()
    if unknown:
        raise ValidationError({"tiers": [f"Not found: {sorted(unknown)}."]})
    for tier in current.values():
        if tier.pk not in keep:
            tier.delete()
    kept = list(OfferTier.objects.filter(pk__in=keep))
    # ranks move out of the way first (the alive ranks are unique)
    for offset, tier in enumerate(kept, start=1):
        tier.rank = 1000 + offset
        tier.save(update_fields=["rank"])
    saved = []
    for rank, data in enumerate(tiers, start=1):
        tier = current[data["id"]] if data.get("id") is not None else OfferTier()
        tier.name, tier.rank, tier.min_ctc = data["name"].strip(), rank, data.get("min_ctc")
        if tier.pk is None and actor is not None:
            tier.created_by = actor
        tier.save()
        saved.append(tier)
    return saved


def policy_set(*, one_offer_policy: bool, dream_ctc_threshold: Decimal | None) -> None:
    """The old settings fields, written: the tiers they mean replace the college's."""
    tiers_replace(
        tiers=policy_tiers(
            one_offer_policy=one_offer_policy, dream_ctc_threshold=dream_ctc_threshold
        )
    )
