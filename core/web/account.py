"""The signed-in person's own account: profile, password, two-factor authentication.

Each form goes through what its endpoint uses: `UserSerializer` (`PATCH auth/user/`), the
password change serializer and the revocation of `auth/password/change/`, and the 2FA services
of `auth/2fa/totp/setup|confirm/` and `auth/2fa/disable/`. The security page stays open to staff
who must still set up 2FA."""

import segno
from dj_rest_auth.app_settings import api_settings
from django import forms
from django.contrib import messages
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError
from rest_framework.throttling import ScopedRateThrottle

from core.accounts import policies, security, services
from core.accounts.models import TOTPDevice
from core.accounts.serializers import CodeInput, UserSerializer
from core.api.errors import PlacemateError
from core.web import auth
from core.web.decorators import page
from core.web.forms import attach_errors

QR_SCALE = 5
THROTTLED = "Too many attempts: wait a minute and try again."


class _Scope:
    """What DRF's scoped throttle reads of a view: its scope (the endpoint's)."""

    def __init__(self, scope: str):
        self.throttle_scope = scope


def throttled(request, scope: str) -> bool:
    """The endpoint's own throttle (`auth_user`: password change and 2FA): the page and the API
    share one budget per person."""
    return not ScopedRateThrottle().allow_request(request, _Scope(scope))


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class PasswordForm(forms.Form):
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password, not like your name or e-mail.",
    )
    new_password2 = forms.CharField(
        label="New password, again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 20}
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].label = "Code from your authenticator app, or a recovery code"
            self.fields["code"].widget.attrs["inputmode"] = "text"


# --- Profile and password ------------------------------------------------------------------------


def _account_page(request, *, profile=None, password=None, status: int = 200):
    user = request.user
    profile = profile or ProfileForm(
        initial={"first_name": user.first_name, "last_name": user.last_name}
    )
    context = {"profile_form": profile, "password_form": password or PasswordForm()}
    return render(request, "web/account.html", context, status=status)


@page()
@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    if request.method != "POST":
        return _account_page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        serializer = UserSerializer(request.user, data=form.cleaned_data, partial=True)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            serializer.save()
            messages.success(request, "Your name is saved.")
            return HttpResponseRedirect(reverse("web:account"))
    return _account_page(request, profile=form, status=400)


@page()
@require_POST
def account_password(request):
    """As `auth/password/change/`: Django's validators, then every other session is signed out
    (refresh tokens revoked) and this one continues with fresh cookies."""
    form = PasswordForm(request.POST)
    if throttled(request, "auth_user"):
        form.add_error(None, THROTTLED)
        return _account_page(request, password=form, status=429)
    if form.is_valid():
        serializer = api_settings.PASSWORD_CHANGE_SERIALIZER(
            data=form.cleaned_data, context={"request": request}
        )
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            serializer.save()
            services.refresh_tokens_revoke_all(user=request.user)
            security.record("password_changed", request=request, user=request.user)
            messages.success(request, "Your new password is saved. Other devices were signed out.")
            response = HttpResponseRedirect(reverse("web:account"))
            return auth.sign_in_response(
                request, response, request.user, otp_verified=request.otp_verified
            )
    return _account_page(request, password=form, status=400)  # passwords are never re-shown


# --- Two-factor authentication -------------------------------------------------------------------


def qr_svg(uri: str) -> str:
    """The `otpauth://` URI as an inline SVG QR code (no style attribute: the CSP allows none)."""
    return segno.make(uri, error="m").svg_inline(
        scale=QR_SCALE,
        dark="#1c2430",
        light="#ffffff",
        svgclass="qr",
        title="QR code to scan",
        omitsize=True,
    )


def _pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _security_page(request, *, status: int = 200, **forms_):
    user = request.user
    enabled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    pending = None if enabled else _pending_device(user)
    context = {
        "enabled": enabled,
        "required": policies.second_factor_required(user, getattr(request, "datacache", None)),
        "confirm_form": forms_.get("confirm_form") or CodeForm(prefix="confirm"),
        "disable_form": forms_.get("disable_form") or CodeForm(prefix="disable", recovery=True),
        "regenerate_form": forms_.get("regenerate_form") or CodeForm(prefix="regenerate"),
    }
    if pending is not None:
        uri = services.otpauth_uri(device=pending, issuer=f"Placemate ({connection.tenant.name})")
        context["setup"] = {
            "qr": qr_svg(uri),
            "secret": uri.split("secret=", 1)[1].split("&", 1)[0],
        }
    return render(request, "web/account_security.html", context, status=status)


@page(otp_setup=True)
@require_http_methods(["GET", "HEAD"])
def account_security(request):
    return _security_page(request)


@page(otp_setup=True)
@require_POST
def account_security_setup(request):
    """A new secret to scan, as `auth/2fa/totp/setup/` (an unconfirmed one is replaced)."""
    try:
        services.totp_setup(user=request.user)
    except PlacemateError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(reverse("web:account-security"))


@page(otp_setup=True)
@require_POST
def account_security_confirm(request):
    """As `auth/2fa/totp/confirm/`: the first code turns 2FA on; the recovery codes are shown
    this once (only their hashes are kept) and this sign-in counts as two-factor."""
    form = CodeForm(request.POST, prefix="confirm")
    if throttled(request, "auth_user"):
        form.add_error(None, THROTTLED)
        return _security_page(request, confirm_form=form, status=429)
    if form.is_valid():
        data = CodeInput(data=form.cleaned_data)
        try:
            data.is_valid(raise_exception=True)
            codes = services.totp_confirm(request=request, user=request.user, **data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            response = render(
                request, "web/account_recovery_codes.html", {"codes": codes, "new": True}
            )
            return auth.sign_in_response(request, response, request.user, otp_verified=True)
    return _security_page(request, confirm_form=form, status=400)


@page(otp_setup=True)
@require_POST
def account_security_disable(request):
    """As `auth/2fa/disable/`: a current code (or a recovery code) turns 2FA off."""
    form = CodeForm(request.POST, prefix="disable", recovery=True)
    if throttled(request, "auth_user"):
        form.add_error(None, THROTTLED)
        return _security_page(request, disable_form=form, status=429)
    if form.is_valid():
        data = CodeInput(data=form.cleaned_data)
        try:
            data.is_valid(raise_exception=True)
            services.two_factor_disable(request=request, user=request.user, **data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Two-factor authentication is off.")
            return HttpResponseRedirect(reverse("web:account-security"))
    return _security_page(request, disable_form=form, status=400)


@page(otp_setup=True)
@require_POST
def account_security_recovery(request):
    """Ten new recovery codes (the old ones stop working), proven by a current code of the
    authenticator (not a recovery code: none would be left to spend it on)."""
    form = CodeForm(request.POST, prefix="regenerate")
    if throttled(request, "auth_user"):
        form.add_error(None, THROTTLED)
        return _security_page(request, regenerate_form=form, status=429)
    if form.is_valid():
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is not None and device.verify_token(form.cleaned_data["code"]):
            codes = services.recovery_codes_regenerate(user=request.user)
            security.record("recovery_codes_regenerated", request=request, user=request.user)
            return render(request, "web/account_recovery_codes.html", {"codes": codes})
        form.add_error("code", "Invalid code: use the current code of your authenticator app.")
    return _security_page(request, regenerate_form=form, status=400)
