from rest_framework.renderers import JSONRenderer

from core.api.envelope import success_body


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful payload in the envelope; errors arrive already wrapped by the
    exception handler. A paginated response carries its `pagination` block on the response."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        if response is None or getattr(response, "enveloped", False):
            return super().render(data, accepted_media_type, renderer_context)
        if response.status_code >= 400:
            return super().render(data, accepted_media_type, renderer_context)
        body = success_body(
            data,
            message=getattr(response, "message", "OK"),
            pagination=getattr(response, "pagination", None),
        )
        return super().render(body, accepted_media_type, renderer_context)
