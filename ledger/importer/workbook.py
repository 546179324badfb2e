"""Workbooks the ledger hands out: the annotated upload, the monthly template, the export.

- **Annotated upload**: the operator's own sheet, cell for cell, with an error column
  ``错误 / errors`` at the right (every problem of the row, Chinese then English) and each
  offending cell filled red with the problem as a comment. It is re-read from the upload
  and written in openpyxl's write-only mode, so it too is streamed. The operator fixes it
  and uploads it again; the error column is ignored on the way back in (and replaced, not
  duplicated, if the sheet is annotated again). It is the operator's own data going back
  to them, so it keeps what they typed, and how they left it: rows they hid (by hand or by
  a filter — the import skipped them) stay hidden, columns keep their widths and stay hidden;
  the messages themselves never contain an ID number.
- **Template** for a workshop and month: one row per placement active in that month,
  pre-filled with what is already recorded (so uploading it unchanged is a no-op).
- **Export** of a workshop's pay over a period, in the same columns: importing an export
  gives back exactly the same records (the identity the tests check with Hypothesis).

Templates and exports carry the placement id (``用工编号``) and the *masked* ID number;
the importer matches rows by placement id, so no full ID number leaves the ledger.
Amounts are written as numbers with two decimals (Decimal → the cell's text is exact).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.dimensions import DEFAULT_COLUMN_WIDTH, ColumnDimension, RowDimension

from ledger.core import rules
from ledger.core.money import fen_to_yuan
from ledger.core.problems import Problem
from ledger.importer.headers import ERROR_HEADER, FIELDS, header_key
from ledger.importer.reading import Column, Sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BAD = PatternFill("solid", fgColor="FFC7CE")
BAD_ROW = PatternFill("solid", fgColor="FFEB9C")
BOLD = Font(bold=True)
PAY_COLUMNS = ["placement", "workshop_code", "id_number", "name", "month", "amount", "days_worked", "hours",
               "pieces"]


def _error_column(sheet: Sheet) -> int:
    header = None
    for number, cells in sheet.all_rows():
        if number == sheet.layout.header_row:
            header = cells
            break
    for index, cell in enumerate(header or ()):
        if header_key(cell) == header_key(ERROR_HEADER):
            return index
    return max(sheet.layout.width, len(header or ()))


def annotate(sheet: Sheet | list[Sheet], problems: Iterable[Any]) -> bytes:
    """The uploaded sheet with its problems marked (``problems``: ``RowProblem``-like).

    Several tables (tabs of one workbook) give one annotated tab each, named as the
    clerk's; a problem goes to the tab it names (``sheet``), one naming none to the first."""
    sheets = sheet if isinstance(sheet, list) else [sheet]
    by_tab: dict[str | None, list[Problem]] = defaultdict(list)
    names = {s.name for s in sheets}
    for item in problems:
        tab = getattr(item, "sheet", None)
        by_tab[tab if tab in names else sheets[0].name].append(getattr(item, "problem", item))
    book = Workbook(write_only=True)
    for table in sheets:
        title = "导入检查 check" if len(sheets) == 1 else _tab_title(table.name or "sheet", book)
        _annotate_table(book.create_sheet(title), table, by_tab.get(table.name, []))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _tab_title(name: str, book: Workbook) -> str:
    title = re.sub(r"[\\/?*\[\]:]", "_", name)[:31] or "sheet"
    taken = set(book.sheetnames)
    base, n = title, 2
    while title in taken:
        title = f"{base[:28]}({n})"
        n += 1
    return title


