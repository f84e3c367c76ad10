"""Signing in and out of the workspace: the same login path as `POST auth/login/` and
`auth/2fa/verify/` (lockout, 2FA, security log), the same cookies, the same revocation."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.accounts import services
from core.accounts.errors import TokenInvalid
from core.accounts.serializers import PasswordResetSerializer
from core.api.errors import PlacemateError
from core.web import auth, nav
from core.web.decorators import public_page
from core.web.forms import CodeForm, ForgotPasswordForm, SignInForm


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _signed_in(request, user, *, otp_verified: bool):
    response = HttpResponseRedirect(_next_url(request) or nav.home_url(user))
    return auth.sign_in_response(request, response, user, otp_verified=otp_verified)


@public_page
@require_http_methods(["GET", "HEAD"])
def home(request):
    """The workspace's address: the person's home, or the sign-in page."""
    identity = auth.identify(request)
    if identity.user.is_authenticated:
        return auth.finish(identity, HttpResponseRedirect(nav.home_url(identity.user)))
    return sign_in(request)


@public_page
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            start = services.login_start(request=request, **form.cleaned_data)
        except PlacemateError as error:
            form.add_error(None, error.message)
        else:
            if start.otp_token is None:
                return _signed_in(request, start.user, otp_verified=False)
            code_form = CodeForm(initial={"otp_token": start.otp_token})
            context = {"form": code_form, "next": _next_url(request)}
            return render(request, "web/sign_in_code.html", context)
    return render(request, "web/sign_in.html", {"form": form, "next": _next_url(request)})


@public_page
@require_POST
def sign_in_code(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            user = services.login_challenge_complete(request=request, **form.cleaned_data)
        except PlacemateError as error:
            if isinstance(error, TokenInvalid):  # the challenge is used or expired: start again
                messages.error(request, error.message)
                return HttpResponseRedirect(reverse("web:sign-in"))
            form.add_error("code", error.message)
        else:
            return _signed_in(request, user, otp_verified=True)
    return render(request, "web/sign_in_code.html", {"form": form, "next": _next_url(request)})


@public_page
@require_POST
def sign_out(request):
    services.session_end(request=request, refresh=request.COOKIES.get(auth.REFRESH_COOKIE))
    messages.success(request, "You are signed out.")
    return auth.sign_out_response(HttpResponseRedirect("/"))


@public_page
@require_http_methods(["GET", "HEAD", "POST"])
def forgot_password(request):
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        serializer = PasswordResetSerializer(data=form.cleaned_data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
            serializer.save()
        except ValidationError as error:
            form.add_error("email", "; ".join(str(m) for m in error.detail.get("email", [])))
        else:
            return render(request, "web/forgot_password.html", {"sent": form.cleaned_data["email"]})
    return render(request, "web/forgot_password.html", {"form": form})
