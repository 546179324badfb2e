"""Opening an uploaded file and streaming its rows, whatever program saved it.

- .xlsx (Excel, WPS, LibreOffice): openpyxl in read-only mode, values only, row by row —
  the workbook is never loaded whole. The first sheet with a recognisable header is used.
- .csv: UTF-8 with or without BOM, GB18030 (a superset of GBK, what Chinese Excel saves),
  UTF-16 with BOM (Excel's "Unicode text"); comma, tab or semicolon separated. The encoding
  is decided by a streaming pass over the whole file, so a GBK character on row 90,000
  is not misread as UTF-8.
- Anything else gets a clear refusal, never a crash: a password-protected workbook (an
  OLE container holding ``EncryptedPackage``), an old .xls, an .ods, a damaged zip, a
  binary file. ``UnreadableFile`` is a ``ValidationFailed`` with HTTP status 415 (the file,
  not a value in it, is wrong), naming the problem in Chinese and English.

Rows come out as ``(row_number, cells)`` with the row number the spreadsheet shows.
Completely blank rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
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


def _xlsx_sheets(source: Source) -> Iterator[Iterator[tuple[int, tuple[Any, ...]]]]:
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
            for sheet in book.worksheets:
                yield _sheet_rows(sheet)
        finally:
            book.close()


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    # Writers disagree about the <dimension> a sheet declares (some write A1:A1, some
    # XFD1048576); trusting it would cut rows off or pad every row to 16,384 cells.
    sheet.reset_dimensions()
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, tuple(cells[:MAX_CELLS])
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise _refuse("corrupt", "文件已损坏，读取中断", "the file is damaged; reading stopped") from exc


def _nonblank(rows: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, cells in rows:
        if any(not values.is_blank(c) for c in cells):
            yield number, cells


class Sheet:
    """One table in a file: its layout and a stream of its data rows (re-readable)."""

    def __init__(self, source: Source, kind: str, sheet_index: int, layout: Layout, title: str | None):
        self.source = source
        self.format = kind
        self.sheet_index = sheet_index
        self.layout = layout
        self.title = title

    def all_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Every row, blank ones included, from the top (for the annotated copy)."""
        if self.format == "csv":
            yield from _csv_rows(self.source)
            return
        for index, rows in enumerate(_xlsx_sheets(self.source)):
            if index == self.sheet_index:
                yield from rows
                return

    def data_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        for number, cells in _nonblank(self.all_rows()):
            if number > self.layout.header_row:
                yield number, cells


def open_sheet(source: Source) -> tuple[Sheet | None, list[Problem]]:
    """Find the table in a file; problems if no header is recognisable."""
    kind = sniff(source)
    if kind == "csv":
        head = _first_rows(_csv_rows(source))
        layout, problems = find_layout(head)
        return (Sheet(source, kind, 0, layout, None) if layout else None), problems
    first_problems: list[Problem] | None = None
    for index, rows in enumerate(_xlsx_sheets(source)):
        layout, problems = find_layout(_first_rows(rows))
        if layout:
            return Sheet(source, kind, index, layout, None), problems
        first_problems = first_problems or problems
    return None, first_problems or [Problem("file", "no_sheet", "工作簿中没有工作表", "the workbook has no sheet")]


def _first_rows(rows: Iterator[tuple[int, tuple[Any, ...]]]) -> list[tuple[int, tuple[Any, ...]]]:
    head = []
    for number, cells in rows:
        if number > HEADER_SCAN_ROWS:
            break
        head.append((number, cells))
    return head
