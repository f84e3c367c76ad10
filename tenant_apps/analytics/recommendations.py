"""Recommendations: a drive's eligible students ranked, and the drives recommended to a
student."""

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least

from tenant_apps.analytics.season import analytics_cached
from tenant_apps.applications.models import (
    OPEN_STATUSES,
    Application,
)
from tenant_apps.drives.eligibility import drive_eligible_students, eligible_drives_condition
from tenant_apps.drives.models import Drive, DriveSkill, accepting_applications
from tenant_apps.students.models import PlacementStatus, Student, StudentSkill

# --- Recommendations -----------------------------------------------------------------------------

SCORE_WEIGHTS = {"skill_match": 0.6, "cgpa": 0.3, "availability": 0.1}
# A student with this many open applications (to other drives) or more is not "available".
AVAILABILITY_MAX_OPEN_APPLICATIONS = 5
RECOMMENDATION_SCORE_DOC = (
    "score = 0.6 * skill_match + 0.3 * cgpa + 0.1 * availability, each part from 0 to 1: "
    "skill_match = Σ(weight * min(rating, 10) / 10) / Σ(weight) over the drive's skills (a "
    "skill the student has not rated counts 0; a drive without skills matches 0); "
    "cgpa = CGPA / 10; availability = 1 when the student has no accepted offer and fewer than "
    f"{AVAILABILITY_MAX_OPEN_APPLICATIONS} open applications to other drives, else 0. "
    "Only students eligible for the drive are ranked, highest score first (ties: higher CGPA, "
    "then the older profile)."
)


def _float(expression) -> Cast:
    return Cast(expression, FloatField())


def _per_skill(values: dict[int, int]) -> Case | Value:
    """`CASE skill_id WHEN k THEN v ... ELSE 0 END` for a few known skills."""
    if not values:
        return Value(0)
    return Case(
        *(When(skill_id=skill, then=Value(value)) for skill, value in values.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def drive_skill_weights(drive: Drive) -> dict[int, int]:
    return dict(
        DriveSkill.objects.filter(drive=drive, skill__deleted_at__isnull=True)
        .order_by()
        .values_list("skill_id", "weight")
    )


def drive_recommendations(*, drive: Drive) -> QuerySet[Student]:
    """The drive's eligible students annotated with `skill_match`, `cgpa_part`,
    `availability` and `score` (see RECOMMENDATION_SCORE_DOC), best first: one SQL query with
    two correlated subqueries per student, no Python loop over students."""
    weights = drive_skill_weights(drive)
    if weights:
        points = (
            StudentSkill.objects.filter(student=OuterRef("pk"), skill_id__in=list(weights))
            .order_by()
            .values("student")
            .annotate(points=Sum(_per_skill(weights) * Least(F("rating"), Value(10))))
            .values("points")
        )
        skill_match = _float(Coalesce(Subquery(points), Value(0))) / Value(
            10.0 * sum(weights.values())
        )
    else:
        skill_match = Value(0.0, output_field=FloatField())
    busy = (
        Application.objects.filter(student=OuterRef("pk"), status__in=OPEN_STATUSES)
        .exclude(drive=drive)
        .order_by()[AVAILABILITY_MAX_OPEN_APPLICATIONS - 1 : AVAILABILITY_MAX_OPEN_APPLICATIONS]
    )
    availability = Case(
        When(
            Q(placement_status=PlacementStatus.PLACED) | Q(Exists(busy)),
            then=Value(0.0),
        ),
        default=Value(1.0),
        output_field=FloatField(),
    )
    w = SCORE_WEIGHTS
    return (
        drive_eligible_students(drive=drive)
        .annotate(
            skill_match=skill_match,
            cgpa_part=_float(F("cgpa")) / Value(10.0),
            availability=availability,
        )
        .annotate(
            score=Value(w["skill_match"]) * F("skill_match")
            + Value(w["cgpa"]) * F("cgpa_part")
            + Value(w["availability"]) * F("availability")
        )
        .order_by("-score", "-cgpa", "pk")
    )


RECOMMENDATION_PARTS = ("skill_match", "cgpa_part", "availability", "score")


def recommendation_output(row: dict, student: dict) -> dict:
    return {
        "student": student,
        "score": round(row["score"], 4),
        "parts": {
            "skill_match": round(row["skill_match"], 4),
            "cgpa": round(row["cgpa_part"], 4),
            "availability": round(row["availability"], 4),
        },
    }


def student_recommended_drives(*, student: Student) -> QuerySet[Drive]:
    """Open drives the student may apply to (eligible, before `apply_by`, not applied yet),
    annotated with `skill_match` (the same definition as a drive's recommendations), best match
    first, then the nearest deadline: one SQL query."""
    ratings = {
        skill: min(rating, 10)
        for skill, rating in StudentSkill.objects.filter(
            student=student, skill__deleted_at__isnull=True
        ).values_list("skill_id", "rating")
    }
    if ratings:
        match = (
            DriveSkill.objects.filter(drive=OuterRef("pk"), skill__deleted_at__isnull=True)
            .order_by()
            .values("drive")
            .annotate(
                match=_float(Sum(F("weight") * _per_skill(ratings)))
                / (Value(10.0) * _float(Sum("weight")))
            )
            .values("match")
        )
        skill_match = Coalesce(Subquery(match), Value(0.0), output_field=FloatField())
    else:
        skill_match = Value(0.0, output_field=FloatField())
    applied = Application.objects.filter(student=student, drive=OuterRef("pk"))
    return (
        Drive.objects.filter(accepting_applications() & eligible_drives_condition(student=student))
        .exclude(Exists(applied))
        .annotate(skill_match=skill_match)
        .order_by("-skill_match", "apply_by", "pk")
    )


class ScoredRows:
    """What the paginator pages for a ranked list: the count and the page's ids with their
    scores come from the ranked queryset, the rows from a read model (one query each)."""

    def __init__(
        self,
        queryset: QuerySet,
        read_model,
        fields: tuple[str, ...],
        shape: Callable,
        cache_key: str | None = None,
    ):
        """With `cache_key` (naming the ranking and its filters), the count and each page's
        ids and scores are kept in the college's data cache until its next write: ranking
        thousands of students is the same work for every request in between."""
        self.queryset = queryset
        self.read_model = read_model
        self.fields = fields
        self.shape = shape
        self.cache_key = cache_key

    def _cached(self, suffix: str, compute: Callable):
        if self.cache_key is None:
            return compute()
        return analytics_cached(f"{self.cache_key}:{suffix}", compute)

    def count(self) -> int:
        return self._cached("count", self.queryset.count)

    def __len__(self) -> int:
        return self.count()

    def _scored(self, index: slice) -> list[dict]:
        with transaction.atomic(), connection.cursor() as cursor:
            # Scoring thousands of rows looks expensive to the planner, whose JIT compilation
            # then costs more than the query itself (a third of it on 10,000 students).
            cursor.execute("SET LOCAL jit = off")
            return list(self.queryset.values("pk", *self.fields)[index])

    def __getitem__(self, index: slice) -> list[dict]:
        scored = self._cached(f"{index.start}:{index.stop}", lambda: self._scored(index))
        rows = {row["id"]: row for row in self.read_model.rows([r["pk"] for r in scored])}
        return [self.shape(r, rows[r["pk"]]) for r in scored if r["pk"] in rows]
