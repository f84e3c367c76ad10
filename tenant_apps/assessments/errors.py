"""The assessments' own error codes (400), beside those of API.md: `assessment_closed` (starting
outside the assessment's window) and `attempt_closed` (answering after the attempt ended)."""

from core.api.errors import PlacemateError


class AssessmentClosed(PlacemateError):
    code = "assessment_closed"
    message = "This assessment is not open for attempts."


class AttemptClosed(PlacemateError):
    code = "attempt_closed"
    message = "This attempt has ended: it takes no more answers."
