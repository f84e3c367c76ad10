from django import forms
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError


def attach_errors(form: forms.Form, error: Exception) -> None:
    """Show a service's error on the form: a DRF `ValidationError` field by field (unknown fields
    and `non_field_errors` on the form itself), a `PlacemateError` with its message (and its
    `details`, when they name fields)."""
    if isinstance(error, ValidationError):
        details = error.detail if isinstance(error.detail, dict) else {None: error.detail}
    elif isinstance(error, PlacemateError):
        details = {None: [error.message]}
        if isinstance(error.details, dict):
            details.update({k: v for k, v in error.details.items() if k in form.fields})
    else:
        raise TypeError(f"not a service error: {error!r}")
    for field, messages in details.items():
        target = field if field in form.fields else None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(target, str(message))


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    otp_token = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
