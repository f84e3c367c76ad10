"""Text that a spreadsheet program would run as a formula (CSV/formula injection): a cell
starting with `=`, `+`, `-`, `@`, a tab or a carriage return. In a CSV, where every cell is
text, such a cell is prefixed with `'`; an XLSX cell is typed as a string instead, which no
program evaluates, so its text stays as it is ("+91 98..." is not "'+91 98...")."""

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A CSV cell's text, guarded."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def xlsx_cells(sheet, values: list) -> list:
    """A row for a write-only openpyxl sheet: text as typed string cells (never a formula),
    the rest as it is."""
    row = []
    for value in values:
        if isinstance(value, str):
            value_cell = WriteOnlyCell(sheet, value=value)
            value_cell.data_type = "s"
            row.append(value_cell)
        else:
            row.append(value)
    return row
