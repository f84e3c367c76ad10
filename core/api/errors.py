"""Business errors: raise one from a service, the exception handler renders its envelope."""

from typing import Any

from core.api.codes import ErrorCode


class PlacemateError(Exception):
    """`code` is one of the catalogue (core/api/codes.py); the HTTP status is the code's."""

    code = ErrorCode.VALIDATION_ERROR
    status_code = ErrorCode.VALIDATION_ERROR.status
    message = "The request is invalid."

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.status_code = ErrorCode(cls.code).status

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        self.message = message or self.message
        self.details = details or {}
        super().__init__(self.message)


class Conflict(PlacemateError):
    code = ErrorCode.CONFLICT
    message = "The request conflicts with the current state."


class FileTooLarge(PlacemateError):
    code = ErrorCode.FILE_TOO_LARGE
    message = "The file is too large."
