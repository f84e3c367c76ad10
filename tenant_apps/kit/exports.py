"""Spreadsheet exports (CSV or XLSX) of a queryset, with columns the client picks from an
allow-list.

One query whatever the number of rows: the rows come from a single `.values_list()` read with a
server-side cursor, and a CSV is streamed as it is read. An XLSX (a zip) is built in memory
(write-only workbook) and sent whole. Text cells that a spreadsheet would run as a formula
(starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'` in a CSV and
typed as strings in an XLSX (core/spreadsheet.py); the student import strips the CSV's prefix
again, so an export can be imported back."""

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter
from openpyxl import Workbook
from rest_framework import serializers

from core.api.schema import EnvelopeAutoSchema
from core.spreadsheet import safe_text, xlsx_cells
from shared_apps.billing.limits import ensure_feature

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": f"{CSV_TYPE}; charset=utf-8", "xlsx": XLSX_TYPE}
CSV_BOM = "\ufeff"  # spreadsheet programs then read the file as UTF-8
CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Column:
    """`source`: a field path or expression for `.values_list()`; `shape` turns its value into
    the cell's (default: the value itself)."""

    name: str
    header: str
    source: Any
    shape: Callable[[Any], Any] | None = None


def plain(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def cell(value: Any) -> Any:
    """A value as a CSV cell: text guarded against formulas."""
    value = plain(value)
    return safe_text(value) if isinstance(value, str) else value


class ExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")
    columns = serializers.CharField(required=False, max_length=2000)


def export_parameters(columns: dict[str, Column], default: list[str]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("format", str, enum=["csv", "xlsx"], default="csv"),
        OpenApiParameter(
            "columns",
            str,
            description=(
                "Comma-separated, in the order wanted. Allowed: "
                f"{', '.join(columns)}. Default: {','.join(default)}."
            ),
        ),
    ]


class ExportSchema(EnvelopeAutoSchema):
    """An export's 200 is a file (CSV or XLSX), not the JSON envelope; errors keep theirs."""

    file_description = "The file: a CSV (UTF-8 with a BOM, streamed) or an XLSX workbook."

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        file = {"schema": {"type": "string", "format": "binary"}}
        responses["200"] = {
            "description": self.file_description,
            "content": {CSV_TYPE: file, XLSX_TYPE: file},
        }
        return responses


def export_request(
    params, *, columns: dict[str, Column], default: list[str]
) -> tuple[str, list[Column]]:
    """The format and the columns asked for (400 `validation_error` naming the allowed columns
    for an unknown one), once the plan is known to include exports (402 otherwise)."""
    ensure_feature("exports")
    query = ExportQuery(data={key: params[key] for key in ("format", "columns") if key in params})
    query.is_valid(raise_exception=True)
    wanted = query.validated_data.get("columns")
    names = [name.strip() for name in wanted.split(",") if name.strip()] if wanted else default
    unknown = [name for name in names if name not in columns]
    if unknown or not names:
        raise serializers.ValidationError(
            {
                "columns": [
                    f"Unknown column(s): {', '.join(unknown) or '(none given)'}. "
                    f"Allowed: {', '.join(columns)}."
                ]
            }
        )
    if len(set(names)) != len(names):
        raise serializers.ValidationError({"columns": ["A column appears twice."]})
    return query.validated_data["format"], [columns[name] for name in names]


def _rows(queryset: QuerySet, columns: list[Column], to_cell=cell) -> Iterator[list[Any]]:
    shapes = [column.shape for column in columns]
    values = queryset.values_list(*(column.source for column in columns))
    for raw in values.iterator(chunk_size=CHUNK_ROWS):
        yield [to_cell(shape(v) if shape else v) for shape, v in zip(shapes, raw, strict=True)]


class _Line:
    """A file-like object for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def _csv_stream(headers: list[str], rows: Iterator[list]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield (CSV_BOM + writer.writerow(headers)).encode()
    for row in rows:
        yield writer.writerow(row).encode()


def attachment(
    response: HttpResponse | StreamingHttpResponse, *, filename: str, file_format: str
) -> HttpResponse | StreamingHttpResponse:
    """`response` as a download named `<filename>.<file_format>` that no cache keeps."""
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_response(content: bytes, *, file_format: str, filename: str) -> HttpResponse:
    """A whole file (`csv` or `xlsx`) as an attachment."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    return attachment(response, filename=filename, file_format=file_format)


def export_response(
    queryset: QuerySet, columns: list[Column], *, file_format: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    headers = [column.header for column in columns]
    if file_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(headers)
        for row in _rows(queryset, columns, plain):
            sheet.append(xlsx_cells(sheet, row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return file_response(buffer.getvalue(), file_format="xlsx", filename=filename)
    rows = _rows(queryset, columns)
    # The query runs now, in the view (its errors answer the envelope); the rows are then
    # fetched from its server-side cursor as the response is sent.
    first = next(rows, None)
    response = StreamingHttpResponse(
        _csv_stream(headers, itertools.chain([first] if first else [], rows)),
        content_type=CONTENT_TYPES["csv"],
    )
    return attachment(response, filename=filename, file_format="csv")
