from core.api.codes import ErrorCode
from core.api.errors import PlacemateError


class AuthenticationFailed(PlacemateError):
    code = ErrorCode.AUTHENTICATION_FAILED
    message = "Invalid e-mail or password."


class TokenInvalid(PlacemateError):
    code = ErrorCode.TOKEN_INVALID
    message = "The token is invalid or expired."


class AccountLocked(PlacemateError):
    code = ErrorCode.ACCOUNT_LOCKED
    message = "Too many failed attempts: the account is locked for a while."


class EmailNotVerified(PlacemateError):
    code = ErrorCode.EMAIL_NOT_VERIFIED
    message = "Verify your e-mail address first: we sent you a link."


class OtpRequired(PlacemateError):
    code = ErrorCode.OTP_REQUIRED
    message = "Two-factor authentication is required: set up an authenticator first."


class PermissionDenied(PlacemateError):
    code = ErrorCode.PERMISSION_DENIED
    message = "You do not have permission to perform this action."
