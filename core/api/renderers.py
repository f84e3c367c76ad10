import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from core.api.envelope import success_body

_ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
_DEFAULT = JSONEncoder().default  # what orjson does not know natively (Decimal, lazy text, ...)


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful payload in the envelope; errors arrive already wrapped by the
    exception handler. A paginated response carries its `pagination` block on the response.

    Encodes with orjson (several times faster than the standard library on a list page) to the
    same JSON as DRF's encoder: UTC times end in `Z`, decimals become numbers, U+2028/U+2029 are
    escaped. An indented rendering, or a value orjson refuses (an integer beyond 64 bits), takes
    DRF's own path."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        enveloped = response is None or getattr(response, "enveloped", False)
        if not enveloped and response.status_code < 400:
            data = success_body(
                data,
                message=getattr(response, "message", "OK"),
                pagination=getattr(response, "pagination", None),
            )
        return self._encode(data, accepted_media_type, renderer_context)

    def _encode(self, data, accepted_media_type, renderer_context) -> bytes:
        if data is None:
            return b""
        try:
            encoded = orjson.dumps(data, default=_DEFAULT, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            # pretty printing: DRF's encoder, from plain values (a cached Fragment included)
            return super().render(orjson.loads(encoded), accepted_media_type, renderer_context)
        return _escape_separators(encoded)


def _escape_separators(encoded: bytes) -> bytes:
    return encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


def json_bytes(data) -> bytes:
    """`data` encoded once, as the renderer would, to be embedded as is (`orjson.Fragment`) in
    later responses (a cached page of rows: see tenant_apps/kit/viewsets.py)."""
    try:
        encoded = orjson.dumps(data, default=_DEFAULT, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        encoded = JSONRenderer().render(data)
    return _escape_separators(encoded)
