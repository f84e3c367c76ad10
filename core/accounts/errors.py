from rest_framework import status

from core.api.errors import PlacemateError


class AuthenticationFailed(PlacemateError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "authentication_failed"
    message = "Invalid e-mail or password."


class TokenInvalid(PlacemateError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_invalid"
    message = "The token is invalid or expired."


class AccountLocked(PlacemateError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "account_locked"
    message = "Too many failed attempts: the account is locked for a while."


class EmailNotVerified(PlacemateError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "email_not_verified"
    message = "Verify your e-mail address first: we sent you a link."


class OtpRequired(PlacemateError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "otp_required"
    message = "Two-factor authentication is required: set up an authenticator first."


class PermissionDenied(PlacemateError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    message = "You do not have permission to perform this action."
