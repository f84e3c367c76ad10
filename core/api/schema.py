"""OpenAPI (drf-spectacular): every response schema shows the envelope of docs/api.md, and the
error envelope's `code` the catalogue of core/api/codes.py."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from core.api.codes import ErrorCode

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["success", "timestamp", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "timestamp": {"type": "string", "format": "date-time"},
        "error": {
            "type": "object",
            "required": ["code", "message", "type", "details"],
            "properties": {
                "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
                "message": {"type": "string"},
                "type": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
        },
    },
}


def success_envelope(schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["success", "message", "timestamp", "data"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "message": {"type": "string"},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": schema,
        },
    }


def _is_enveloped(schema: dict) -> bool:
    ref = schema.get("$ref", "")
    return "/Paginated" in ref or "pagination" in schema.get("properties", {})


class EnvelopeAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # "" is no URI or e-mail address: a field that may be blank says so.
        if getattr(field, "allow_blank", False) and "format" in schema:
            return {"anyOf": [schema, {"type": "string", "enum": [""]}]}
        return schema

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2"):
            return response
        for media in response.get("content", {}).values():
            schema = media.get("schema")
            if schema is not None and not _is_enveloped(schema):
                media["schema"] = success_envelope(schema)
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        component = ResolvedComponent(
            name="ErrorEnvelope",
            type=ResolvedComponent.SCHEMA,
            schema=ERROR_ENVELOPE,
            object="ErrorEnvelope",
        )
        self.registry.register_on_missing(component)
        responses.setdefault(
            "default",
            {
                "description": "Error (see docs/api.md for the codes)",
                "content": {"application/json": {"schema": component.ref}},
            },
        )
        return responses
