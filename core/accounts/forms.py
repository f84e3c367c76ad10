from django import forms
from django_otp.admin import OTPAdminAuthenticationForm


class AdminLoginForm(OTPAdminAuthenticationForm):
    """The admin login on every host: e-mail, password and a code in one step. A six-digit
    code is checked against the TOTP device, anything else as a recovery code (django-otp
    would otherwise ask to pick a device on a second submission)."""

    def _verify_token(self, user, token, device=None):
        if device is not None:
            return super()._verify_token(user, token, device)
        from core.accounts.services import second_factor_match

        matched = second_factor_match(user=user, code=token or "")
        if matched is None:
            raise forms.ValidationError(
                self.otp_error_messages["invalid_token"], code="invalid_token"
            )
        return matched
