"""Eligibility: ONE set of rules decides whether a student may apply to a drive and explains why
not (a list of reasons with codes).

`eligibility_rules()` is that one definition. Each rule is a SQL condition over two sides, the
drive's terms and the student's terms, and each side is either the columns of a row or the values
of one known object. The same rules therefore

- explain one pair (`drive_ineligibility_reasons`): the student's row is checked against the
  drive's values, one query, each failed rule a reason;
- list a drive's eligible students (`drive_eligible_students`): students' rows filtered by the
  drive's values, in the database;
- list the drives a student is eligible for (`eligible_drives_condition`): drives' rows filtered
  by the student's values, in the database.

Codes: `not_verified`, `excluded` (named on the drive's list of excluded students), `min_cgpa`,
`max_backlogs`, `department`, `graduation_year`, `min_tenth_pct`, `min_twelfth_pct` (a student
named on the drive's list of included students meets these six whatever their values),
`placement_policy` (the offer tiers: a placed student may apply only to drives of higher tiers)
and `max_offers` (the college's maximum of accepted offers per student).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from core.accounts.models import CollegeSettings
from core.accounts.policies import college_settings
from tenant_apps.applications.models import OfferTier
from tenant_apps.applications.tiers import offer_tiers, tier_of
from tenant_apps.drives.models import Drive, DriveStudentListEntry, ListKind
from tenant_apps.kit.expressions import AnyOf
from tenant_apps.students.models import PlacementStatus, Student


class Cardinality(Func):
    function = "cardinality"
    output_field = IntegerField()


def _array(values: list, base_field) -> Cast:
    field = ArrayField(base_field)
    return Cast(Value(list(values), output_field=field), field)


def _decimal(value: Decimal | None) -> Value:
    return Value(value, output_field=DecimalField(max_digits=12, decimal_places=2))


def _percent(value: Decimal | None) -> Value:
    return Value(value, output_field=DecimalField(max_digits=5, decimal_places=2))


def _int(value: int | None) -> Value:
    return Value(value, output_field=IntegerField())


# Terms that are not a plain column of the row (`columns()` builds them otherwise). Everything
# is SQL, the offer tiers and the named lists included (subqueries): no rule reads Python state
# that would cost a query of its own.
_DERIVED = frozenset({"id", "tier_rank", "placed_rank"})


def _tier_rank(*, tier_id, ctc):
    """The rank of the named tier, else of the CTC band, else 0 (below every tier)."""

    named = OfferTier.objects.filter(pk=tier_id).values("rank")[:1]
    band = (
        OfferTier.objects.filter(min_ctc__isnull=False, min_ctc__lte=ctc)
        .order_by("-min_ctc", "-rank")
        .values("rank")[:1]
    )
    return Coalesce(Subquery(named), Subquery(band), 0, output_field=IntegerField())


def _placed_rank(*, placed, tier_id):
    """The rank of the tier a placed student is in (placed before there were tiers, or in a
    tier since deleted: the lowest), null when not placed."""

    rank = Coalesce(
        Subquery(OfferTier.objects.filter(pk=tier_id).values("rank")[:1]),
        1,
        output_field=IntegerField(),
    )
    if placed is None:  # known to be placed
        return rank
    return Case(When(placed, then=rank), default=None, output_field=IntegerField())


@dataclass(frozen=True)
class DriveTerms:
    id: object
    min_cgpa: object
    max_backlogs: object
    departments: object
    graduation_years: object
    min_tenth_pct: object
    min_twelfth_pct: object
    ctc: object
    tier_rank: object  # the drive's offer tier (0: below every tier)

    @classmethod
    def columns(cls, prefix: str = "") -> DriveTerms:
        plain = {n: F(prefix + n) for n in cls.__dataclass_fields__ if n not in _DERIVED}
        return cls(
            id=OuterRef(prefix + "id"),  # read inside the rules' subqueries
            tier_rank=_tier_rank(
                tier_id=OuterRef(prefix + "offer_tier_id"), ctc=OuterRef(prefix + "ctc")
            ),
            **plain,
        )

    @classmethod
    def of(cls, drive: Drive, *, ctc: Decimal | None = None) -> DriveTerms:
        ctc = drive.ctc if ctc is None else ctc
        return cls(
            id=_int(drive.pk),
            min_cgpa=_decimal(drive.min_cgpa),
            max_backlogs=_int(drive.max_backlogs),
            departments=_array(drive.departments, CharField()),
            graduation_years=_array(drive.graduation_years, IntegerField()),
            min_tenth_pct=_percent(drive.min_tenth_pct),
            min_twelfth_pct=_percent(drive.min_twelfth_pct),
            ctc=_decimal(ctc),
            tier_rank=_tier_rank(tier_id=_int(drive.offer_tier_id), ctc=_decimal(ctc)),
        )


@dataclass(frozen=True)
class StudentTerms:
    id: object
    is_verified: object
    cgpa: object
    backlogs: object
    department: object
    graduation_year: object
    tenth_pct: object
    twelfth_pct: object
    placement_status: object
    placed_rank: object  # the tier of the accepted offer (null: not placed)
    offers_accepted: object

    @classmethod
    def columns(cls, prefix: str = "") -> StudentTerms:
        plain = {n: F(prefix + n) for n in cls.__dataclass_fields__ if n not in _DERIVED}
        placed = _placed_rank(
            placed=Q(**{prefix + "placement_status": PlacementStatus.PLACED}),
            tier_id=OuterRef(prefix + "placed_tier_id"),
        )
        return cls(id=OuterRef(prefix + "id"), placed_rank=placed, **plain)

    @classmethod
    def outer(cls) -> StudentTerms:
        """The student's columns seen from inside a query of drives (`OuterRef`): both sides
        columns, for "eligible for at least one drive" over many students at once."""
        plain = {n: OuterRef(n) for n in cls.__dataclass_fields__ if n not in _DERIVED}
        placed = _placed_rank(
            placed=Q(Exact(OuterRef("placement_status"), PlacementStatus.PLACED.value)),
            tier_id=OuterRef(OuterRef("placed_tier_id")),
        )
        return cls(id=OuterRef(OuterRef("id")), placed_rank=placed, **plain)

    @classmethod
    def of(cls, student: Student) -> StudentTerms:
        placed = None
        if student.placement_status == PlacementStatus.PLACED:
            placed = _placed_rank(placed=None, tier_id=_int(student.placed_tier_id))
        return cls(
            id=_int(student.pk),
            is_verified=Value(student.is_verified, output_field=BooleanField()),
            cgpa=_decimal(student.cgpa),
            backlogs=_int(student.backlogs),
            department=Value(student.department, output_field=CharField()),
            graduation_year=_int(student.graduation_year),
            tenth_pct=_percent(student.tenth_pct),
            twelfth_pct=_percent(student.twelfth_pct),
            placement_status=Value(student.placement_status, output_field=CharField()),
            placed_rank=_int(None) if placed is None else placed,
            offers_accepted=_int(student.offers_accepted),
        )


def _named(drive: DriveTerms, student: StudentTerms, kind: str) -> Q:
    """The student is named on the drive's list of `kind` (include / exclude)."""

    return Q(
        Exists(
            DriveStudentListEntry.objects.filter(
                drive_id=drive.id, student_id=student.id, kind=kind
            )
        )
    )


