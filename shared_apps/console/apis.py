"""The platform API of docs/api.md (root domain, operators with confirmed 2FA only)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.models import Role
from shared_apps.billing.models import Plan
from shared_apps.console import selectors, services
from shared_apps.console.support import support_link
from tenants.models import College, CollegeStatus


class IsOperator(BasePermission):
    """A platform operator (public schema staff). The second factor is enforced before this
    by the authentication (`403 otp_required` on the root domain without it)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.role == Role.OPERATOR)


class UsageSerializer(serializers.Serializer):
    students = serializers.IntegerField()
    staff = serializers.IntegerField()
    drives = serializers.IntegerField()
    applications = serializers.IntegerField()
    storage_mb = serializers.IntegerField()
    admin_email = serializers.EmailField()
    last_activity_at = serializers.DateTimeField(allow_null=True)
    refreshed_at = serializers.DateTimeField()


class TenantSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    usage = serializers.SerializerMethodField()

    class Meta:
        model = College
        fields = [
            "id", "name", "subdomain", "status", "status_reason", "plan", "trial_ends_at",
            "created_at", "cancelled_at", "usage",
        ]  # fmt: skip

    @extend_schema_field(UsageSerializer(allow_null=True))
    def get_usage(self, college: College) -> dict | None:
        snapshot = getattr(college, "usage", None)
        return UsageSerializer(snapshot).data if snapshot else None


class TenantFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CollegeStatus.choices)
    plan = django_filters.CharFilter(field_name="plan__code")

    class Meta:
        model = College
        fields = ["status", "plan"]


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SuspendInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ExtendTrialInput(ReasonInput):
    days = serializers.IntegerField(min_value=1, max_value=365)


class ChangePlanInput(ReasonInput):
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())


class TenantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsOperator]
    serializer_class = TenantSerializer
    filterset_class = TenantFilter
    search_fields = ["name", "subdomain", "usage__admin_email"]
    ordering_fields = ["created_at", "name", "trial_ends_at"]

    def get_queryset(self):
        return selectors.colleges()

    def _act(self, request, input_class, service, **extra):
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        college = self.get_object()
        service(request=request, operator=request.user, college=college, **data.validated_data)
        college.refresh_from_db()
        return Response(self.get_serializer(college).data)

    @extend_schema(request=SuspendInput, responses={200: TenantSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._act(request, SuspendInput, services.college_suspend)

    @extend_schema(request=ReasonInput, responses={200: TenantSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._act(request, ReasonInput, services.college_reactivate)

    @extend_schema(request=ExtendTrialInput, responses={200: TenantSerializer})
    @action(detail=True, methods=["post"], url_path="extend-trial")
    def extend_trial(self, request, pk=None):
        return self._act(request, ExtendTrialInput, services.trial_extend)

    @extend_schema(request=ChangePlanInput, responses={200: TenantSerializer})
    @action(detail=True, methods=["post"], url_path="change-plan")
    def change_plan(self, request, pk=None):
        return self._act(request, ChangePlanInput, services.college_plan_change)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("SupportLink", {"url": serializers.URLField()})},
    )
    @action(detail=True, methods=["post"], url_path="support-session")
    def support_session(self, request, pk=None):
        """A one-time link (2 minutes) to a read-only session in the college's admin."""
        college = self.get_object()
        return Response(
            {"url": support_link(request=request, operator=request.user, college=college)}
        )


class MetricsApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        responses={
            200: inline_serializer(
                "PlatformMetrics",
                {
                    "tenants_by_status": serializers.DictField(child=serializers.IntegerField()),
                    "signups_per_week": serializers.ListField(child=serializers.DictField()),
                    "mrr": serializers.CharField(),
                    "mrr_change_30d": serializers.CharField(),
                    "new_mrr_30d": serializers.CharField(),
                    "churned_mrr_30d": serializers.CharField(),
                    "paying_colleges": serializers.IntegerField(),
                    "trials_ended_90d": serializers.IntegerField(),
                    "trials_converted_90d": serializers.IntegerField(),
                    "trial_conversion_rate": serializers.FloatField(allow_null=True),
                    "churn_rate_30d": serializers.FloatField(allow_null=True),
                },
            )
        }
    )
    def get(self, request):
        return Response(selectors.platform_metrics())
