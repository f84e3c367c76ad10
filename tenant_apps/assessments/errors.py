"""The assessments' own error codes (400, in the catalogue of core/api/codes.py):
`assessment_closed` (starting outside the assessment's window) and `attempt_closed` (answering
after the attempt ended)."""

from core.api.codes import ErrorCode
from core.api.errors import PlacemateError


class AssessmentClosed(PlacemateError):
    code = ErrorCode.ASSESSMENT_CLOSED
    message = "This assessment is not open for attempts."


class AttemptClosed(PlacemateError):
    code = ErrorCode.ATTEMPT_CLOSED
    message = "This attempt has ended: it takes no more answers."