def _exclusion_reason(drive: Drive, student: Student) -> str:
    reason = (
        DriveStudentListEntry.objects.filter(
            drive_id=drive.pk, student_id=student.pk, kind=ListKind.EXCLUDE
        )
        .values_list("reason", flat=True)
        .first()
    )
    return "The placement office has excluded you from this drive" + (
        f": {reason}" if reason else "."
    )


def _marks(value) -> str:
    return "not given" if value is None else f"{value}%"


def _tier_name(rank: int) -> str:
    return next((t.name for t in offer_tiers() if t.rank == rank), "none")


def _drive_rank(drive: Drive) -> int:
    tier = tier_of(tier_id=drive.offer_tier_id, ctc=drive.ctc)
    return tier.rank if tier else 0


def _tier_refusal(drive: Drive, student: Student) -> str:
    placed = _placed_rank_of(student)
    higher = [
        t.name + (f" (a CTC of {t.min_ctc} or more)" if t.min_ctc is not None else "")
        for t in offer_tiers()
        if t.rank > placed
    ]
    if not higher:
        return (
            f"You have accepted an offer of the {_tier_name(placed)} tier: the college's "
            "one-offer policy allows no further applications (no tier is higher)."
        )
    return (
        f"You have accepted an offer of the {_tier_name(placed)} tier: the college's one-offer "
        f"policy allows further applications only to drives of a higher tier: "
        f"{', '.join(higher)}. This drive's tier: {_tier_name(_drive_rank(drive))}."
    )


def _placed_rank_of(student: Student) -> int:
    tier = tier_of(tier_id=student.placed_tier_id, ctc=None)
    return tier.rank if tier else 1


@dataclass(frozen=True)
class Rule:
    code: str
    holds: Q  # true when the student meets the rule
    explain: Callable[[Drive, Student], str]


