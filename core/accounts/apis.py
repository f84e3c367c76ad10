"""The authentication endpoints of docs/api.md, the same on college hosts and the root domain."""

from dj_rest_auth.jwt_auth import set_jwt_cookies, unset_jwt_cookies
from dj_rest_auth.views import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.conf import settings
from django.db import connection
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.accounts import services
from core.accounts.csrf import ensure_csrf_token, ensure_same_origin
from core.accounts.errors import TokenInvalid
from core.accounts.models import CollegeSettings, Invitation, User
from core.accounts.selectors import pending_invitations
from core.accounts.serializers import (
    CodeInput,
    CollegeSettingsSerializer,
    InvitationAcceptInput,
    InvitationInput,
    InvitationOutput,
    KeyInput,
    LoginInput,
    MemberSerializer,
    RefreshInput,
    RegistrationInput,
    TwoFactorVerifyInput,
    UserSerializer,
    user_output,
)
from core.accounts.throttling import AddressRateThrottle
from core.accounts.tokens import tokens_for
from core.api.permissions import IsCollegeAdmin


def signed_in(
    request, user: User, *, otp_verified: bool, status_code: int = 200, refresh=None
) -> Response:
    """200 with `data.user` and `data.access`; the tokens (`refresh`'s, else new ones) also go
    in HttpOnly cookies."""
    if refresh is None:
        refresh = tokens_for(user, otp_verified=otp_verified)
    access = str(refresh.access_token)
    response = Response({"user": UserSerializer(user).data, "access": access}, status=status_code)
    set_jwt_cookies(response, access, str(refresh))
    get_token(request)  # the csrftoken cookie that cookie-authenticated writes must echo
    return response


def refresh_from(request, data: dict) -> str | None:
    """The refresh token of the body, else of the cookie; the cookie's use needs the CSRF
    token, as every cookie-authenticated write does."""
    if data.get("refresh"):
        return data["refresh"]
    raw = request.COOKIES.get(settings.REST_AUTH["JWT_AUTH_REFRESH_COOKIE"])
    if raw:
        ensure_csrf_token(request)
    return raw


class PublicAuthApi(APIView):
    """An unauthenticated auth endpoint. The throttles that matter are in the services
    (core/accounts/throttling.py); this one is only a flood ceiling per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "auth"


class LoginApi(PublicAuthApi):
    @extend_schema(request=LoginInput, responses={200: UserSerializer})
    def post(self, request):
        ensure_same_origin(request)
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        start = services.login_start(request=request, session=True, **data.validated_data)
        if start.otp_token is not None:
            return Response({"otp_required": True, "otp_token": start.otp_token})
        return signed_in(request, start.user, otp_verified=False, refresh=start.refresh)


class TwoFactorVerifyApi(PublicAuthApi):
    @extend_schema(request=TwoFactorVerifyInput, responses={200: UserSerializer})
    def post(self, request):
        ensure_same_origin(request)
        data = TwoFactorVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.login_challenge_complete(request=request, **data.validated_data)
        return signed_in(request, user, otp_verified=True)


class TokenRefreshApi(APIView):
    """New access token and rotated refresh token; the old refresh token is blacklisted, and
    one presented again ends every session of its user."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=RefreshInput,
        responses={200: inline_serializer("Refreshed", {"access": serializers.CharField()})},
    )
    def post(self, request):
        ensure_same_origin(request)
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        raw = refresh_from(request, data.validated_data)
        if not raw:
            raise TokenInvalid("No refresh token: send it or its cookie.")
        access, refresh = services.session_refresh(request=request, refresh=raw)
        response = Response({"access": access})
        set_jwt_cookies(response, access, refresh)
        return response


