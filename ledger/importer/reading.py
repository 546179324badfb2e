"""Opening an uploaded file and streaming its rows, whatever program saved it.

- .xlsx (Excel, WPS, LibreOffice): openpyxl in read-only mode, values only, row by row —
  the workbook is never loaded whole. Every tab is looked at (``open_tables``); what the
  clerk hid stays out: a hidden tab is not scanned, hidden rows are not data rows (they are
  counted), hidden columns read as blank; a merged cell reads as its merge's top-left cell.
- .csv: UTF-8 with or without BOM, GB18030 (a superset of GBK, what Chinese Excel saves),
  UTF-16 with BOM (Excel's "Unicode text"); comma, tab or semicolon separated. The encoding
  is decided by a streaming pass over the whole file, so a GBK character on row 90,000
  is not misread as UTF-8.
- Anything else gets a clear refusal, never a crash: a password-protected workbook (an
  OLE container holding ``EncryptedPackage``), an old .xls, an .ods, a damaged zip, a
  binary file. ``UnreadableFile`` is a ``ValidationFailed`` with HTTP status 415 (the file,
  not a value in it, is wrong), naming the problem in Chinese and English.

Rows come out as ``(row_number, cells)`` with the row number the spreadsheet shows.
Completely blank rows are skipped. A CSV carries no hidden rows, columns, tabs or merges.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ledger.core.problems import Problem
from ledger.errors import ValidationFailed
from ledger.importer import values
from ledger.importer.headers import HEADER_SCAN_ROWS, Layout, find_layout

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 16
MAX_CELLS = 200
"""A row wider than this is cut: our sheets have a dozen columns, and a sheet whose
last-used column is XFD must not make every row 16,384 cells long."""


class UnreadableFile(ValidationFailed):
    """The upload is not a spreadsheet we can read (HTTP 415)."""

    status_code = 415
    code = "unreadable_file"
    zh = "无法读取上传的文件"
    en = "the uploaded file cannot be read"


def _refuse(code: str, zh: str, en: str) -> UnreadableFile:
    return UnreadableFile([Problem("file", code, zh, en)])


Source = str | Path | IO[bytes]


@contextmanager
def _binary(source: Source) -> Iterator[IO[bytes]]:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield handle
    else:
        source.seek(0)
        yield source


def sniff(source: Source) -> str:
    """``"xlsx"`` or ``"csv"``, or an ``UnreadableFile`` saying what the file is instead."""
    with _binary(source) as handle:
        head = handle.read(CHUNK)
    if not head.strip():
        raise _refuse("empty_file", "文件是空的", "the file is empty")
    if head.startswith(OLE_MAGIC):
        with _binary(source) as handle:
            whole = handle.read(8 * 1024 * 1024)
        if "EncryptedPackage".encode("utf-16-le") in whole:
            raise _refuse("password_protected", "文件设置了打开密码，请取消密码后另存为 .xlsx 再上传",
                          "the workbook is password-protected; remove the password, save as .xlsx and upload again")
        raise _refuse("old_xls", "这是旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 .csv 后上传",
                      "this is an old .xls file; save it as .xlsx or .csv and upload again")
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse("not_a_spreadsheet", "这不是表格文件（请上传 .xlsx 或 .csv）",
                      "this is not a spreadsheet (upload .xlsx or .csv)")
    return "csv"


def _encoding(source: Source) -> str:
    with _binary(source) as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with _binary(source) as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise _refuse("encoding", "无法识别文件编码（支持 UTF-8 与 GBK/GB18030），或这不是文本表格",
                  "unknown text encoding (UTF-8 and GBK/GB18030 are supported), or not a text spreadsheet")


def _csv_rows(source: Source) -> Iterator[tuple[int, tuple[Any, ...]]]:
    encoding = _encoding(source)
    with _binary(source) as handle:
        stream = io.TextIOWrapper(handle, encoding=encoding, newline="")
        try:
            sample = stream.read(8192)
            delimiter = max([",", "\t", ";"], key=sample.count)
            stream.seek(0)
            reader = csv.reader(stream, delimiter=delimiter)
            try:
                for number, cells in enumerate(reader, start=1):
                    yield number, tuple(cells[:MAX_CELLS])
            except csv.Error as exc:
                raise _refuse("csv_malformed", f"CSV 格式错误（第 {reader.line_num} 行附近）",
                              f"malformed CSV near line {reader.line_num}") from exc
        finally:
            stream.detach()


class _Worksheet:
    """One tab of an .xlsx as the importer sees it: its name, whether it is hidden, and its rows.

    Rows come from openpyxl's own streaming parser (``WorkSheetParser``, what its read-only
    mode uses), driven here because read-only mode drops what the clerk hid: a row's
    ``hidden`` attribute and the hidden columns (``<cols>``, which precede the rows). Merged
    ranges (``<mergeCells>``) come after the rows, so they are found first by a quick scan
    of the sheet's XML (no parsing), and a merged cell then takes its top-left cell's value.
    """

    def __init__(self, sheet: Any):
        self.sheet = sheet
        self.name: str = sheet.title
        self.hidden = sheet.sheet_state != "visible"
        self.hidden_columns: frozenset[int] = frozenset()
        self.columns: tuple[Column, ...] = ()
        self.auto_filter: Any = None
        """The tab's filter (``<autoFilter>``, after the rows: known once they are all read)."""

    def rows(self, view: bool) -> Iterator[tuple[int, tuple[Any, ...], bool]]:
        """``(number, cells, hidden)`` for every row from the top, missing ones as ``()``.

        ``view``: the cells as the clerk sees them — hidden columns blank, merged cells
        filled; otherwise the cells as stored (for the annotated copy)."""
        from openpyxl.worksheet._reader import WorkSheetParser

        sheet = self.sheet
        merges = _merged_ranges(sheet) if view else []
        starting: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
        for merge in merges:
            starting[merge[0]].append(merge)
        active: list[tuple[tuple[int, int, int, int], Any]] = []
        counter = 1
        columns_read = False
        try:
            with sheet._get_source() as src:
                parser = WorkSheetParser(src, sheet._shared_strings, data_only=True, epoch=sheet.parent.epoch,
                                         date_formats=sheet.parent._date_formats,
                                         timedelta_formats=sheet.parent._timedelta_formats)
                for number, parsed in parser.parse():
                    if not columns_read:
                        self.hidden_columns = _hidden_columns(parser.column_dimensions)
                        self.columns = _columns(parser.column_dimensions)
                        columns_read = True
                    for missing in range(counter, number):
                        yield missing, (), False
                    counter = number + 1
                    attributes = parser.row_dimensions.get(str(number)) or {}
                    hidden = attributes.get("hidden") in ("1", "true")
                    width = min(parsed[-1]["column"], MAX_CELLS) if parsed else 0
                    cells: list[Any] = [None] * width
                    for cell in parsed:
                        if cell["column"] <= width:
                            cells[cell["column"] - 1] = cell["value"]
                    if view:
                        cells = self._view(number, cells, starting, active)
                    yield number, tuple(cells), hidden
                self.auto_filter = getattr(parser, "auto_filter", None)
        except (KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise _refuse("corrupt", "文件已损坏，读取中断", "the file is damaged; reading stopped") from exc

    def _view(self, number: int, cells: list[Any], starting: dict[int, list[tuple[int, int, int, int]]],
              active: list[tuple[tuple[int, int, int, int], Any]]) -> list[Any]:
        for merge in starting.get(number, ()):
            first_col = merge[1]
            active.append((merge, cells[first_col - 1] if first_col <= len(cells) else None))
        if active:
            active[:] = [(m, v) for m, v in active if m[2] >= number]
            for (_, left, _, right), value in active:
                right = min(right, MAX_CELLS)
                if len(cells) < right:
                    cells.extend([None] * (right - len(cells)))
                for column in range(left, right + 1):
                    cells[column - 1] = value
        for column in self.hidden_columns:
            if column < len(cells):
                cells[column] = None
        return cells


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """``(first_row, first_col, last_row, last_col)`` of every merged range, 1-based, found by
    scanning the sheet's XML in chunks (a merge list sits after the rows)."""
    from openpyxl.utils import column_index_from_string

    found = []
    tail = b""
    with sheet._get_source() as src:
        while chunk := src.read(CHUNK):
            text = tail + chunk
            end = text.rfind(b"<")
            if end == -1:
                tail = b""
                end = len(text)
            body, tail = text[:end], text[end:]
            for match in _MERGE.finditer(body):
                left, top = column_index_from_string(match[1].decode()), int(match[2])
                right = column_index_from_string(match[3].decode()) if match[3] else left
                bottom = int(match[4]) if match[4] else top
                found.append((top, left, bottom, right))
        for match in _MERGE.finditer(tail):
            left, top = column_index_from_string(match[1].decode()), int(match[2])
            right = column_index_from_string(match[3].decode()) if match[3] else left
            found.append((top, left, int(match[4]) if match[4] else top, right))
    return found


@dataclass(frozen=True)
class Column:
    """A ``<col>`` of a tab as the clerk left it: 1-based columns ``first``–``last``, their
    width (None: the default) and whether they are hidden — for the annotated copy."""

    first: int
    last: int
    width: float | None
    hidden: bool


def _columns(dimensions: dict[str, dict[str, str]]) -> tuple[Column, ...]:
    found = []
    for attributes in dimensions.values():
        try:
            first = int(attributes.get("min", 0))
            last = int(attributes.get("max", first))
            width = float(attributes["width"]) if attributes.get("width") else None
        except ValueError:
            continue  # a malformed <col> only loses its looks in the copy
        if 1 <= first <= last:
            found.append(Column(first, last, width, attributes.get("hidden") in ("1", "true")))
    return tuple(sorted(found, key=lambda c: c.first))


def _hidden_columns(dimensions: dict[str, dict[str, str]]) -> frozenset[int]:
    """0-based indexes of the columns a ``<col hidden="1">`` covers."""
    hidden: set[int] = set()
    for attributes in dimensions.values():
        if attributes.get("hidden") in ("1", "true"):
            first, last = int(attributes.get("min", 1)), int(attributes.get("max", attributes.get("min", 1)))
            hidden.update(range(first - 1, min(last, MAX_CELLS)))
    return frozenset(hidden)


@contextmanager
def _xlsx_book(source: Source) -> Iterator[list[_Worksheet]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with _binary(source) as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _refuse("corrupt", "文件已损坏，无法打开（请重新保存为 .xlsx 后上传）",
                          "the file is damaged and cannot be opened (save it again as .xlsx)") from exc
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and any(n == "content.xml" for n in names):
            raise _refuse("ods", "这是 .ods 文件，请另存为 .xlsx 或 .csv 后上传",
                          "this is an .ods file; save it as .xlsx or .csv and upload again")
        raise _refuse("not_a_spreadsheet", "这不是 Excel 表格（请上传 .xlsx 或 .csv）",
                      "this is not an Excel workbook (upload .xlsx or .csv)")
    with _binary(source) as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
            raise _refuse("corrupt", "文件已损坏，无法打开（请重新保存为 .xlsx 后上传）",
                          "the file is damaged and cannot be opened (save it again as .xlsx)") from exc
        try:
            yield [_Worksheet(sheet) for sheet in book.worksheets]
        finally:
            book.close()


def _blank(cells: tuple[Any, ...]) -> bool:
    return all(values.is_blank(c) for c in cells)


class Sheet:
    """One table in a file (a CSV, or one tab of a workbook): its layout and a stream of its
    data rows (re-readable). Hidden rows are not data rows: ``hidden_rows`` counts the
    non-blank ones below the header that the last pass over ``data_rows`` skipped."""

    def __init__(self, source: Source, kind: str, sheet_index: int, layout: Layout, title: str | None,
                 hidden: bool = False, hidden_columns: frozenset[int] = frozenset(), columns: tuple[Column, ...] = ()):
        self.source = source
        self.format = kind
        self.sheet_index = sheet_index
        self.layout = layout
        self.title = title
        self.hidden = hidden
        self.hidden_columns = hidden_columns
        self.columns = columns
        """The tab's column widths and hidden columns, kept in the annotated copy."""
        self.auto_filter: Any = None
        """The tab's filter, once a pass has read all its rows (kept in the annotated copy)."""
        self.hidden_rows = 0

    @property
    def name(self) -> str | None:
        """The tab's name (None for a CSV)."""
        return self.title

    def _rows(self, view: bool) -> Iterator[tuple[int, tuple[Any, ...], bool]]:
        if self.format == "csv":
            for number, cells in _csv_rows(self.source):
                yield number, cells, False
            return
        with _xlsx_book(self.source) as sheets:
            worksheet = sheets[self.sheet_index]
            yield from worksheet.rows(view)
            self.auto_filter = worksheet.auto_filter

    def stored_rows(self) -> Iterator[tuple[int, tuple[Any, ...], bool]]:
        """``(number, cells, hidden)`` for every row as stored, blank and hidden ones included,
        from the top (the annotated copy keeps hidden what the clerk hid — by hand or by a
        filter)."""
        yield from self._rows(view=False)

    def all_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``stored_rows`` without the hidden flag."""
        for number, cells, _ in self.stored_rows():
            yield number, cells

    def data_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """The non-blank visible rows below the header, as the clerk sees them."""
        self.hidden_rows = 0
        for number, cells, hidden in self._rows(view=True):
            if number <= self.layout.header_row or _blank(cells):
                continue
            if hidden:
                self.hidden_rows += 1
                continue
            yield number, cells

    @property
    def hidden_column_letters(self) -> list[str]:
        from ledger.importer.headers import column_letter

        return [column_letter(i) for i in sorted(self.hidden_columns)]


@dataclass
class Tab:
    """A tab the importer looked at, and what it made of it."""

    name: str | None
    status: str
    """``table`` (a header was recognised), ``hidden``, ``no_header``, ``empty``."""
    sheet: Sheet | None = None
    problems: list[Problem] = field(default_factory=list)


def open_tables(source: Source) -> tuple[str, list[Tab]]:
    """Every tab of a file (one for a CSV) with its recognised table, if any.

    A hidden tab is not scanned (its status says so); ``open_sheet`` and the import service
    decide what to read."""
    kind = sniff(source)
    if kind == "csv":
        layout, problems = find_layout(_first_rows((n, c) for n, c in _csv_rows(source)))
        sheet = Sheet(source, kind, 0, layout, None) if layout else None
        return kind, [Tab(None, "table" if sheet else "no_header", sheet, problems)]
    tabs = []
    with _xlsx_book(source) as sheets:
        for index, worksheet in enumerate(sheets):
            tabs.append(_scan(source, index, worksheet))
    return kind, tabs


def scan_hidden(source: Source, name: str) -> Tab | None:
    """A hidden tab scanned after all, when the caller names it."""
    with _xlsx_book(source) as sheets:
        for index, worksheet in enumerate(sheets):
            if worksheet.name == name:
                worksheet.hidden = False
                return _scan(source, index, worksheet)
    return None


def _scan(source: Source, index: int, worksheet: _Worksheet) -> Tab:
    if worksheet.hidden:
        return Tab(worksheet.name, "hidden")
    with closing(worksheet.rows(view=True)) as rows:
        head = _first_rows((n, c) for n, c, hidden in rows if not hidden)
    if not any(not _blank(cells) for _, cells in head):
        return Tab(worksheet.name, "empty")
    layout, problems = find_layout(head)
    if layout is None:
        return Tab(worksheet.name, "no_header", None, problems)
    sheet = Sheet(source, "xlsx", index, layout, worksheet.name, hidden_columns=worksheet.hidden_columns,
                  columns=worksheet.columns)
    return Tab(worksheet.name, "table", sheet, problems)


def open_sheet(source: Source) -> tuple[Sheet | None, list[Problem]]:
    """The first visible tab with a recognisable header (a CSV's one table); problems if none.

    The import service reads every such tab (``open_tables``); this is for a caller that
    wants one table, as the admin panel's annotated copy did."""
    _, tabs = open_tables(source)
    for tab in tabs:
        if tab.sheet is not None:
            return tab.sheet, tab.problems
    for tab in tabs:
        if tab.problems:
            return None, tab.problems
    return None, [Problem("file", "no_sheet", "工作簿中没有可读的工作表", "the workbook has no readable sheet")]


def _first_rows(rows: Iterable[tuple[int, tuple[Any, ...]]]) -> list[tuple[int, tuple[Any, ...]]]:
    head = []
    for number, cells in rows:
        if number > HEADER_SCAN_ROWS:
            break
        head.append((number, cells))
    return head