def eligibility_rules(
    *, drive: DriveTerms, student: StudentTerms, policy: CollegeSettings | None
) -> list[Rule]:
    """THE eligibility rules. Every decision about eligibility goes through this function."""

    # a student the office names on the drive's included list meets its criteria
    included = _named(drive, student, ListKind.INCLUDE)
    rules = [
        Rule(
            "not_verified",
            Q(Exact(student.is_verified, True)),
            lambda d, s: "The placement office has not verified your profile yet.",
        ),
        Rule("excluded", ~_named(drive, student, ListKind.EXCLUDE), _exclusion_reason),
        Rule(
            "min_cgpa",
            Q(GreaterThanOrEqual(student.cgpa, drive.min_cgpa)) | included,
            lambda d, s: f"A CGPA of at least {d.min_cgpa} is required; yours is {s.cgpa}.",
        ),
        Rule(
            "max_backlogs",
            Q(IsNull(drive.max_backlogs, True))
            | Q(LessThanOrEqual(student.backlogs, drive.max_backlogs))
            | included,
            lambda d, s: f"At most {d.max_backlogs} backlog(s) allowed; you have {s.backlogs}.",
        ),
        Rule(
            "department",
            Q(Exact(Cardinality(drive.departments), 0))
            | Q(AnyOf(student.department, drive.departments))
            | included,
            lambda d, s: (
                f"Open to {', '.join(d.departments)} only; your department is {s.department}."
            ),
        ),
        Rule(
            "graduation_year",
            Q(Exact(Cardinality(drive.graduation_years), 0))
            | Q(AnyOf(student.graduation_year, drive.graduation_years))
            | included,
            lambda d, s: (
                f"Open to the batches of {', '.join(map(str, d.graduation_years))} only; "
                f"you graduate in {s.graduation_year}."
            ),
        ),
        # no marks on the profile do not meet a minimum
        Rule(
            "min_tenth_pct",
            Q(IsNull(drive.min_tenth_pct, True))
            | Q(GreaterThanOrEqual(student.tenth_pct, drive.min_tenth_pct))
            | included,
            lambda d, s: (
                f"At least {d.min_tenth_pct}% in the 10th is required; yours: "
                f"{_marks(s.tenth_pct)}."
            ),
        ),
        Rule(
            "min_twelfth_pct",
            Q(IsNull(drive.min_twelfth_pct, True))
            | Q(GreaterThanOrEqual(student.twelfth_pct, drive.min_twelfth_pct))
            | included,
            lambda d, s: (
                f"At least {d.min_twelfth_pct}% in the 12th (or diploma) is required; yours: "
                f"{_marks(s.twelfth_pct)}."
            ),
        ),
    ]
    # the offer tiers: no tier, no rule
    rules.append(
        Rule(
            "placement_policy",
            ~Q(Exists(OfferTier.objects.all()))
            | Q(IsNull(student.placed_rank, True))
            | Q(GreaterThan(drive.tier_rank, student.placed_rank)),
            _tier_refusal,
        )
    )
    limit = getattr(policy, "max_offers_per_student", None)  # None: no policy's rules
    if limit:
        rules.append(
            Rule(
                "max_offers",
                Q(LessThan(student.offers_accepted, _int(limit))),
                lambda d, s: (
                    f"You have accepted {s.offers_accepted} offer(s): the college allows at "
                    f"most {limit} per student."
                ),
            )
        )
    return rules


def drive_ineligibility_reasons(
    *, drive: Drive, student: Student, ctc: Decimal | None = None, codes: set[str] | None = None
) -> list[dict]:
    """Why `student` may not apply to `drive` (empty: eligible), as `[{code, message}]`,
    checked against the student's stored row. `ctc` stands for the drive's (an offer's own CTC);
    `codes` limits the check to some rules (accepting an offer checks only the policy)."""
    rules = eligibility_rules(
        drive=DriveTerms.of(drive, ctc=ctc),
        student=StudentTerms.columns(),
        policy=college_settings(),
    )
    if codes is not None:
        rules = [rule for rule in rules if rule.code in codes]
    if not rules:
        return []
    if ctc is not None:  # explained with the offer's CTC
        drive = copy.copy(drive)
        drive.ctc = ctc
    verdicts = (
        Student.all_objects.filter(pk=student.pk)
        .values(**{f"ok_{r.code}": ExpressionWrapper(r.holds, BooleanField()) for r in rules})
        .get()
    )
    return [
        {"code": rule.code, "message": rule.explain(drive, student)}
        for rule in rules
        if not verdicts[f"ok_{rule.code}"]
    ]


def drive_eligible_students(*, drive: Drive) -> QuerySet[Student]:
    """The (alive) students eligible for `drive`, filtered in the database."""
    rules = eligibility_rules(
        drive=DriveTerms.of(drive), student=StudentTerms.columns(), policy=college_settings()
    )
    return Student.objects.filter(*(rule.holds for rule in rules))


def eligible_drives_condition(*, student: Student) -> Q:
    """A condition on drives' rows: `student` meets their criteria."""
    rules = eligibility_rules(
        drive=DriveTerms.columns(), student=StudentTerms.of(student), policy=college_settings()
    )
    condition = Q()
    for rule in rules:
        condition &= rule.holds
    return condition
