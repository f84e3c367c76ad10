from django import forms
from django_otp.admin import OTPAdminAuthenticationForm

from core.accounts import services
from core.accounts.errors import AccountLocked
from core.accounts.throttling import Throttled
from core.api.errors import PlacemateError

GENERIC_ERROR = "Enter the e-mail address, password and code of a staff account."


class AdminLoginForm(OTPAdminAuthenticationForm):
    """The admin login on every host: e-mail, password and a code in one step, through the
    same sign-in as the API (services.login_start, then login_challenge_complete): the
    throttles, the lockout (a locked account stays out), and failures counted for the code
    too. Every failure answers the same error, so the form never tells a right password from
    a wrong one; a six-digit code is a TOTP code, anything else a recovery code."""

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        code = self.cleaned_data.get("otp_token") or ""
        try:
            start = services.login_start(request=self.request, email=email, password=password)
            if start.otp_token is None or not (start.user.is_staff and start.user.is_active):
                raise forms.ValidationError(GENERIC_ERROR, code="invalid_login")
            user = services.login_challenge_complete(
                request=self.request, otp_token=start.otp_token, code=code
            )
        except (AccountLocked, Throttled) as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        except PlacemateError as exc:
            raise forms.ValidationError(GENERIC_ERROR, code="invalid_login") from exc
        self.user_cache = user  # with `otp_device`, which django-otp keeps in the session
        return self.cleaned_data
