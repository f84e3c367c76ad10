from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` / `page_size` (≤ 100, default 20); the `pagination` block of the envelope."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        """`page` is a whole number from 1 (or "last"); anything else → 400, not page 1."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({"page": ["A whole number from 1."]})
        return int(raw)

    def get_page_size(self, request) -> int:
        """The asked size, at most 100; not a positive whole number → 400 (not the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({"page_size": ["A whole number from 1 to 100."]})
        return min(int(raw), self.max_page_size)

    def page_slice(self, request) -> tuple[int, int] | None:
        """`(offset, limit)` of the asked page, its parameters checked as `paginate_queryset`
        checks them (400 for a bad one), to read the page and its total at once; None when its
        number needs the total first ("last", or beyond any table's size)."""
        size = self.get_page_size(request)
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return None
        offset = (self.get_page_number(request, None) - 1) * size
        if offset > 2**62:  # past any table, and past PostgreSQL's OFFSET: a plain 404
            return None
        return offset, size

    def get_paginated_response(self, data):
        response = Response(data)
        response.pagination = {
            "page": self.page.number,
            "page_size": self.get_page_size(self.request),
            "total": self.page.paginator.count,
            "total_pages": self.page.paginator.num_pages,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
        }
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["success", "message", "timestamp", "data", "pagination"],
            "properties": {
                "success": {"type": "boolean"},
                "message": {"type": "string"},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": schema,
                "pagination": {
                    "type": "object",
                    "required": ["page", "page_size", "total", "total_pages", "next", "previous"],
                    "properties": {
                        "page": {"type": "integer"},
                        "page_size": {"type": "integer"},
                        "total": {"type": "integer"},
                        "total_pages": {"type": "integer"},
                        "next": {"type": "string", "format": "uri", "nullable": True},
                        "previous": {"type": "string", "format": "uri", "nullable": True},
                    },
                },
            },
        }
