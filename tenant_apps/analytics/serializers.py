"""The outputs of the analytics endpoints, for the OpenAPI schema (rows are shaped in
selectors) and the report's query parameters."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from rest_framework import serializers

from tenant_apps.analytics.selectors import Season
from tenant_apps.drives.models import JobType
from tenant_apps.drives.serializers import CompanyRef, DriveOutput
from tenant_apps.students.serializers import StudentOutput

MONEY = {"allow_null": True, "help_text": "In the college's currency; null without placements"}


class CtcOutput(serializers.Serializer):
    avg = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)
    median = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)
    max = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)


ELIGIBLE_HELP = (
    "Students eligible for at least one drive of the filter (criteria, named lists, "
    "verification), or placed in it: the denominator of placement_rate"
)


class Definitions(serializers.Serializer):
    students_eligible = serializers.CharField()
    students_placed = serializers.CharField()
    ctc = serializers.CharField()


class DepartmentStats(serializers.Serializer):
    department = serializers.CharField()
    students_total = serializers.IntegerField()
    students_eligible = serializers.IntegerField(help_text=ELIGIBLE_HELP)
    students_placed = serializers.IntegerField()
    placement_rate = serializers.FloatField(help_text="placed / eligible, from 0 to 1")
    offers = serializers.IntegerField()
    placements = serializers.IntegerField(help_text="Accepted offers")
    ctc_avg = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)
    ctc_max = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)


class CompanyStats(serializers.Serializer):
    company = CompanyRef()
    offers = serializers.IntegerField()
    placements = serializers.IntegerField(help_text="Accepted offers")
    ctc_avg = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)
    ctc_max = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)


class BatchStats(serializers.Serializer):
    graduation_year = serializers.IntegerField()
    students_total = serializers.IntegerField()
    students_eligible = serializers.IntegerField(help_text=ELIGIBLE_HELP)
    students_placed = serializers.IntegerField()
    placement_rate = serializers.FloatField(help_text="placed / eligible, from 0 to 1")


class DashboardStatsOutput(serializers.Serializer):
    students_total = serializers.IntegerField(help_text="Every student of the filter")
    students_eligible = serializers.IntegerField(help_text=ELIGIBLE_HELP)
    students_placed = serializers.IntegerField(help_text="Students with an accepted offer")
    placement_rate = serializers.FloatField(help_text="students_placed / students_eligible")
    offers_total = serializers.IntegerField(help_text="Offers made (any status)")
    ctc = CtcOutput(help_text="Over placed students, each at their best accepted offer")
    by_department = DepartmentStats(many=True)
    by_company = CompanyStats(many=True, help_text="The 20 companies with most placements")
    by_batch = BatchStats(many=True, help_text="By graduation year, oldest first")
    drives_open = serializers.IntegerField()
    definitions = Definitions()


class FunnelStage(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=["applied", "shortlisted", "in_process", "offered", "accepted"]
    )
    count = serializers.IntegerField(help_text="Applications that reached this stage")
    rate = serializers.FloatField(help_text="count / applied, 0 to 1")


class FunnelExits(serializers.Serializer):
    rejected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    declined = serializers.IntegerField()


class FunnelDrive(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    company = CompanyRef()


class FunnelOutput(serializers.Serializer):
    drive = FunnelDrive()
    stages = FunnelStage(many=True)
    exits = FunnelExits(help_text="Applications that left the process, by how")


class ReportTotals(serializers.Serializer):
    students_total = serializers.IntegerField()
    students_eligible = serializers.IntegerField(help_text=ELIGIBLE_HELP)
    students_placed = serializers.IntegerField()
    placement_rate = serializers.FloatField()
    offers_total = serializers.IntegerField()
    ctc = CtcOutput()


class ReportCompany(CompanyStats):
    drives = serializers.IntegerField()
    applications = serializers.IntegerField()


class ReportCtcBand(serializers.Serializer):
    band = serializers.CharField()
    min = serializers.DecimalField(max_digits=14, decimal_places=2)
    max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    placements = serializers.IntegerField()
    ctc_avg = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)


class PlacementReportOutput(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    totals = ReportTotals()
    by_department = DepartmentStats(many=True)
    by_company = ReportCompany(many=True)
    by_ctc_band = ReportCtcBand(many=True)
    definitions = Definitions()


def _day_start(day) -> datetime:
    """Midnight of `day` in the current time zone (the college's, on its pages)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class SeasonQuery(serializers.Serializer):
    """The part of the season the figures cover: `graduation_year` (the batch), `department`,
    `job_type`, and offers and applications made from `since` to `until` (days, both
    included)."""

    graduation_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100, help_text="The batch"
    )
    job_type = serializers.ChoiceField(choices=JobType.choices, required=False, allow_null=True)
    department = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=100
    )
    since = serializers.DateField(required=False, allow_null=True, help_text="First day")
    until = serializers.DateField(required=False, allow_null=True, help_text="Last day")

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": ["The period ends before it starts."]})
        return attrs

    def season(self) -> Season:
        data = self.validated_data
        since, until = data.get("since"), data.get("until")
        return Season(
            graduation_year=data.get("graduation_year"),
            job_type=data.get("job_type") or None,
            department=(data.get("department") or "").strip() or None,
            since=_day_start(since) if since else None,
            until=_day_start(until + timedelta(days=1)) if until else None,
        )


class ReportQuery(SeasonQuery):
    format = serializers.ChoiceField(
        choices=["csv", "xlsx"], default="csv", help_text="The file's format"
    )


class RecommendationParts(serializers.Serializer):
    skill_match = serializers.FloatField()
    cgpa = serializers.FloatField(help_text="CGPA / 10")
    availability = serializers.FloatField()


class RecommendationOutput(serializers.Serializer):
    student = StudentOutput()
    score = serializers.FloatField()
    parts = RecommendationParts()


class RecommendedDriveOutput(serializers.Serializer):
    drive = DriveOutput()
    skill_match = serializers.FloatField()