class LogoutApi(APIView):
    """Ends the person's sessions everywhere (access tokens included) and clears the cookies.
    Always 200."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshInput, responses={200: None})
    def post(self, request):
        ensure_same_origin(request)
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        raw = refresh_from(request, data.validated_data)
        if raw is None and request.COOKIES.get(settings.REST_AUTH["JWT_AUTH_COOKIE"]):
            ensure_csrf_token(request)
        services.session_end(request=request, refresh=raw)
        response = Response({"detail": "Logged out."})
        unset_jwt_cookies(response)
        return response


class UserApi(RetrieveUpdateAPIView):
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "options"]

    def get_object(self):
        return self.request.user

    def retrieve(self, request, *args, **kwargs):
        return Response(user_output(request.user))


class RegistrationApi(PublicAuthApi):
    @extend_schema(request=RegistrationInput, responses={201: UserSerializer})
    def post(self, request):
        data = RegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user = services.student_register(
            request=request,
            email=fields["email"],
            password=fields["password1"],
            first_name=fields["first_name"],
            last_name=fields["last_name"],
        )
        response = Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)
        response.message = "Verification e-mail sent."
        return response


class VerifyEmailApi(PublicAuthApi):
    @extend_schema(request=KeyInput, responses={200: None})
    def post(self, request):
        data = KeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.email_verify(request=request, key=data.validated_data["key"])
        return Response({"detail": "E-mail address verified."})


class PasswordResetApi(PasswordResetView):
    """Always 200, whether or not the address has an account (no enumeration)."""

    authentication_classes: list = []
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses={200: None})  # a message, not the address sent
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmApi(PasswordResetConfirmView):
    authentication_classes: list = []
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses={200: None})
    def post(self, request, *args, **kwargs):
        services.password_reset_confirm(request=request, data=request.data)
        return Response({"detail": "Password has been reset with the new password."})


class PasswordChangeApi(PasswordChangeView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_user"

    @extend_schema(responses={200: None})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        services.password_changed(request=request, user=request.user)
        # Other sessions are signed out; this one continues with fresh tokens.
        otp_verified = bool(request.auth and request.auth.get("otp", False))
        response = signed_in(request, request.user, otp_verified=otp_verified)
        response.data = {"detail": "New password has been saved."}
        return response


class TotpSetupApi(APIView):
    otp_setup_allowed = True

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "TotpSetup",
                {"secret": serializers.CharField(), "otpauth_uri": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        device = services.totp_setup(user=request.user)
        issuer = f"Placemate ({connection.tenant.name})"
        uri = services.otpauth_uri(device=device, issuer=issuer)
        secret = uri.split("secret=", 1)[1].split("&", 1)[0]
        return Response({"secret": secret, "otpauth_uri": uri})


class TotpConfirmApi(APIView):
    otp_setup_allowed = True
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_user"

    @extend_schema(
        request=CodeInput,
        responses={
            200: inline_serializer(
                "RecoveryCodes",
                {"recovery_codes": serializers.ListField(child=serializers.CharField())},
            )
        },
    )
    def post(self, request):
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        codes = services.totp_confirm(request=request, user=request.user, **data.validated_data)
        # The login that set up the device has proven the second factor now.
        response = signed_in(request, request.user, otp_verified=True)
        response.data = {"recovery_codes": codes}
        return response


class TwoFactorDisableApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_user"

    @extend_schema(request=CodeInput, responses={200: None})
    def post(self, request):
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.two_factor_disable(request=request, user=request.user, **data.validated_data)
        return Response({"detail": "Two-factor authentication is off."})


class InvitationAcceptApi(PublicAuthApi):
    @extend_schema(request=InvitationAcceptInput, responses={201: UserSerializer})
    def post(self, request):
        data = InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.invitation_accept(request=request, **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The college's people (admin): list, change role or deactivate, invite."""

    queryset = User.objects.all()
    serializer_class = MemberSerializer
    permission_classes = [IsCollegeAdmin]
    http_method_names = ["get", "patch", "post", "options"]
    filterset_fields = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    ordering_fields = ["email", "date_joined"]

    def perform_update(self, serializer):
        serializer.instance = services.member_update(
            request=self.request,
            member=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput})
    @action(detail=False, methods=["post"])
    def invite(self, request):
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            request=request,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            company_id=data.validated_data.get("company"),
            invited_by=request.user,
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InvitationOutput(many=True)})
    @action(detail=False, methods=["get"], url_path="invitations")
    def invitations(self, request):
        """The pending invitations (not accepted, not expired), the newest first."""
        page = self.paginate_queryset(pending_invitations())
        return self.get_paginated_response(InvitationOutput(page, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=False,
        methods=["post"],
        url_path=r"invitations/(?P<invitation_pk>[0-9]+)/revoke",
        url_name="invitation-revoke",
    )
    def revoke_invitation(self, request, invitation_pk: str):
        """Withdraw a pending invitation (its link stops working); 404 once accepted."""
        invitation = get_object_or_404(
            Invitation.objects.filter(accepted_at__isnull=True), pk=invitation_pk
        )
        services.invitation_revoke(request=request, invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CollegeSettingsApi(RetrieveUpdateAPIView):
    """Everybody reads the college's settings; its admin changes them."""

    serializer_class = CollegeSettingsSerializer
    http_method_names = ["get", "patch", "options"]

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [IsCollegeAdmin()]
        return [IsAuthenticated()]

    def get_object(self):
        return CollegeSettings.load()

    def perform_update(self, serializer):
        services.college_settings_update(
            college_settings=serializer.instance, **serializer.validated_data
        )
