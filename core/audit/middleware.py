from core.audit.context import request_context


class AuditContextMiddleware:
    """Makes the request's user and client IP available to the audit trail (last in the stack)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request):
            return self.get_response(request)
