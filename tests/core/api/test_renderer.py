"""The envelope renderer encodes with orjson, and must give the JSON DRF's encoder gives."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.renderers import EnvelopeJSONRenderer

PAYLOAD = {
    "when": datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC),
    "whole_second": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    "naive": datetime(2026, 11, 22, 10, 0),
    "day": date(2026, 11, 22),
    "ctc": Decimal("1250000.50"),
    "lazy": gettext_lazy("Not found."),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "duration": timedelta(minutes=90),
    "text": "Ünïcode, line\u2028and paragraph\u2029separators",
    "nested": [{"n": 1, "none": None, "flag": True}],
}


def render(renderer, data, response=None):
    return renderer.render(data, "application/json", {"response": response})


def test_orjson_output_is_the_json_drf_would_write():
    ours = render(EnvelopeJSONRenderer(), PAYLOAD)
    drf = render(JSONRenderer(), PAYLOAD)

    assert ours == drf
    decoded = json.loads(ours)
    assert decoded["when"] == "2026-11-22T10:00:00.123456Z"
    assert decoded["whole_second"] == "2026-11-22T10:00:00Z"
    assert decoded["ctc"] == 1250000.5
    assert decoded["lazy"] == "Not found."
    assert b"\\u2028" in ours and b"\\u2029" in ours  # a strict JavaScript subset


def test_a_success_is_enveloped_and_an_error_is_not_wrapped_twice():
    ok = json.loads(render(EnvelopeJSONRenderer(), {"a": 1}, Response(status=200)))
    error_body = {"success": False, "error": {"code": "not_found"}}
    error = json.loads(render(EnvelopeJSONRenderer(), error_body, Response(status=404)))

    assert ok["success"] is True and ok["data"] == {"a": 1} and "timestamp" in ok
    assert error == error_body


def test_what_orjson_cannot_encode_falls_back_to_drf():
    huge = {"big": 2**70}
    assert json.loads(render(EnvelopeJSONRenderer(), huge)) == huge


def test_no_content_has_no_body():
    assert render(EnvelopeJSONRenderer(), {"a": 1}, Response(status=204)) == b""
