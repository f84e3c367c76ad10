"""Student import files: reading a CSV or XLSX into a table, and checking every row.

A file is recognised by its content, never by its name: an XLSX is a zip workbook that openpyxl
reads, a CSV is UTF-8 text (a BOM allowed) separated by `,` or `;` (whichever the header line
uses more). Anything else is `415 unsupported_media_type`; a file over `IMPORT_MAX_BYTES` is
`413 file_too_large`.

The first row names the columns, in any order, case and spacing ignored (`Roll Number` is
`roll_number`). Columns: `email`, `first_name`, `last_name`, `roll_number`, `department`,
`graduation_year`, `cgpa`, `backlogs`, `phone`; all but `last_name`, `backlogs` and `phone` are
required (`400 validation_error` naming the missing ones). Other columns are reported as
`unknown_columns` and ignored. Rows are numbered as a spreadsheet shows them (the header is row
1); wholly empty rows are skipped.

Each cell is checked by the very fields of the students API (`StudentCreateInput`): the same
rules and messages, without building a serializer per row."""

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from openpyxl import load_workbook
from rest_framework import serializers

from core.api.codes import ErrorCode
from core.api.errors import FileTooLarge, PlacemateError
from tenant_apps.students.serializers import StudentCreateInput

IMPORT_COLUMNS = (
    "email", "first_name", "last_name", "roll_number", "department", "graduation_year", "cgpa",
    "backlogs", "phone",
)  # fmt: skip
REQUIRED_COLUMNS = ("email", "first_name", "roll_number", "department", "graduation_year", "cgpa")
# Blank optional cells: the API's defaults.
BLANK_VALUES = {"last_name": "", "phone": "", "backlogs": 0}
USER_COLUMNS = ("first_name", "last_name")
PROFILE_COLUMNS = ("department", "graduation_year", "cgpa", "backlogs", "phone")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
# A workbook may inflate this many times its upload limit, and no more (zip bombs).
MAX_INFLATION = 20
FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")  # our exports' formula-injection prefix


class UnsupportedSpreadsheet(PlacemateError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    message = "Only CSV (UTF-8) and XLSX files are accepted."


@dataclass
class Table:
    columns: list[str]  # the known columns present, in file order
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, {column: text})
    unknown_columns: list[str] = field(default_factory=list)


def max_import_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def too_large() -> FileTooLarge:
    limit = max_import_bytes()
    return FileTooLarge(f"The file is larger than {limit} bytes.", details={"max_bytes": limit})


def read_upload(upload) -> bytes:
    if upload.size > max_import_bytes():
        raise too_large()
    upload.seek(0)
    return upload.read()


# --- Reading ------------------------------------------------------------------------------------


def read_table(data: bytes) -> Table:
    if not data.strip():
        raise serializers.ValidationError({"file": ["The file is empty."]})
    if data.startswith(OLE_MAGIC):
        raise UnsupportedSpreadsheet("Old .xls workbooks are not accepted: save it as XLSX.")
    records = _xlsx_records(data) if data.startswith(XLSX_MAGIC) else _csv_records(data)
    return _table(records)


def _csv_records(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedSpreadsheet() from None
    if "\x00" in text:
        raise UnsupportedSpreadsheet()
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as error:
        raise serializers.ValidationError({"file": [f"Unreadable CSV: {error}."]}) from None


def _xlsx_records(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsupportedSpreadsheet() from None
    if inflated > max_import_bytes() * MAX_INFLATION:
        raise too_large()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # whatever openpyxl trips on: not a workbook
        raise UnsupportedSpreadsheet() from None
    try:
        if not workbook.worksheets:
            raise serializers.ValidationError({"file": ["The workbook has no sheet."]})
        sheet = workbook.worksheets[0]
        return [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    except (serializers.ValidationError, PlacemateError):
        raise
    except Exception:  # a corrupt sheet inside a valid zip
        raise UnsupportedSpreadsheet("The workbook could not be read.") from None
    finally:
        workbook.close()


def _text(value: Any) -> str:
    """An XLSX cell as the text a CSV would hold (`2026`, not `2026.0`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def column_name(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.replace("\ufeff", "").strip().lower())


def _table(records: list[list[str]]) -> Table:
    header_at = next(
        (i for i, record in enumerate(records) if any(c.strip() for c in record)), None
    )
    if header_at is None:
        raise serializers.ValidationError({"file": ["The file is empty."]})
    names = [column_name(cell) for cell in records[header_at]]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for position, name in enumerate(names):
        if not name:
            continue  # an unnamed (usually empty) column
        if name not in IMPORT_COLUMNS:
            unknown.append(records[header_at][position].strip())
        elif name in positions:
            raise serializers.ValidationError({"columns": [f"The column {name} appears twice."]})
        else:
            positions[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise serializers.ValidationError(
            {
                "columns": [
                    f"Missing required column(s): {', '.join(missing)}. "
                    f"Columns: {', '.join(IMPORT_COLUMNS)}."
                ]
            }
        )
    rows = []
    for number, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {
            name: FORMULA_GUARD.sub("", record[at].strip()) if at < len(record) else ""
            for name, at in positions.items()
        }
        rows.append((number, cells))
    return Table(columns=list(positions), rows=rows, unknown_columns=unknown)


# --- Checking rows ------------------------------------------------------------------------------


@dataclass
class CheckedRow:
    number: int
    values: dict[str, Any]
    errors: list[tuple[str, str]]


def _cell_checkers() -> dict[str, Callable[[str], Any]]:
    """One checker per column: the API field's own validation, then the serializer's
    `validate_<column>` (normalising roll numbers and departments) when it has one."""
    serializer = StudentCreateInput()
    fields = serializer.fields
    checkers = {}
    for name in IMPORT_COLUMNS:
        run = fields[name].run_validation
        extra = getattr(serializer, f"validate_{name}", None)
        checkers[name] = _then(run, extra) if extra else run
    return checkers


def _then(first: Callable[[str], Any], second: Callable[[Any], Any]) -> Callable[[str], Any]:
    return lambda raw: second(first(raw))


def check_rows(table: Table, *, progress: Callable[[int], None] | None = None) -> list[CheckedRow]:
    checkers = _cell_checkers()
    checked = []
    for index, (number, cells) in enumerate(table.rows, start=1):
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for name in table.columns:
            raw = cells[name]
            if raw == "":
                if name in BLANK_VALUES:
                    values[name] = BLANK_VALUES[name]
                else:
                    errors.append((name, "This field is required."))
                continue
            try:
                values[name] = checkers[name](raw)
            except serializers.ValidationError as error:
                errors.extend((name, str(message)) for message in _messages(error.detail))
        if "email" in values:
            values["email"] = values["email"].strip().lower()
        checked.append(CheckedRow(number, values, errors))
        if progress is not None and index % 1000 == 0:
            progress(index)
    _flag_duplicates(checked, "roll_number", "roll number")
    _flag_duplicates(checked, "email", "e-mail address")
    return checked


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _flag_duplicates(rows: list[CheckedRow], column: str, label: str) -> None:
    """Rows sharing a key are all refused: which one is right cannot be known."""
    seen: dict[str, list[CheckedRow]] = {}
    for row in rows:
        key = row.values.get(column)
        if key:
            seen.setdefault(str(key).lower(), []).append(row)
    for same in seen.values():
        if len(same) > 1:
            numbers = ", ".join(str(row.number) for row in same)
            for row in same:
                row.errors.append((column, f"The same {label} is on rows {numbers}."))
