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
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    Expression,
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


def _int(value: int | None) -> Value:
    return Value(value, output_field=IntegerField())


def _decimal_field() -> DecimalField:
    return DecimalField(max_digits=12, decimal_places=2)


def _percent_field() -> DecimalField:
    return DecimalField(max_digits=5, decimal_places=2)


def _cast_array(value: Expression, base_field) -> Cast:
    return Cast(value, ArrayField(base_field))


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
        values = _drive_values(drive, ctc=ctc)
        return cls._made(lambda name, field: Value(values[name], output_field=field))

    @classmethod
    def known(cls) -> DriveTerms:
        """A drive's values as markers, for a condition compiled once (`_CompiledRules`)."""
        return cls._made(_Known)

    @classmethod
    def _made(cls, value: Callable[[str, object], Expression]) -> DriveTerms:
        ctc = value("ctc", _decimal_field())
        return cls(
            id=value("id", IntegerField()),
            min_cgpa=value("min_cgpa", _decimal_field()),
            max_backlogs=value("max_backlogs", IntegerField()),
            departments=_cast_array(value("departments", ArrayField(CharField())), CharField()),
            graduation_years=_cast_array(
                value("graduation_years", ArrayField(IntegerField())), IntegerField()
            ),
            min_tenth_pct=value("min_tenth_pct", _percent_field()),
            min_twelfth_pct=value("min_twelfth_pct", _percent_field()),
            ctc=ctc,
            tier_rank=_tier_rank(tier_id=value("offer_tier_id", IntegerField()), ctc=ctc),
        )


def _drive_values(drive: Drive, *, ctc: Decimal | None = None) -> dict:
    return {
        "id": drive.pk,
        "min_cgpa": drive.min_cgpa,
        "max_backlogs": drive.max_backlogs,
        "departments": list(drive.departments),
        "graduation_years": list(drive.graduation_years),
        "min_tenth_pct": drive.min_tenth_pct,
        "min_twelfth_pct": drive.min_twelfth_pct,
        "ctc": drive.ctc if ctc is None else ctc,
        "offer_tier_id": drive.offer_tier_id,
    }


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
        values = _student_values(student)
        return cls._made(
            lambda name, field: Value(values[name], output_field=field),
            placed=student.placement_status == PlacementStatus.PLACED,
        )

    @classmethod
    def known(cls, *, placed: bool) -> StudentTerms:
        """A student's values as markers, for a condition compiled once (`_CompiledRules`)."""
        return cls._made(_Known, placed=placed)

    @classmethod
    def _made(cls, value: Callable[[str, object], Expression], *, placed: bool) -> StudentTerms:
        placed_rank = _int(None)
        if placed:
            placed_rank = _placed_rank(placed=None, tier_id=value("placed_tier_id", IntegerField()))
        return cls(
            id=value("id", IntegerField()),
            is_verified=value("is_verified", BooleanField()),
            cgpa=value("cgpa", _decimal_field()),
            backlogs=value("backlogs", IntegerField()),
            department=value("department", CharField()),
            graduation_year=value("graduation_year", IntegerField()),
            tenth_pct=value("tenth_pct", _percent_field()),
            twelfth_pct=value("twelfth_pct", _percent_field()),
            placement_status=value("placement_status", CharField()),
            placed_rank=placed_rank,
            offers_accepted=value("offers_accepted", IntegerField()),
        )


def _student_values(student: Student) -> dict:
    return {
        "id": student.pk,
        "is_verified": student.is_verified,
        "cgpa": student.cgpa,
        "backlogs": student.backlogs,
        "department": student.department,
        "graduation_year": student.graduation_year,
        "tenth_pct": student.tenth_pct,
        "twelfth_pct": student.twelfth_pct,
        "placement_status": student.placement_status,
        "placed_tier_id": student.placed_tier_id,
        "offers_accepted": student.offers_accepted,
    }


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
    criterion: Q  # the rule itself
    explain: Callable[[Drive, Student], str]
    waiver: Q | None = None  # what meets the rule anyway (being named on the included list)

    @property
    def holds(self) -> Q:
        """True when the student meets the rule."""
        return self.criterion if self.waiver is None else self.criterion | self.waiver


