from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.codes import ErrorCode
from core.api.envelope import error_body
from core.api.permissions import IsCollegeAdmin
from shared_apps.billing import limits, services
from shared_apps.billing.models import Plan, Subscription
from shared_apps.billing.serializers import PlanSerializer

URL_OUTPUT = inline_serializer("StripeUrl", {"url": serializers.URLField()})


class PlanListApi(ListAPIView):
    """The plans a college can choose, with their limits and features (public)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = PlanSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Plan.objects.public()


def college_base_url(request) -> str:
    """The college host as the browser reached it (Stripe sends people back there)."""
    return f"{request.scheme}://{request.get_host()}"


class UsageFigure(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)


class BillingOutput(serializers.Serializer):
    plan = PlanSerializer(allow_null=True)
    status = serializers.CharField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    subscription = inline_serializer(
        "SubscriptionState",
        {
            "status": serializers.CharField(),
            "current_period_end": serializers.DateTimeField(allow_null=True),
            "cancel_at_period_end": serializers.BooleanField(),
        },
        allow_null=True,
    )
    usage = serializers.DictField(child=UsageFigure())


class BillingApi(APIView):
    """The college's plan, status and usage against every limit (admin)."""

    permission_classes = [IsCollegeAdmin]

    @extend_schema(responses={200: BillingOutput})
    def get(self, request):
        college = connection.tenant
        plan = Plan.objects.filter(pk=college.plan_id).first()
        subscription = Subscription.objects.filter(college_id=college.pk).first()
        used = limits.usage()
        plan_limits = plan.limits if plan else {}
        return Response(
            {
                "plan": PlanSerializer(plan).data if plan else None,
                "status": college.status,
                "trial_ends_at": college.trial_ends_at,
                "subscription": None
                if subscription is None or not subscription.stripe_subscription_id
                else {
                    "status": subscription.status,
                    "current_period_end": subscription.current_period_end,
                    "cancel_at_period_end": subscription.cancel_at_period_end,
                },
                "usage": {
                    limit: {"used": used[limit], "limit": plan_limits.get(limit)}
                    for limit in limits.USAGE
                },
            }
        )


class CheckoutInput(serializers.Serializer):
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.public())


class CheckoutApi(APIView):
    permission_classes = [IsCollegeAdmin]

    @extend_schema(request=CheckoutInput, responses={200: URL_OUTPUT})
    def post(self, request):
        data = CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        url = services.checkout_start(
            college=connection.tenant,
            plan=data.validated_data["plan"],
            email=request.user.email,
            base_url=college_base_url(request),
        )
        return Response({"url": url})


class PortalApi(APIView):
    permission_classes = [IsCollegeAdmin]

    @extend_schema(request=None, responses={200: URL_OUTPUT})
    def post(self, request):
        url = services.portal_start(college=connection.tenant, base_url=college_base_url(request))
        return Response({"url": url})


class WebhookApi(APIView):
    """Stripe's events (root domain). 200 processed or already processed; 400 bad signature,
    payload or event shape (nothing written); 500 if handling failed otherwise (nothing
    half-applied; Stripe retries)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(request={"application/json": dict}, responses={200: None})
    def post(self, request):
        try:
            event = services.webhook_event(
                payload=request.body, signature=request.headers.get("Stripe-Signature")
            )
            processed = services.webhook_process(event=event)
        except services.WebhookRejected as exc:
            body = error_body(
                ErrorCode.VALIDATION_ERROR, f"Rejected webhook: {exc}", type_="WebhookRejected"
            )
            response = Response(body, status=status.HTTP_400_BAD_REQUEST)
            response.enveloped = True
            return response
        return Response({"event": event.id, "processed": processed})

    def get_parsers(self):
        return []  # the raw body is what Stripe signed
