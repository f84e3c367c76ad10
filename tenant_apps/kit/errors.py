from core.api.codes import ErrorCode
from core.api.errors import PlacemateError


class InvalidTransition(PlacemateError):
    code = ErrorCode.INVALID_TRANSITION
    message = "This status change is not allowed."


class DriveClosed(PlacemateError):
    code = ErrorCode.DRIVE_CLOSED
    message = "This drive does not accept applications any more."


class NotEligible(PlacemateError):
    code = ErrorCode.NOT_ELIGIBLE
    message = "You are not eligible for this drive."

    def __init__(self, reasons: list[dict], message: str | None = None) -> None:
        super().__init__(message, details={"reasons": reasons})
