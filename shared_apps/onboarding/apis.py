from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shared_apps.onboarding.serializers import SignupInput, TenantOutput
from tenants.services import college_signup, subdomain_problem


class CheckSubdomainApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "subdomain_check"

    @extend_schema(
        parameters=[OpenApiParameter("subdomain", str, required=True)],
        responses={
            200: inline_serializer(
                "SubdomainAvailability",
                {"available": serializers.BooleanField(), "reason": serializers.CharField()},
            )
        },
    )
    def get(self, request):
        subdomain = request.query_params.get("subdomain", "").strip().lower()
        problem = subdomain_problem(subdomain)
        return Response({"available": problem is None, "reason": problem or ""})


class SignupApi(APIView):
    """A college signs up: its workspace (schema, domain, admin) exists when this answers."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(request=SignupInput, responses={201: inline_serializer(
        "SignupResult", {"tenant": TenantOutput()}
    )})  # fmt: skip
    def post(self, request):
        data = SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        college = college_signup(fields=data.validated_data, request=request)
        tenant = TenantOutput(college, context={"request": request}).data
        response = Response({"tenant": tenant}, status=status.HTTP_201_CREATED)
        response.message = "Workspace created: verify the admin's e-mail address to log in."
        return response
