"""The outputs of the analytics endpoints, for the OpenAPI schema (rows are shaped in
selectors) and the report's query parameters."""

from rest_framework import serializers

from tenant_apps.drives.serializers import CompanyRef, DriveOutput
from tenant_apps.students.serializers import StudentOutput

MONEY = {"allow_null": True, "help_text": "In the college's currency; null without placements"}


class CtcOutput(serializers.Serializer):
    avg = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)
    median = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)
    max = serializers.DecimalField(max_digits=14, decimal_places=2, **MONEY)


class DepartmentStats(serializers.Serializer):
    department = serializers.CharField()
    students_total = serializers.IntegerField()
    students_placed = serializers.IntegerField()
    placement_rate = serializers.FloatField(help_text="placed / total, from 0 to 1")
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


class DashboardStatsOutput(serializers.Serializer):
    students_total = serializers.IntegerField()
    students_placed = serializers.IntegerField(help_text="Students with an accepted offer")
    placement_rate = serializers.FloatField(help_text="students_placed / students_total, 0 to 1")
    offers_total = serializers.IntegerField(help_text="Offers made (any status)")
    ctc = CtcOutput(help_text="CTC of placements (accepted offers)")
    by_department = DepartmentStats(many=True)
    by_company = CompanyStats(many=True, help_text="The 20 companies with most placements")
    drives_open = serializers.IntegerField()


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


class ReportQuery(serializers.Serializer):
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