def _annotate_table(out: Any, sheet: Sheet, problems: list[Problem]) -> None:
    by_row: dict[int | None, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(problem)
    error_at = _error_column(sheet)
    _keep_columns(out, sheet.columns, error_at)
    for number, cells, hidden in sheet.stored_rows():
        if hidden:  # a row the clerk hid (by hand or by a filter) and the import skipped stays hidden
            out.row_dimensions[number] = RowDimension(out, index=number, hidden=True)
        row_problems = by_row.get(number, [])
        if number == sheet.layout.header_row:
            row_problems = row_problems + by_row.get(None, [])
        bad = {p.column: p for p in row_problems if p.column}
        width = max(len(cells), error_at + 1)
        row = []
        for index in range(width):
            value = cells[index] if index < len(cells) and index != error_at else None
            cell = WriteOnlyCell(out, value=value)
            letter = _letter(index)
            if index == error_at:
                if number == sheet.layout.header_row:
                    cell.value, cell.font = ERROR_HEADER, BOLD
                elif row_problems:
                    cell.value = "\n".join(_line(p) for p in row_problems)
                    cell.fill = BAD_ROW
            elif letter in bad:
                cell.fill = BAD
                cell.comment = Comment("\n".join(_line(p) for p in row_problems if p.column == letter), "ledger")
            row.append(cell)
        out.append(row)
    if sheet.auto_filter is not None and sheet.auto_filter.ref:
        out.auto_filter = sheet.auto_filter  # written after the rows: the clerk's filter, its criteria with it


ERROR_WIDTH = 60


def _keep_columns(out: Any, columns: tuple[Column, ...], error_at: int) -> None:
    """The clerk's column widths and hidden columns, on the copy (before its first row, as a
    write-only sheet needs); the error column (0-based ``error_at``) is always shown, and wide."""
    error = error_at + 1
    for column in columns:
        parts = [(column.first, column.last)]
        if column.first <= error <= column.last:
            parts = [(a, b) for a, b in ((column.first, error - 1), (error + 1, column.last)) if a <= b]
        for first, last in parts:
            letter = _letter(first - 1)
            out.column_dimensions[letter] = ColumnDimension(
                out, index=letter, min=first, max=last, hidden=column.hidden,
                width=column.width if column.width is not None else DEFAULT_COLUMN_WIDTH,
                customWidth=column.width is not None)
    letter = _letter(error_at)
    out.column_dimensions[letter] = ColumnDimension(out, index=letter, width=ERROR_WIDTH, customWidth=True)


def _letter(index: int) -> str:
    from ledger.importer.headers import column_letter

    return column_letter(index)


def _line(problem: Problem) -> str:
    where = f"{problem.column}列 " if problem.column else ""
    label = FIELDS[problem.field][0] if problem.field in FIELDS else problem.field
    return f"{where}{label}：{problem.zh} / {problem.en}"


def _header(columns: list[str]) -> list[str]:
    return [FIELDS[c][0] for c in columns]


def pay_rows(placements: list[dict[str, Any]], month: str | None, pay: dict[tuple[int, str], dict[str, Any]]
             ) -> list[list[Any]]:
    """Rows of the pay columns: one per (placement, month) given."""
    rows = []
    for p in placements:
        record = pay.get((p["id"], p.get("month", month)))
        rows.append([
            p["id"], p["workshop_code"], p["worker_id_number"], p["worker_name"], p.get("month", month),
            None if record is None else fen_to_yuan(record["amount_fen"]),
            None if record is None else record["days_worked"],
            None if record is None or record["hours"] is None else Decimal(str(record["hours"])),
            None if record is None else record["pieces"],
        ])
    return rows


def write_pay_sheet(title: str, rows: list[list[Any]], file_format: str = "xlsx") -> bytes:
    """A pay sheet (template or export) with a title row above the header."""
    header = _header(PAY_COLUMNS)
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) else v) for v in row])
        return text.getvalue().encode("utf-8-sig")  # with BOM: Excel then reads it as UTF-8
    book = Workbook(write_only=True)
    sheet = book.create_sheet("月收入 pay")
    for letter, width in zip("ABCDEFGHI", (10, 12, 22, 10, 10, 12, 10, 8, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(bold=True, size=13)
    sheet.append([title_cell])
    head = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = BOLD
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)
            if index in (5, 7):
                cell.number_format = "0.00"
            elif index == 4:
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_hires_template(workshop_code: str) -> bytes:
    columns = ["workshop_code", "id_number", "name", "village", "phone", "baseline_income", "hired_on", "left_on",
               "pay_basis"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("用工 hires")
    sheet.append([f"{workshop_code} 新增用工（身份证号列请设为文本） / new hires (format the ID column as text)"])
    sheet.append(_header(columns))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def masked(number: str) -> str:
    return rules.mask_id_number(number) if len(number) == 18 else number


def annotate_source(source: Any, problems: Iterable[Any], sheet: str | None = None) -> bytes | None:
    """Annotate an upload again from its source: every tab with a table (or the one named
    ``sheet``); None when the file has no readable table."""
    from ledger.importer.reading import UnreadableFile, open_tables, scan_hidden

    try:
        _, tabs = open_tables(source)
        if sheet is not None and tabs and tabs[0].name is not None:  # a workbook, not a CSV
            named = [t for t in tabs if t.name == sheet.strip()]
            if named and named[0].status == "hidden":
                named = [scan_hidden(source, named[0].name) or named[0]]
            tabs = named
    except UnreadableFile:
        return None
    tables = [t.sheet for t in tabs if t.sheet is not None]
    return annotate(tables, problems) if tables else None
