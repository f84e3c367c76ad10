"""The college host's pages that e-mailed links open (FRONTEND_PATHS): verify an address, set a
new password, accept an invitation. Server-rendered forms over the same services as the API."""

from django import forms
from django.db import connection
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.accounts import services
from core.accounts.throttling import Throttled
from core.api.errors import Conflict


class KeyForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)


class ResetForm(forms.Form):
    uid = forms.CharField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput)
    new_password1 = forms.CharField(label="New password", widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="New password, again", widget=forms.PasswordInput)


class InvitationForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput)


def _page(request, form, *, heading: str, button: str, done: str = "", intro: str = ""):
    context = {
        "form": form,
        "heading": heading,
        "button": button,
        "done": done,
        "intro": intro,
        "college": connection.tenant,
    }
    return render(request, "accounts/pages/form.html", context)


def _attach(form: forms.Form, error: ValidationError) -> None:
    details = error.detail if isinstance(error.detail, dict) else {None: error.detail}
    for field, messages in details.items():
        field = field if field in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field, str(message))


@require_http_methods(["GET", "POST"])
def verify_email(request):
    form = KeyForm(request.POST or None, initial={"key": request.GET.get("key", "")})
    heading, button = "Verify your e-mail address", "Verify my address"
    if request.method == "POST" and form.is_valid():
        try:
            services.email_verify(request=request, key=form.cleaned_data["key"])
        except ValidationError as exc:
            _attach(form, exc)
        except Throttled as exc:
            form.add_error(None, exc.message)
        else:
            done = "Your address is verified: you can sign in now."
            return _page(request, form, heading=heading, button=button, done=done)
    return _page(request, form, heading=heading, button=button)


@require_http_methods(["GET", "POST"])
def reset_password(request):
    initial = {"uid": request.GET.get("uid", ""), "token": request.GET.get("token", "")}
    form = ResetForm(request.POST or None, initial=initial)
    heading, button = "Choose a new password", "Save the new password"
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(request=request, data=form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        except Throttled as exc:
            form.add_error(None, exc.message)
        else:
            done = "Your password is changed: sign in with the new one."
            return _page(request, form, heading=heading, button=button, done=done)
    return _page(request, form, heading=heading, button=button)


@require_http_methods(["GET", "POST"])
def accept_invitation(request):
    form = InvitationForm(request.POST or None, initial={"key": request.GET.get("key", "")})
    heading, button = "Join your college on Placemate", "Create my account"
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(request=request, **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        except (Throttled, Conflict) as exc:
            form.add_error(None, exc.message)
        else:
            done = "Your account is ready: you can sign in now."
            return _page(request, form, heading=heading, button=button, done=done)
    return _page(request, form, heading=heading, button=button)
