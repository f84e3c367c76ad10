"""The placement report as files: CSV (one table, a `group` column telling departments,
companies and CTC bands apart) and XLSX (one sheet per group), sent as attachments. Cells, content
types and the download headers are the shared ones of `tenant_apps.kit.exports` (text that a
spreadsheet would run as a formula is prefixed with `'` in the CSV and a typed string in the
XLSX; a CSV starts with a UTF-8 BOM)."""

import csv
import io

from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from core.spreadsheet import xlsx_cells
from tenant_apps.kit.exports import CSV_BOM, ExportSchema, cell, file_response, plain

COLUMNS = [
    "group", "name", "students_total", "students_placed", "placement_rate", "drives",
    "applications", "offers", "placements", "ctc_avg", "ctc_max", "students_eligible",
]  # fmt: skip
SHEETS = {
    "department": (
        "Departments",
        ["department", "students_total", "students_placed", "placement_rate", "offers",
         "placements", "ctc_avg", "ctc_max", "students_eligible"],
    ),
    "company": (
        "Companies",
        ["company", "drives", "applications", "offers", "placements", "ctc_avg", "ctc_max"],
    ),
    "ctc_band": ("CTC bands", ["band", "min", "max", "placements", "ctc_avg"]),
}  # fmt: skip


def report_rows(report: dict) -> list[dict]:
    """Every row of the report, named by its group: what both files are made of."""
    rows = []
    for row in report["by_department"]:
        rows.append({"group": "department", "name": row["department"], **row})
    for row in report["by_company"]:
        rows.append({"group": "company", "name": row["company"]["name"], **row})
    for row in report["by_ctc_band"]:
        rows.append({"group": "ctc_band", "name": row["band"], **row})
    return rows


MONEY_COLUMNS = frozenset({"ctc_avg", "ctc_max", "min", "max"})


def _cell(column: str, value):
    """Money arrives as text with two decimals: a number in a spreadsheet; no CTC stays empty."""
    if column in MONEY_COLUMNS and value is not None:
        return float(value)
    return None if value is None else plain(value)


def report_csv(report: dict) -> bytes:
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in report_rows(report):
        writer.writerow({k: cell(v) for k, v in row.items() if k in COLUMNS})
    return buffer.getvalue().encode("utf-8")


def report_xlsx(report: dict) -> bytes:
    workbook = Workbook(write_only=True)
    rows = report_rows(report)
    for group, (title, columns) in SHEETS.items():
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for row in rows:
            if row["group"] != group:
                continue
            values = {**row, "department": row["name"], "company": row["name"], "band": row["name"]}
            sheet.append(
                xlsx_cells(sheet, [_cell(column, values.get(column)) for column in columns])
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def attachment(content: bytes, *, extension: str) -> HttpResponse:
    filename = f"placements-{connection.schema_name}-{timezone.now():%Y-%m-%d}"
    return file_response(content, file_format=extension, filename=filename)


class ReportFileSchema(ExportSchema):
    file_description = (
        "The report: a CSV (UTF-8 with a BOM, one table with a `group` column) or an XLSX "
        "workbook (a sheet per group)."
    )
