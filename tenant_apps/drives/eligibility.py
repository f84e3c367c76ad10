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

Codes: `not_verified`, `min_cgpa`, `max_backlogs`, `department`, `graduation_year`, and
`placement_policy` (the college's one-offer policy and its dream-CTC exception).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BooleanField,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, GreaterThanOrEqual, IsNull, LessThanOrEqual

from core.accounts.models import CollegeSettings
from core.accounts.policies import college_settings
from tenant_apps.drives.models import Drive
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


@dataclass(frozen=True)
class DriveTerms:
    min_cgpa: object
    max_backlogs: object
    departments: object
    graduation_years: object
    ctc: object

    @classmethod
    def columns(cls, prefix: str = "") -> DriveTerms:
        return cls(*(F(prefix + name) for name in cls.__dataclass_fields__))

    @classmethod
    def of(cls, drive: Drive, *, ctc: Decimal | None = None) -> DriveTerms:
        return cls(
            min_cgpa=_decimal(drive.min_cgpa),
            max_backlogs=Value(drive.max_backlogs, output_field=IntegerField()),
            departments=_array(drive.departments, CharField()),
            graduation_years=_array(drive.graduation_years, IntegerField()),
            ctc=_decimal(drive.ctc if ctc is None else ctc),
        )


@dataclass(frozen=True)
class StudentTerms:
    is_verified: object
    cgpa: object
    backlogs: object
    department: object
    graduation_year: object
    placement_status: object

    @classmethod
    def columns(cls, prefix: str = "") -> StudentTerms:
        return cls(*(F(prefix + name) for name in cls.__dataclass_fields__))

    @classmethod
    def of(cls, student: Student) -> StudentTerms:
        return cls(
            is_verified=Value(student.is_verified, output_field=BooleanField()),
            cgpa=_decimal(student.cgpa),
            backlogs=Value(student.backlogs, output_field=IntegerField()),
            department=Value(student.department, output_field=CharField()),
            graduation_year=Value(student.graduation_year, output_field=IntegerField()),
            placement_status=Value(student.placement_status, output_field=CharField()),
        )


@dataclass(frozen=True)
class Rule:
    code: str
    holds: Q  # true when the student meets the rule
    explain: Callable[[Drive, Student], str]


def eligibility_rules(
    *, drive: DriveTerms, student: StudentTerms, policy: CollegeSettings
) -> list[Rule]:
    """THE eligibility rules. Every decision about eligibility goes through this function."""
    rules = [
        Rule(
            "not_verified",
            Q(Exact(student.is_verified, True)),
            lambda d, s: "The placement office has not verified your profile yet.",
        ),
        Rule(
            "min_cgpa",
            Q(GreaterThanOrEqual(student.cgpa, drive.min_cgpa)),
            lambda d, s: f"A CGPA of at least {d.min_cgpa} is required; yours is {s.cgpa}.",
        ),
        Rule(
            "max_backlogs",
            Q(IsNull(drive.max_backlogs, True))
            | Q(LessThanOrEqual(student.backlogs, drive.max_backlogs)),
            lambda d, s: f"At most {d.max_backlogs} backlog(s) allowed; you have {s.backlogs}.",
        ),
        Rule(
            "department",
            Q(Exact(Cardinality(drive.departments), 0))
            | Q(AnyOf(student.department, drive.departments)),
            lambda d, s: (
                f"Open to {', '.join(d.departments)} only; your department is {s.department}."
            ),
        ),
        Rule(
            "graduation_year",
            Q(Exact(Cardinality(drive.graduation_years), 0))
            | Q(AnyOf(student.graduation_year, drive.graduation_years)),
            lambda d, s: (
                f"Open to the batches of {', '.join(map(str, d.graduation_years))} only; "
                f"you graduate in {s.graduation_year}."
            ),
        ),
    ]
    if policy.one_offer_policy:
        threshold = policy.dream_ctc_threshold
        allowed = ~Q(Exact(student.placement_status, Value(PlacementStatus.PLACED.value)))
        if threshold is not None:
            allowed |= Q(GreaterThanOrEqual(drive.ctc, _decimal(threshold)))
        dream = f" except to drives with a CTC of at least {threshold}" if threshold else ""
        rules.append(
            Rule(
                "placement_policy",
                allowed,
                lambda d, s: (
                    "You have accepted an offer: the college's one-offer policy allows no "
                    f"further applications{dream}."
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
