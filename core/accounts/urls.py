from django.urls import path
from rest_framework.routers import SimpleRouter

from core.accounts import apis

# Served on every host: college people on their college's host, operators on the root domain.
auth_urlpatterns = [
    path("auth/login/", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/2fa/verify/", apis.TwoFactorVerifyApi.as_view(), name="auth-2fa-verify"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/user/", apis.UserApi.as_view(), name="auth-user"),
    path("auth/password/reset/", apis.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        apis.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/change/", apis.PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/2fa/totp/setup/", apis.TotpSetupApi.as_view(), name="auth-totp-setup"),
    path("auth/2fa/totp/confirm/", apis.TotpConfirmApi.as_view(), name="auth-totp-confirm"),
    path("auth/2fa/disable/", apis.TwoFactorDisableApi.as_view(), name="auth-2fa-disable"),
]

# College hosts only.
router = SimpleRouter()
router.register("users", apis.MemberViewSet, basename="member")

college_urlpatterns = [
    path("auth/registration/", apis.RegistrationApi.as_view(), name="auth-registration"),
    path(
        "auth/registration/verify-email/",
        apis.VerifyEmailApi.as_view(),
        name="auth-verify-email",
    ),
    path(
        "auth/invitations/accept/",
        apis.InvitationAcceptApi.as_view(),
        name="auth-invitation-accept",
    ),
    path("settings/", apis.CollegeSettingsApi.as_view(), name="college-settings"),
    *router.urls,
]
