from core.api.errors import PlacemateError


class InvalidTransition(PlacemateError):
    code = "invalid_transition"
    message = "This status change is not allowed."


class DriveClosed(PlacemateError):
    code = "drive_closed"
    message = "This drive does not accept applications any more."


class NotEligible(PlacemateError):
    code = "not_eligible"
    message = "You are not eligible for this drive."

    def __init__(self, reasons: list[dict], message: str | None = None) -> None:
        super().__init__(message, details={"reasons": reasons})
