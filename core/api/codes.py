"""The catalogue of error codes: every `error.code` an API response may carry, with its HTTP
status and what it means. The exception classes, the exception handler, the OpenAPI schema
(the error envelope's `code` enum) and the table of docs/api.md all come from here; a test
checks that the document lists exactly these codes."""

from enum import StrEnum


class ErrorCode(StrEnum):
    status: int
    meaning: str

    def __new__(cls, value: str, status: int, meaning: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        member.meaning = meaning
        return member

    VALIDATION_ERROR = (
        "validation_error",
        400,
        "A field or the body is invalid (`details` per field).",
    )
    NOT_ELIGIBLE = "not_eligible", 400, "The student does not meet the rules (`details.reasons`)."
    INVALID_TRANSITION = "invalid_transition", 400, "This status change is not allowed."
    DRIVE_CLOSED = (
        "drive_closed",
        400,
        "The drive does not accept applications (status, `apply_by`).",
    )
    ASSESSMENT_CLOSED = "assessment_closed", 400, "Starting an assessment outside its window."
    ATTEMPT_CLOSED = "attempt_closed", 400, "Answering after the attempt ended."
    NOT_AUTHENTICATED = "not_authenticated", 401, "No credentials were sent."
    AUTHENTICATION_FAILED = (
        "authentication_failed",
        401,
        "Wrong e-mail or password, or a bad credential.",
    )
    TOKEN_INVALID = (
        "token_invalid",
        401,
        "The token is invalid, expired, revoked or of another host.",
    )
    SUBSCRIPTION_INACTIVE = (
        "subscription_inactive",
        402,
        "The college is read-only: a write is refused.",
    )
    PLAN_LIMIT_REACHED = (
        "plan_limit_reached",
        402,
        "The plan's limit (students, drives, staff, storage) is reached.",
    )
    PERMISSION_DENIED = (
        "permission_denied",
        403,
        "The role may not do this (or the CSRF check failed).",
    )
    EMAIL_NOT_VERIFIED = (
        "email_not_verified",
        403,
        "The account's e-mail address is not verified yet.",
    )
    TENANT_SUSPENDED = (
        "tenant_suspended",
        403,
        "An operator suspended the college: every endpoint refuses.",
    )
    ACCOUNT_LOCKED = (
        "account_locked",
        403,
        "Too many failed sign-ins: the account is locked for a while.",
    )
    OTP_REQUIRED = (
        "otp_required",
        403,
        "Two-factor authentication must be set up or completed first.",
    )
    NOT_FOUND = "not_found", 404, "No such row, or one the caller may not see (the same answer)."
    TENANT_NOT_FOUND = "tenant_not_found", 404, "No college is served on this host."
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, "The path does not take this method."
    NOT_ACCEPTABLE = "not_acceptable", 406, "No representation matches the `Accept` header."
    CONFLICT = (
        "conflict",
        409,
        "The request conflicts with the current state (a duplicate, a race).",
    )
    FILE_TOO_LARGE = "file_too_large", 413, "The file or the request body is too large."
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        415,
        "The body's or file's type is not accepted.",
    )
    THROTTLED = (
        "throttled",
        429,
        "Too many requests: retry after `Retry-After` (`details.retry_after`).",
    )
    SERVER_ERROR = "server_error", 500, "Our fault: no trace, no SQL, no other college's data."
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        503,
        "The database (or Redis) is unavailable: retry shortly.",
    )
    BILLING_UNAVAILABLE = (
        "billing_unavailable",
        503,
        "The payment provider is unreachable: nothing was charged.",
    )

    @classmethod
    def for_status(cls, status: int) -> "ErrorCode":
        """The first code of `status` (a library's error without a code of ours), else 500's."""
        return next((code for code in cls if code.status == status), cls.SERVER_ERROR)
