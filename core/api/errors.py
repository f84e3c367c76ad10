"""Business errors: raise one from a service, the exception handler renders its envelope."""

from typing import Any

from rest_framework import status


class PlacemateError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "validation_error"
    message = "The request is invalid."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        self.message = message or self.message
        self.details = details or {}
        super().__init__(self.message)


class Conflict(PlacemateError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state."


class FileTooLarge(PlacemateError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "file_too_large"
    message = "The file is too large."