def all_hold(rules: list[Rule]) -> Q:
    """The AND of the rules' `holds`, each waiver written once: `(a | w) & (b | w)` is
    `(a & b) | w`, and PostgreSQL plans a subquery (the included list's EXISTS) as many times as
    it is written: six times for a student's drives, in the count and in the page's ids."""
    condition = Q()
    waived: dict[int, list] = {}  # id(waiver) -> [waiver, the AND of the rules it waives]
    for rule in rules:
        if rule.waiver is None:
            condition &= rule.criterion
        else:
            waived.setdefault(id(rule.waiver), [rule.waiver, Q()])[1] &= rule.criterion
    for waiver, criteria in waived.values():
        condition &= criteria | waiver
    return condition


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
            Q(GreaterThanOrEqual(student.cgpa, drive.min_cgpa)),
            lambda d, s: f"A CGPA of at least {d.min_cgpa} is required; yours is {s.cgpa}.",
            waiver=included,
        ),
        Rule(
            "max_backlogs",
            Q(IsNull(drive.max_backlogs, True))
            | Q(LessThanOrEqual(student.backlogs, drive.max_backlogs)),
            lambda d, s: f"At most {d.max_backlogs} backlog(s) allowed; you have {s.backlogs}.",
            waiver=included,
        ),
        Rule(
            "department",
            Q(Exact(Cardinality(drive.departments), 0))
            | Q(AnyOf(student.department, drive.departments)),
            lambda d, s: (
                f"Open to {', '.join(d.departments)} only; your department is {s.department}."
            ),
            waiver=included,
        ),
        Rule(
            "graduation_year",
            Q(Exact(Cardinality(drive.graduation_years), 0))
            | Q(AnyOf(student.graduation_year, drive.graduation_years)),
            lambda d, s: (
                f"Open to the batches of {', '.join(map(str, d.graduation_years))} only; "
                f"you graduate in {s.graduation_year}."
            ),
            waiver=included,
        ),
        # no marks on the profile do not meet a minimum
        Rule(
            "min_tenth_pct",
            Q(IsNull(drive.min_tenth_pct, True))
            | Q(GreaterThanOrEqual(student.tenth_pct, drive.min_tenth_pct)),
            lambda d, s: (
                f"At least {d.min_tenth_pct}% in the 10th is required; yours: "
                f"{_marks(s.tenth_pct)}."
            ),
            waiver=included,
        ),
        Rule(
            "min_twelfth_pct",
            Q(IsNull(drive.min_twelfth_pct, True))
            | Q(GreaterThanOrEqual(student.twelfth_pct, drive.min_twelfth_pct)),
            lambda d, s: (
                f"At least {d.min_twelfth_pct}% in the 12th (or diploma) is required; yours: "
                f"{_marks(s.twelfth_pct)}."
            ),
            waiver=included,
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
    limit = _offers_limit(college_settings())
    rules = _compiled(
        ("students", limit),
        lambda: _CompiledRules(
            Student,
            eligibility_rules(
                drive=DriveTerms.known(), student=StudentTerms.columns(), policy=_Policy(limit)
            ),
        ),
    )
    return Student.objects.filter(rules.condition(_drive_values(drive)))


def eligible_drives_condition(*, student: Student) -> Q:
    """A condition on drives' rows: `student` meets their criteria."""
    limit = _offers_limit(college_settings())
    placed = student.placement_status == PlacementStatus.PLACED
    rules = _compiled(
        ("drives", placed, limit),
        lambda: _CompiledRules(
            Drive,
            eligibility_rules(
                drive=DriveTerms.columns(),
                student=StudentTerms.known(placed=placed),
                policy=_Policy(limit),
            ),
        ),
    )
    return Q(rules.condition(_student_values(student)))


# --- The rules compiled once --------------------------------------------------------------------
#
# Building the rules' expressions and compiling them to SQL cost a cold list of a student's
# drives (or of a drive's students) about 10 ms of Python per request, for a statement that runs
# in a fraction of a millisecond. Their SQL depends only on the shape of the known side (a
# placed student or not, the college's limit of accepted offers), so it is compiled once per
# shape with markers for the known side's values, and each request binds its values to the
# markers' places: the same SQL and the same parameters as the rules built afresh.


def _offers_limit(policy: CollegeSettings | None) -> int | None:
    return getattr(policy, "max_offers_per_student", None) or None


@dataclass(frozen=True)
class _Policy:  # what eligibility_rules() reads of the college's settings
    max_offers_per_student: int | None


class _Known(Expression):
    """A value of the known side: compiled as a marker, which `_CompiledRules` replaces with a
    parameter (prepared by `output_field`, as `Value` prepares its own). Not a `Value`: the ORM
    folds a `Value` it can decide at compile time (`IsNull` of a NULL), and a marker's value is
    known only at run time."""

    fields: dict[str, object] = {}  # each marker's field (one per name: ids are integers)

    def __init__(self, name: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.name = name
        self.fields[name] = output_field

    def as_sql(self, compiler, connection):
        return f"__known_{self.name}__", []


_TOKEN = re.compile(r"%s|%%|__known_(\w+?)__")
_INNER_ALIAS = re.compile(r"\b([A-Z]\d+)\b")  # the aliases of the rules' own subqueries
_OUTER = "__outer__"


class _CompiledRules:
    """The AND of `rules` as SQL on `model`'s rows, compiled once; `condition(values)` is that
    SQL with the known side's `values`, usable in any query of `model` (its alias follows the
    query's, a subquery's included)."""

    def __init__(self, model, rules: list[Rule]) -> None:
        query = model._base_manager.filter(all_hold(rules)).order_by().query
        sql, params = query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
        where = sql.split(" WHERE ", 1)[1]  # the select list and FROM hold no WHERE
        table = connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table)
        # the outer row's columns follow the query's alias; the subqueries' own aliases get
        # names no query of the ORM gives, so that they never hide an outer alias
        where = where.replace(f"{table}.", f"{_OUTER}.")
        where = _INNER_ALIAS.sub(lambda m: f"elig_{m.group(1).lower()}", where)
        self.binding: list[tuple[str | None, object]] = []  # (None, value), (marker, field)
        constants = iter(params)
        for token in _TOKEN.finditer(where):
            if token.group() == "%s":
                self.binding.append((None, next(constants)))
            elif token.group(1) is not None:
                self.binding.append((token.group(1), _Known.fields[token.group(1)]))
        self.sql = _TOKEN.sub(lambda m: "%%" if m.group() == "%%" else "%s", where)

    def condition(self, values: dict) -> _BoundRules:
        connection = connections[DEFAULT_DB_ALIAS]
        params = [
            bound if name is None else bound.get_db_prep_value(values[name], connection)
            for name, bound in self.binding
        ]
        return _BoundRules(self.sql, tuple(params))


class _BoundRules(Expression):
    """Compiled rules with their parameters, resolved against the query of the rows it
    filters (their alias: the table's own, or the alias the query got as a subquery)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, sql: str, params: tuple, alias: str | None = None) -> None:
        super().__init__()
        self.sql, self.params, self.alias = sql, params, alias

    def resolve_expression(self, query=None, *args, **kwargs):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        outer = compiler.quote_name_unless_alias(self.alias)
        return f"({self.sql.replace(_OUTER, outer)})", self.params

    def get_group_by_cols(self):
        return []


_COMPILED: dict[tuple, _CompiledRules] = {}


def _compiled(key: tuple, build: Callable[[], _CompiledRules]) -> _CompiledRules:
    """The rules of `key`'s shape, compiled on first use (SQL only: safe to share)."""
    rules = _COMPILED.get(key)
    if rules is None:
        rules = _COMPILED[key] = build()
    return rules
