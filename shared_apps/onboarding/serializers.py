from rest_framework import serializers

from shared_apps.billing.models import Plan
from tenants.models import DEFAULT_TIME_ZONE, College, time_zone_problem
from tenants.services import college_host


class SignupInput(serializers.Serializer):
    college_name = serializers.CharField(max_length=200)
    subdomain = serializers.CharField(max_length=63)
    admin_email = serializers.EmailField()
    admin_password = serializers.CharField(trim_whitespace=False, max_length=128)
    admin_first_name = serializers.CharField(max_length=150)
    admin_last_name = serializers.CharField(max_length=150, allow_blank=True, default="")
    plan = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.public(), required=False, allow_null=True
    )
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        default=DEFAULT_TIME_ZONE,
        help_text="IANA time zone of every date on the college's pages and mails.",
    )

    def validate_time_zone(self, value: str) -> str:
        if problem := time_zone_problem(value):
            raise serializers.ValidationError(problem)
        return value


class TenantOutput(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = College
        fields = [
            "name", "subdomain", "domain", "url", "status", "trial_ends_at", "plan", "time_zone",
        ]  # fmt: skip

    def get_domain(self, college: College) -> str:
        return college_host(college.subdomain)

    def get_url(self, college: College) -> str:
        request = self.context.get("request")
        scheme = request.scheme if request is not None else "https"
        port = request.get_port() if request is not None else ""
        suffix = f":{port}" if port and port not in ("80", "443") else ""
        return f"{scheme}://{self.get_domain(college)}{suffix}/"
