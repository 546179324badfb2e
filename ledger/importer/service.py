"""The import service: a sheet of hires or monthly pay, applied entirely or not at all.

One call, ``run_import(source, options)``, serves the API, the CLI and the admin panel.

- **Streamed, in batches.** Rows are read one at a time and checked ``batch_size`` at a
  time; each batch asks the database one query per kind of look-up (``services.bulk``)
  and is written with one bulk insert. What stays in memory beyond the batch is one small
  key per row (placement and month) to recognise a row repeated further down the file,
  the problems found, and the few replacements asked for.
- **Every problem at once.** Each row is checked by the same rules as the API (the
  services' ``check_*`` functions). All problems of all rows are collected with their row
  and column; a bad row stops the writing but not the checking.
- **Atomic.** One ``write_transaction`` holds the whole import. On PostgreSQL the tables
  the import writes are locked against other writers for its duration (SQLite's
  transaction is IMMEDIATE already), so what was checked is what gets written.
- **Idempotent.** A row equal to the stored record is *unchanged*; a row that contradicts
  one (same placement and month, another amount) is a *conflict*: refused, unless
  ``replace`` is set — and never in a locked month (``bulk.locked_months``).
- **Dry run** runs the very same import in the transaction, reads the figures before and
  after (``deltas``), and rolls back: nothing is committed, and the preview is exactly
  what the real run would do.

Decisions where the issue is silent:
- A pay row whose amount, days, hours and pieces are all blank is *skipped* (a template
  row nobody filled in), not an error; a row with some of them is checked in full.
- A pay row names its placement by ``用工编号`` (templates and exports carry it, with the
  ID number masked), or by workshop code + full ID number + month (the placement of that
  worker at that workshop covering the month). A given name must match the worker's.
- A hires row for an ID number already registered reuses that worker; if the name
  differs it is a conflict that replace mode does not override (more often a mistyped ID
  than a renamed person); the worker's stored village, phone and baseline are kept.
- A hires row with the same worker, workshop and hiring date as a stored placement is
  that placement: equal → unchanged; another leaving date or pay basis → conflict, or
  updated in replace mode. A different period overlapping a stored one is always refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ledger import access, crypto
from ledger.core import rules
from ledger.core.enums import Role, WritePath
from ledger.core.privacy import mask_personal_text
from ledger.core.problems import Problem
from ledger.db import is_sqlite, write_transaction
from ledger.errors import ValidationFailed
from ledger.importer import deltas, values
from ledger.importer.headers import KIND_NAMES, Layout, SheetKind, find_layout, guess_kind, missing_columns
from ledger.importer.reading import Sheet, Source, Tab, open_tables, scan_hidden, sniff
from ledger.services import bulk, employment, journal, locks, people
from ledger.services.common import Collector, today
from ledger.services.locks import REOPEN_REMEDY, LockIndex, active_locks, lock_problem, span_of
from ledger.tables import LowIncomeStatus, MonthlyPay, Placement, Worker

DEFAULT_BATCH = 1000
SENSITIVE = {"id_number", "phone"}

__all__ = ["ImportFailed", "ImportOptions", "ImportReport", "RowProblem", "SheetOfCsv", "run_import",
           "find_layout"]


@dataclass
class ImportOptions:
    kind: SheetKind | None = None
    """``pay`` or ``hires``; guessed from the header when not given."""
    dry_run: bool = False
    replace: bool = False
    confirm_unusual: bool = False
    """Take amounts outside a month's plausible pay (``rules.PlausibleMonth``) as meant."""
    workshop: str | None = None
    """A workshop code: the workshop of rows without one; rows of another are refused."""
    sheet: str | None = None
    """A workbook's tab to read (by name), hidden or not; otherwise every visible tab whose
    header is recognised and whose kind is the import's. Refused for a CSV (it has no tabs)."""
    file_name: str | None = None
    """The file's name as the person knows it (an upload's name), for messages; a path's own
    name when not given."""
    batch_size: int = DEFAULT_BATCH
    progress: Callable[[int], None] | None = None
    """Called with the number of rows read so far, after each batch."""


@dataclass(frozen=True)
class RowProblem:
    """A problem in a sheet, with the value the cell held (ID numbers and phones masked)."""

    problem: Problem
    value: str | None = None
    conflict: bool = False
    sheet: str | None = None
    """The workbook tab of the row (None for a CSV)."""

    def as_dict(self) -> dict[str, Any]:
        out = self.problem.as_dict()
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.value is not None:
            out["value"] = self.value
        out["kind"] = "conflict" if self.conflict else "invalid"
        return out


@dataclass
class ImportReport:
    kind: str | None
    file_format: str | None = None
    header_row: int | None = None
    dry_run: bool = False
    replace: bool = False
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    replaced: int = 0
    skipped: int = 0
    """Rows skipped because all their figures were blank (a template row nobody filled in)."""
    hidden_rows: int = 0
    """Non-blank rows the clerk hid: skipped (隐藏行已跳过)."""
    conflicts: int = 0
    workers_created: int = 0
    committed: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    """Per tab looked at: its name, ``status`` (read / hidden / empty / no_header / other_kind /
    kind_unknown / kind_mixed / not_chosen), why in Chinese and English, and for a tab read its
    counts (rows, created, unchanged, replaced, skipped, hidden_rows, hidden_columns)."""
    problems: list[RowProblem] = field(default_factory=list)
    figures: list[deltas.WorkshopDelta] = field(default_factory=list)

    @property
    def has_invalid(self) -> bool:
        return any(not p.conflict for p in self.problems)

    @property
    def message(self) -> str:
        if self.problems:
            rows = len({p.problem.row for p in self.problems if p.problem.row is not None})
            return (f"发现 {len(self.problems)} 个问题（涉及 {rows} 行），未写入任何数据 / "
                    f"{len(self.problems)} problems in {rows} rows; nothing was written")
        skipped_zh, skipped_en = self.skipped_text
        read = [s["name"] for s in self.sheets if s["status"] == "read" and s["name"] is not None]
        tabs_zh = f"（工作表：{'、'.join(read)}）" if len(read) > 1 else ""
        tabs_en = f" (tabs: {', '.join(read)})" if len(read) > 1 else ""
        if self.created == 0 and self.replaced == 0:
            if self.unchanged == 0:
                return (f"没有读到需要导入的数据行{skipped_zh}{tabs_zh} / no data rows to import were read"
                        f"{skipped_en}{tabs_en}")
            return (f"全部 {self.unchanged} 行与已有记录一致，无需导入{skipped_zh}{tabs_zh} / all {self.unchanged} "
                    f"rows are already recorded; nothing to do{skipped_en}{tabs_en}")
        zh = f"新增 {self.created} 行，替换 {self.replaced} 行，{self.unchanged} 行不变{skipped_zh}{tabs_zh}"
        en = f"created {self.created}, replaced {self.replaced}, {self.unchanged} unchanged{skipped_en}{tabs_en}"
        if self.dry_run:
            return f"预演（未写入）：将{zh} / dry run, nothing written: would have {en}"
        return f"已{zh} / {en}"

    @property
    def skipped_text(self) -> tuple[str, str]:
        """The skipped rows of every kind, as a clause of the message (empty when none)."""
        zh, en = [], []
        if self.hidden_rows:
            zh.append(f"隐藏行已跳过 {self.hidden_rows}")
            en.append(f"{self.hidden_rows} hidden rows skipped")
        if self.skipped:
            zh.append(f"未填写的空行已跳过 {self.skipped}")
            en.append(f"{self.skipped} rows with nothing filled in skipped")
        passed = [s for s in self.sheets if s["status"] not in ("read", "not_chosen")]
        if passed:
            zh.append("未读的工作表：" + "、".join(f"“{s['name']}”（{s['zh']}）" for s in passed))
            en.append("tabs not read: " + ", ".join(f"{s['name']} ({s['en']})" for s in passed))
        return ("；" + "；".join(zh) if zh else ""), ("; " + "; ".join(en) if en else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "format": self.file_format, "header_row": self.header_row,
            "dry_run": self.dry_run, "replace": self.replace, "committed": self.committed,
            "message": self.message,
            "rows": self.rows, "created": self.created, "unchanged": self.unchanged, "replaced": self.replaced,
            "skipped": self.skipped, "hidden_rows": self.hidden_rows, "conflicts": self.conflicts,
            "workers_created": self.workers_created, "ignored_columns": self.ignored_columns, "sheets": self.sheets,
            "figures": [f.as_dict() for f in self.figures],
            "problems": [p.as_dict() for p in self.problems],
        }


class ImportFailed(ValidationFailed):
    """The sheet has problems; nothing was written. 422, or 409 when all are conflicts."""

    zh = "表格有问题，未写入任何数据，请按以下各项修改后重新上传"
    en = "the sheet has problems and nothing was written; fix each of them and upload it again"

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__([p.problem for p in report.problems])
        codes = {p.problem.code for p in report.problems}
        if "not_your_workshop" in codes:
            self.status_code = 403
            self.code = "forbidden"
        elif codes == {"month_locked"}:
            self.code = "month_locked"
            self.status_code = 409
        elif not report.has_invalid:
            self.status_code = 409
            self.code = "conflict"

    @classmethod
    def from_problems(cls, problems: list[Problem], kind: str | None = None) -> ImportFailed:
        return cls(ImportReport(kind=kind, problems=[RowProblem(p) for p in problems]))

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message,
                "problems": [p.as_dict() for p in self.report.problems], "report": self.report.as_dict()}


def not_your_workshop(field: str) -> Problem:
    return Problem(field, "not_your_workshop", "不是您负责的工坊，不能导入其数据",
                   "not one of your workshops; you cannot import its rows")


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def mask_value(name: str, raw: Any) -> str | None:
    """A cell's value as a report may show it: ID numbers and phones masked."""
    if values.is_blank(raw):
        return None
    shown = values.display(raw).strip()
    if name == "id_number":
        compact = shown.replace(" ", "").upper()
        if len(compact) == 18:
            return rules.mask_id_number(compact)
        return compact[:3] + "*" * max(len(compact) - 7, 1) + compact[-4:] if len(compact) > 7 else "*" * len(compact)
    if name == "phone":
        return rules.mask_phone(shown)
    if name == "category":
        return None  # a low-income category is sensitive (PIPL): the problem says what is allowed
    return shown


async def run_import(source: Source, options: ImportOptions | None = None) -> ImportReport:
    """Check a whole sheet and apply it atomically; raises ``ImportFailed`` with every
    problem, or ``reading.UnreadableFile`` for a file that is not a readable spreadsheet."""
    actor = access.require(Role.operator, Role.admin, doing_zh="导入用工或月收入", doing_en="imports")
    with access.acting_as(actor.via(WritePath.import_)):  # journaled as path "import", whichever door
        return await _run_import(source, options)


class SheetOfCsv(ValidationFailed):
    """A tab was named for a CSV file, which has none: a mistake or the wrong file (422)."""

    code = "sheet_of_csv"
    zh = "CSV 文件没有工作表，未写入任何数据"
    en = "a CSV file has no tabs; nothing was written"


def _refuse_sheet_of_csv(source: Source, options: ImportOptions) -> None:
    """The one rule for every door: a tab named for a CSV is answered, not ignored — the person
    either meant another file (the workbook) or passed the option by mistake."""
    if options.sheet is None or not options.sheet.strip() or sniff(source) != "csv":
        return
    name = options.file_name or (Path(source).name if isinstance(source, str | Path) else None)
    name = mask_personal_text(name.strip())[:200] if name and name.strip() else None  # no ID number from a file name
    zh_file, en_file = (f"“{name}”", repr(name)) if name else ("上传的文件", "the uploaded file")
    raise SheetOfCsv([Problem(
        "sheet", "sheet_of_csv",
        f"指定了工作表“{options.sheet.strip()[:100]}”（选项 sheet / --sheet），但{zh_file}是 CSV 文件，没有工作表："
        "请去掉该选项，或上传要导入的 .xlsx 工作簿",
        f"the tab {options.sheet.strip()[:100]!r} was given (option sheet / --sheet), but {en_file} is a CSV file, "
        "which has no tabs: drop the option, or upload the .xlsx workbook you meant")])


async def _run_import(source: Source, options: ImportOptions | None) -> ImportReport:
    options = options or ImportOptions()
    _refuse_sheet_of_csv(source, options)
    kind = SheetKind(options.kind) if options.kind else None
    report = ImportReport(kind=kind.value if kind else None, dry_run=options.dry_run, replace=options.replace)
    report.file_format, tabs = open_tables(source)
    chosen, problems = _choose(source, tabs, options, kind, report)
    if chosen:
        kind = chosen[0][1]
        report.kind = kind.value
        first = chosen[0][0]
        report.header_row, report.ignored_columns = first.layout.header_row, first.layout.ignored
        for sheet, _, layout_problems in chosen:
            problems += [_at(p, sheet) for p in layout_problems
                         + missing_columns(sheet.layout, kind, options.workshop is not None)]
    default_workshop = None
    if options.workshop is not None:
        default_workshop = (await bulk.workshops_by_code([values.code(options.workshop) or ""])).get(
            values.code(options.workshop) or "")
        if default_workshop is None:
            problems.append(RowProblem(Problem("workshop", "unknown_reference", "指定的工坊编码不存在",
                                               "no workshop with the given code")))
        elif not access.owns_workshop(default_workshop["id"]):
            problems.append(RowProblem(not_your_workshop("workshop")))
    if problems or kind is None:
        report.problems = problems
        raise ImportFailed(report)
    job_type = {SheetKind.pay: _PayImport, SheetKind.hires: _HireImport, SheetKind.low_income: _RosterImport}[kind]
    job = job_type(report, options, default_workshop, len(chosen) > 1)
    try:
        async with write_transaction():
            await _lock_tables(kind)
            job.watermarks = await deltas.watermarks()
            for sheet, _, _ in chosen:
                await _read_table(job, sheet, options)
            if not report.problems:
                await job.finish()
            if report.problems:
                raise ImportFailed(report)
            if options.dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    report.committed = not options.dry_run
    return report


_COUNTS = ("rows", "created", "unchanged", "replaced", "skipped", "conflicts")


async def _read_table(job: _Job, sheet: Sheet, options: ImportOptions) -> None:
    """One table's rows, a batch at a time; its counts go to its entry in ``report.sheets``."""
    report = job.report
    job.start(sheet)
    before = {name: getattr(report, name) for name in _COUNTS}
    batch: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in sheet.data_rows():
        batch.append((number, cells))
        if len(batch) >= options.batch_size:
            await job.run_batch(batch)
            batch = []
            if options.progress:
                options.progress(report.rows)
    if batch:
        await job.run_batch(batch)
        if options.progress:
            options.progress(report.rows)
    report.hidden_rows += sheet.hidden_rows
    entry = next(s for s in report.sheets if s["index"] == sheet.sheet_index)
    entry.update({name: getattr(report, name) - before[name] for name in _COUNTS})
    entry.update(hidden_rows=sheet.hidden_rows, hidden_columns=sheet.hidden_column_letters,
                 header_row=sheet.layout.header_row)


_PASSED = {
    "hidden": ("隐藏的工作表，未读取（如需导入请指定该表）", "a hidden tab, not read (name it to import it)"),
    "empty": ("空白工作表", "an empty tab"),
    "no_header": ("前 20 行中没有可识别的表头", "no recognisable header in its first 20 rows"),
    "kind_unknown": ("无法从表头判断表格类型", "its header does not tell its kind"),
    "read": ("已读取", "read"),
    "not_chosen": ("未指定", "not the tab asked for"),
}


def _at(problem: Problem, sheet: Sheet) -> RowProblem:
    placed = problem.at_row(problem.row, sheet.layout.column_of(problem.field)) if problem.row else problem
    return RowProblem(placed, sheet=sheet.name)


def _choose(source: Source, tabs: list[Tab], options: ImportOptions, kind: SheetKind | None, report: ImportReport
            ) -> tuple[list[tuple[Sheet, SheetKind, list[Problem]]], list[RowProblem]]:
    """The tables to read, and the file's problems if there is none (or the choice is unclear).

    Every visible tab whose header is recognised and whose kind is the import's is read,
    in the workbook's order; ``options.sheet`` picks one tab by name, hidden or not."""
    def note(index: int, tab: Tab, status: str, zh: str | None = None, en: str | None = None) -> None:
        zh_, en_ = (zh, en) if zh and en else _PASSED[status]
        report.sheets.append({"name": tab.name, "index": index, "status": status, "zh": zh_, "en": en_})

    wanted = options.sheet.strip() if options.sheet is not None else None
    if wanted is not None and report.file_format == "xlsx":
        names = [t.name for t in tabs]
        if wanted not in names:
            listed = "、".join(f"“{n}”" for n in names)
            return [], [RowProblem(Problem("sheet", "unknown_sheet", f"工作簿中没有名为“{wanted}”的工作表（有：{listed}）",
                                           f"the workbook has no tab named {wanted!r} (it has: {', '.join(map(repr, names))})"))]
        index = names.index(wanted)
        for other, tab in enumerate(tabs):
            if other != index:
                note(other, tab, "not_chosen")
        if tabs[index].status == "hidden":
            tabs[index] = scan_hidden(source, wanted) or tabs[index]
        candidates = [(index, tabs[index])]
    else:
        candidates = list(enumerate(tabs))

    tables: list[tuple[int, Tab, SheetKind | None]] = []
    for index, tab in candidates:
        if tab.sheet is None:
            note(index, tab, tab.status)
            continue
        guessed = guess_kind(tab.sheet.layout)
        if kind is not None and guessed is not None and guessed is not kind and wanted is None:
            note(index, tab, "other_kind", f"是{KIND_NAMES[guessed][0]}，不是{KIND_NAMES[kind][0]}",
                 f"a {KIND_NAMES[guessed][1]} sheet, not a {KIND_NAMES[kind][1]} sheet")
            continue
        if kind is not None and guessed is None and wanted is None and len(candidates) > 1 and missing_columns(
                tab.sheet.layout, kind, options.workshop is not None):
            note(index, tab, "other_kind", f"缺少{KIND_NAMES[kind][0]}的必需列",
                 f"lacks the required columns of a {KIND_NAMES[kind][1]} sheet")
            continue
        tables.append((index, tab, kind or guessed))

    if not tables:
        report.sheets.sort(key=lambda s: s["index"])
        if len(candidates) == 1:  # one table: its own problems, as they always were
            tab = candidates[0][1]
            if tab.problems:
                return [], [RowProblem(p, sheet=tab.name) for p in tab.problems]
        looked = [s for s in report.sheets if s["status"] != "not_chosen"]
        if not looked:
            return [], [RowProblem(Problem("file", "no_sheet", "工作簿中没有工作表", "the workbook has no sheet"))]
        zh = "；".join(f"“{s['name']}”：{s['zh']}" for s in looked)
        en = "; ".join(f"{s['name']}: {s['en']}" for s in looked)
        return [], [RowProblem(Problem("file", "no_table", f"工作簿中没有可导入的表格。已查看的工作表——{zh}",
                                       f"no table to import in the workbook. Tabs looked at — {en}"))]
    unknown = [(i, t) for i, t, k in tables if k is None]
    if unknown and len(tables) == 1:
        index, tab = unknown[0]
        note(index, tab, "kind_unknown")
        report.sheets.sort(key=lambda s: s["index"])
        assert tab.sheet is not None
        return [], [_at(Problem("kind", "kind_unknown",
                                "无法从表头判断是用工表、月收入表还是低收入名单，请指定类型（pay、hires 或 low-income）",
                                "cannot tell from the header whether this is a hires, pay or low-income sheet; "
                                "give the kind (pay, hires or low-income)", tab.sheet.layout.header_row), tab.sheet)]
    for index, tab in unknown:
        note(index, tab, "kind_unknown")
    known = [(i, t, k) for i, t, k in tables if k is not None]
    kinds = {k for _, _, k in known}
    if len(kinds) > 1:
        for index, tab, found in known:
            note(index, tab, "kind_mixed", f"是{KIND_NAMES[found][0]}", f"a {KIND_NAMES[found][1]} sheet")
        report.sheets.sort(key=lambda s: s["index"])
        listed_zh = "、".join(f"“{t.name}”（{KIND_NAMES[k][0]}）" for _, t, k in known)
        listed_en = ", ".join(f"{t.name} ({KIND_NAMES[k][1]})" for _, t, k in known)
        return [], [RowProblem(Problem("kind", "kinds_mixed",
                                       f"工作簿中有不同类型的表格：{listed_zh}；请指定类型（--kind）或工作表（--sheet）",
                                       f"the workbook holds tables of different kinds: {listed_en}; give the kind "
                                       "(--kind) or the tab (--sheet)"))]
    chosen = []
    for index, tab, found in known:
        note(index, tab, "read")
        assert tab.sheet is not None and found is not None
        chosen.append((tab.sheet, found, tab.problems))
    report.sheets.sort(key=lambda s: s["index"])
    return chosen, []


async def _lock_tables(kind: SheetKind) -> None:
    if is_sqlite():
        return  # the write transaction is IMMEDIATE: no other writer until it ends
    if kind is SheetKind.pay:
        await MonthlyPay.raw("LOCK TABLE monthly_pay IN SHARE ROW EXCLUSIVE MODE")
        await Placement.raw("LOCK TABLE placement IN SHARE MODE")
    elif kind is SheetKind.low_income:
        await LowIncomeStatus.raw("LOCK TABLE low_income_status IN SHARE ROW EXCLUSIVE MODE")
        await Placement.raw("LOCK TABLE placement, worker IN SHARE MODE")
    else:
        await Worker.raw("LOCK TABLE worker, placement IN SHARE ROW EXCLUSIVE MODE")


_ROWS_PER_TABLE = 1 << 21
"""Above an .xlsx sheet's 1,048,576 rows: a remembered row key is ordinal × this + row."""


@dataclass(frozen=True)
class RowRef:
    """A row named in another row's problem: with its tab when the import reads several."""

    tab: str | None
    number: int

    @property
    def zh(self) -> str:
        return f"“{self.tab}”表第 {self.number} 行" if self.tab is not None else f"第 {self.number} 行"

    @property
    def en(self) -> str:
        return f"row {self.number} of tab {self.tab}" if self.tab is not None else f"row {self.number}"


class _Job:
    """What every kind of sheet shares: row problems, workshop look-ups, touched months."""

    def __init__(self, report: ImportReport, options: ImportOptions, default_workshop: dict[str, Any] | None,
                 several_tables: bool = False):
        self.report = report
        self.layout: Layout | None = None
        self.tab: str | None = None
        self.tab_names: list[str | None] = []
        self.table_ordinal = 0
        self.several_tables = several_tables
        self.options = options
        self.default_workshop = default_workshop
        self.workshops: dict[str, dict[str, Any] | None] = {}
        self.touched: dict[int, tuple[str, str]] = {}
        self.codes: dict[int, str] = {}
        self.watermarks = (deltas.NO_WATERMARK, deltas.NO_WATERMARK)

    def start(self, sheet: Sheet) -> None:
        """The next table: its columns and its tab's name."""
        self.layout, self.tab = sheet.layout, sheet.name
        self.table_ordinal = len(self.tab_names)
        self.tab_names.append(sheet.name)

    def ref(self, number: int) -> int:
        """The row's key as other rows remember it: one int (one is kept per row of a large file),
        the row number, with the table's place in the workbook above it when there are several."""
        return number if not self.several_tables else self.table_ordinal * _ROWS_PER_TABLE + number

    def row(self, key: int) -> RowRef:
        """The row a remembered key names, as a message says it."""
        if not self.several_tables:
            return RowRef(None, key)
        ordinal, number = divmod(key, _ROWS_PER_TABLE)
        return RowRef(self.tab_names[ordinal], number)

    def pick(self, cells: tuple[Any, ...]) -> dict[str, Any]:
        assert self.layout is not None
        return self.layout.pick(cells)

    def column_of(self, name: str) -> str | None:
        assert self.layout is not None
        return self.layout.column_of(name)

    @property
    def writing(self) -> bool:
        return not self.report.problems

    def add(self, number: int, raw: dict[str, Any], checks: Collector) -> None:
        for problem, conflict in [(p, False) for p in checks.problems] + [(p, True) for p in checks.conflicts]:
            name = problem.field
            self.report.problems.append(RowProblem(problem.at_row(number, self.column_of(name)),
                                                   mask_value(name, raw.get(name)), conflict, self.tab))
            if conflict:
                self.report.conflicts += 1

    async def resolve_workshops(self, codes: set[str]) -> None:
        # A code with a control character is refused by workshop_of; never a look-up value.
        wanted = {c for c in codes if c not in self.workshops and not rules.CONTROL_CHARACTERS.search(c)}
        if wanted:
            found = await bulk.workshops_by_code(wanted)
            for code in wanted:
                self.workshops[code] = found.get(code)

    def workshop_of(self, code: str | None, checks: Collector) -> dict[str, Any] | None:
        """The row's workshop: its own code, or the default; never another than the default."""
        if code is None:
            if self.default_workshop is None:
                checks.add(rules.required("workshop_code", None))
            return self.default_workshop
        workshop = self.workshops.get(code)
        if bad := rules.control_character_problems(code, "workshop_code"):
            checks.add(bad)
            return None
        if workshop is None:
            checks.add([Problem("workshop_code", "unknown_reference", "工坊编码不存在", "no workshop with this code")])
        elif not access.owns_workshop(workshop["id"]):
            checks.add([not_your_workshop("workshop_code")])
            return None
        elif self.default_workshop is not None and workshop["id"] != self.default_workshop["id"]:
            checks.add([Problem("workshop_code", "other_workshop", "该行属于另一个工坊（与指定的工坊不符）",
                                "this row belongs to another workshop than the one given")])
            return None
        return workshop

    def touch(self, workshop: dict[str, Any], month: str) -> None:
        first, last = self.touched.get(workshop["id"], (month, month))
        self.touched[workshop["id"]] = (min(first, month), max(last, month))
        self.codes[workshop["id"]] = workshop["code"]

    async def figures_before(self) -> dict[int, deltas.Figures]:
        pay_mark, placement_mark = self.watermarks
        return {wid: await deltas.figures(wid, first, last, pay_mark, placement_mark)
                for wid, (first, last) in self.touched.items()}

    async def figures_after(self, before: dict[int, deltas.Figures]) -> None:
        for wid, (first, last) in sorted(self.touched.items(), key=lambda item: self.codes[item[0]]):
            after = await deltas.figures(wid, first, last)
            self.report.figures.append(deltas.WorkshopDelta(wid, self.codes[wid], first, last, before[wid], after))

    def name_matches(self, given: str | None, stored: str, checks: Collector) -> None:
        if given is not None and values.name_key(given) != values.name_key(stored):
            checks.add([Problem("name", "name_mismatch", "姓名与该身份证号（或用工编号）登记的人员不符",
                                "the name differs from the worker registered under this ID number (or placement)")])


def _month(raw: Any, checks: Collector) -> str | None:
    try:
        return values.month(raw)
    except values.AmbiguousMonth as exc:
        checks.add([ambiguous_month(exc.year)])
        return None


def ambiguous_month(year: int) -> Problem:
    return Problem("month", "month_ambiguous",
                   f"月份“{year}.1”可能是 {year} 年 1 月，也可能是 10 月（表格把 {year}.10 存成了数字 {year}.1），"
                   f"不能猜测；请把月份写成文本“{year}-10”或“{year}-01”",
                   f"the month {year}.1 may be January or October ({year}.10 typed in a number cell becomes "
                   f"{year}.1) and is not guessed; write the month as the text \"{year}-10\" or \"{year}-01\"")


def _id_number(raw: Any, checks: Collector) -> str | None:
    try:
        return values.id_number(raw)
    except values.IdStoredAsNumber:
        checks.add([Problem("id_number", "id_as_number", "身份证号被存成了数字，末几位已丢失；请把该列设为文本后重新填写",
                            "the ID number was stored as a number and lost its last digits; "
                            "format the column as text and enter it again")])
        return None


# --- monthly pay ---------------------------------------------------------------------------

@dataclass
class _PayLine:
    number: int
    raw: dict[str, Any]
    data: dict[str, Any]
    workshop_code: str | None
    id_number: str | None
    id_hash: str | None
    name: str | None
    placement_ref: int | str | None
    id_refused: bool
    checks: Collector
    month_problems: list[Problem]
    clean: dict[str, Any] = field(default_factory=dict)


class _PayImport(_Job):
    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[tuple[int, str], int] = {}
        self.replacements: list[tuple[int, dict[str, Any]]] = []

    def parse(self, number: int, cells: tuple[Any, ...]) -> _PayLine | None:
        raw = self.pick(cells)
        month_checks = Collector()
        data = {
            "month": _month(raw.get("month"), month_checks),
            "amount": values.money(raw.get("amount")),
            "days_worked": values.whole_number(raw.get("days_worked"), ("天", "日", "days", "day")),
            "hours": values.decimal_text(raw.get("hours"), ("小时", "h", "hours")),
            "pieces": values.whole_number(raw.get("pieces"), ("件", "pcs")),
        }
        if all(data[k] is None for k in ("amount", "days_worked", "hours", "pieces")):
            return None
        checks = Collector()
        number_text = _id_number(raw.get("id_number"), checks)
        return _PayLine(number, raw, data, values.code(raw.get("workshop_code")), number_text, None,
                        values.text(raw.get("name")), values.placement_id(raw.get("placement")),
                        bool(checks.problems), checks, month_checks.problems)

    async def run_batch(self, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        self.report.rows += len(rows)
        lines = []
        for number, cells in rows:
            line = self.parse(number, cells)
            if line is None:
                self.report.skipped += 1
            else:
                lines.append(line)
        # Field rules first (the API's), then what each row refers to.
        for line in lines:
            line.clean = bulk.check_pay_fields({**line.data, "confirm_unusual": self.options.confirm_unusual},
                                               line.checks)
            if line.month_problems:  # 2024.1: say why, not "required"
                line.checks.problems = [p for p in line.checks.problems if p.field != "month"] + line.month_problems
            if line.placement_ref is None and not line.id_refused:
                full = line.checks.take(rules.check_id_number("id_number", line.id_number))
                line.id_hash = crypto.identity_hash(full) if full else None
        await self.resolve_workshops({line.workshop_code for line in lines if line.workshop_code})
        by_id = await bulk.placements_by_id(
            {line.placement_ref for line in lines if isinstance(line.placement_ref, int)})
        workers = await bulk.workers_by_hash({line.id_hash for line in lines if line.id_hash})
        workshops = {w["id"] for w in self.workshops.values() if w} | (
            {self.default_workshop["id"]} if self.default_workshop else set())
        candidates = await bulk.placements_of({w["id"] for w in workers.values()}, workshops) if workers else {}
        chosen: list[tuple[_PayLine, dict[str, Any]]] = []
        for line in lines:
            placement = self.resolve(line, by_id, workers, candidates)
            if placement is not None:
                chosen.append((line, placement))
        existing = await bulk.pay_records({p["id"] for _, p in chosen},
                                          {line.clean["month"] for line, _ in chosen if line.clean["month"]})
        locked = await active_locks({(p["workshop"], line.clean["month"]) for line, p in chosen
                                           if line.clean["month"]})
        new_rows = []
        for line, placement in chosen:
            month = line.clean["month"]
            if month is None or line.checks.problems:
                continue
            key = (placement["id"], month)
            if key in self.seen:
                line.checks.add([Problem("month", "duplicate_in_file",
                                         f"与{self.row(self.seen[key]).zh}是同一用工记录的同一月份",
                                         f"the same placement and month as {self.row(self.seen[key]).en}")])
                continue
            self.seen[key] = self.ref(line.number)
            stored = existing.get(key)
            if stored is not None and bulk.same_pay(stored, line.clean):
                self.report.unchanged += 1
                continue
            if (placement["workshop"], month) in locked:
                line.checks.add([lock_problem(locked[(placement["workshop"], month)])])
                continue
            self.touch({"id": placement["workshop"], "code": placement["workshop_code"]}, month)
            row = {**line.clean, "placement": placement["id"]}
            if stored is None:
                new_rows.append(row)
            elif self.options.replace:
                self.replacements.append((stored["id"], row))
            else:
                line.checks.conflict(Problem("amount", "pay_differs",
                                             "该用工记录在该月已有不同的收入记录（如需覆盖请使用替换模式）",
                                             "this placement already has different pay for this month "
                                             "(use replace mode to overwrite it)"))
        for line in lines:
            self.add(line.number, line.raw, line.checks)
        if self.writing and new_rows:
            await journal.insert_many(MonthlyPay, new_rows)
        self.report.created += len(new_rows)

    def resolve(self, line: _PayLine, by_id: dict[int, dict[str, Any]], workers: dict[str, dict[str, Any]],
                candidates: dict[tuple[int, int], list[dict[str, Any]]]) -> dict[str, Any] | None:
        """The placement a row is about, or None with the reason among its problems."""
        checks = line.checks
        workshop = self.workshop_of(line.workshop_code, Collector() if line.placement_ref is not None else checks)
        if line.placement_ref is not None:
            ref = line.placement_ref
            placement = by_id.get(ref) if isinstance(ref, int) else None
            if placement is None:
                checks.add([Problem("placement", "unknown_reference", f"用工记录不存在（用工编号 {ref}）",
                                    f"no placement with id {ref}")])
                return None
            if not access.owns_workshop(placement["workshop"]):
                checks.add([not_your_workshop("placement")])
                return None
            if line.workshop_code is not None and placement["workshop_code"] != line.workshop_code:
                checks.add([Problem("workshop_code", "other_workshop", "工坊编码与该用工记录的工坊不符",
                                    "the workshop code differs from the placement's workshop")])
            elif self.default_workshop is not None and placement["workshop"] != self.default_workshop["id"]:
                checks.add([Problem("placement", "other_workshop", "该用工记录属于另一个工坊（与指定的工坊不符）",
                                    "this placement belongs to another workshop than the one given")])
            number = line.id_number
            if number is not None and number != placement["worker_id_number"] and (
                    len(number) != 18 or crypto.identity_hash(number) != placement["worker_id_hash"]):
                checks.add([Problem("id_number", "id_mismatch", "身份证号与该用工记录的人员不符",
                                    "the ID number differs from the placement's worker")])
            self.name_matches(line.name, placement["worker_name"], checks)
            checks.add(bulk.check_month_in_placement(line.clean, placement))
            return placement
        if line.id_hash is None or workshop is None:
            return None
        worker = workers.get(line.id_hash)
        if worker is None:
            checks.add([Problem("id_number", "unknown_worker", "该身份证号尚未登记（请先导入用工表）",
                                "no worker is registered with this ID number (import a hires sheet first)")])
            return None
        self.name_matches(line.name, worker["name"], checks)
        options = candidates.get((worker["id"], workshop["id"]), [])
        if not options:
            checks.add([Problem("id_number", "no_placement", "该人员在该工坊没有用工记录",
                                "this worker has no placement at this workshop")])
            return None
        placement = bulk.placement_for_month(options, line.clean["month"])
        if placement is None:
            checks.add(bulk.check_month_in_placement(line.clean, options[-1]))
        return placement

    async def finish(self) -> None:
        before = await self.figures_before()
        await journal.update_many(MonthlyPay, self.replacements)
        self.report.replaced = len(self.replacements)
        await self.figures_after(before)


# --- hires ---------------------------------------------------------------------------------

class _HireImport(_Job):
    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen_workers: dict[str, tuple[str, int]] = {}
        self.seen_periods: dict[tuple[str, int], list[tuple[date, date | None, int]]] = {}
        self.replacements: list[tuple[int, dict[str, Any]]] = []
        self.locks: LockIndex | None = None  # loaded at the first row that needs it

    async def run_batch(self, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        self.report.rows += len(rows)
        lines = []
        for number, cells in rows:
            raw = self.pick(cells)
            checks, id_checks = Collector(), Collector()
            worker = bulk.check_worker_fields({
                "name": values.name(raw.get("name")), "village": values.text(raw.get("village")),
                "id_number": _id_number(raw.get("id_number"), id_checks), "phone": values.phone(raw.get("phone")),
                "baseline_income": values.money(raw.get("baseline_income")),
                "confirm_unusual": self.options.confirm_unusual,
            }, checks)
            if id_checks.problems:  # an Excel number: say that, not "required"
                checks.problems = [p for p in checks.problems if p.field != "id_number"] + id_checks.problems
            placement = bulk.check_placement_fields({
                "hired_on": values.day(raw.get("hired_on")), "left_on": values.day(raw.get("left_on")),
                "pay_basis": values.pay_basis(raw.get("pay_basis"))}, checks)
            lines.append((number, raw, values.code(raw.get("workshop_code")), worker, placement, checks))
        await self.resolve_workshops({code for _, _, code, _, _, _ in lines if code})
        workers = await bulk.workers_by_hash({w["id_hash"] for *_, w, _, _ in lines if w.get("id_hash")})
        workshop_ids = {w["id"] for w in self.workshops.values() if w} | (
            {self.default_workshop["id"]} if self.default_workshop else set())
        stored = await bulk.placements_of({w["id"] for w in workers.values()}, workshop_ids) if workers else {}
        new_workers: dict[str, dict[str, Any]] = {}
        new_placements: list[tuple[str, dict[str, Any]]] = []
        to_replace: list[tuple[dict[str, Any], dict[str, Any], Collector, int, dict[str, Any]]] = []
        for number, raw, code, worker, placement, checks in lines:
            workshop = self.workshop_of(code, checks)
            if workshop is not None:
                checks.add(employment.placement_in_workshop(placement, workshop))
            id_hash = worker.get("id_hash")
            if checks.problems or workshop is None or id_hash is None:
                self.add(number, raw, checks)
                continue
            known = workers.get(id_hash)
            first = self.seen_workers.setdefault(id_hash, (worker["name"], self.ref(number)))
            if known is None and values.name_key(first[0]) != values.name_key(worker["name"]):
                checks.add([Problem("name", "name_differs_in_file", f"同一身份证号在{self.row(first[1]).zh}的姓名不同",
                                    f"the same ID number has another name on {self.row(first[1]).en}")])
            if known is not None and values.name_key(known["name"]) != values.name_key(worker["name"]):
                checks.conflict(Problem("name", "name_mismatch", "该身份证号已登记为另一姓名的人员（请核对身份证号）",
                                        "this ID number is registered under another name (check the ID number)"))
            hired_on, left_on = placement["hired_on"], placement["left_on"]
            periods = self.seen_periods.setdefault((id_hash, workshop["id"]), [])
            clash = next((row for start, end, row in periods if bulk.periods_overlap(hired_on, left_on, start, end)),
                         None)
            periods.append((hired_on, left_on, self.ref(number)))
            if clash is not None:
                checks.add([Problem("hired_on", "overlapping_in_file", f"与{self.row(clash).zh}的用工期间重叠",
                                    f"the placement overlaps the one on {self.row(clash).en}")])
            if checks.problems or checks.conflicts:
                self.add(number, raw, checks)
                continue
            self.touch(workshop, f"{hired_on:%Y-%m}")
            if left_on is not None:
                self.touch(workshop, f"{left_on:%Y-%m}")
            ours = stored.get((known["id"], workshop["id"]), []) if known else []
            same = next((p for p in ours if p["hired_on"] == hired_on), None)
            if self.locks is None:
                self.locks = await LockIndex.load()
            before = span_of(same["hired_on"], same["left_on"]) if same is not None else None
            lock = self.locks.changed(workshop["id"], before, span_of(hired_on, left_on))
            if lock is not None:
                checks.add([lock_problem(lock, "left_on" if same is not None else "hired_on", REOPEN_REMEDY)])
                self.add(number, raw, checks)
                continue
            others = [p for p in ours if p is not same]
            if any(bulk.periods_overlap(hired_on, left_on, p["hired_on"], p["left_on"]) for p in others):
                checks.conflict(bulk.overlapping_placement())
            elif same is not None and (same["left_on"], same["pay_basis"]) == (left_on, placement["pay_basis"]):
                self.report.unchanged += 1
            elif same is not None and self.options.replace:
                to_replace.append((same, placement, checks, number, raw))
                continue  # its problems are added once its pay months are checked
            elif same is not None:
                checks.conflict(Problem("left_on", "placement_differs",
                                        "该人员在该工坊同一入职日期已有不同的用工记录（如需覆盖请使用替换模式）",
                                        "a placement with this hiring date exists with other details "
                                        "(use replace mode to overwrite it)"))
            else:
                if known is None and id_hash not in new_workers:
                    new_workers[id_hash] = worker
                new_placements.append((id_hash, {**placement, "workshop": workshop["id"]}))
            self.add(number, raw, checks)
        if to_replace:
            months = await bulk.pay_months_of({same["id"] for same, *_ in to_replace})
            for same, placement, checks, number, raw in to_replace:
                checks.add(bulk.pay_outside(months.get(same["id"], []), placement["hired_on"], placement["left_on"]))
                if not checks.problems:
                    self.replacements.append((same["id"], {"left_on": placement["left_on"],
                                                           "pay_basis": placement["pay_basis"]}))
                self.add(number, raw, checks)
        self.report.created += len(new_placements)
        self.report.workers_created += len(new_workers)
        if self.writing and new_placements:
            if new_workers:
                await journal.insert_many(Worker, list(new_workers.values()))
            ids = {h: w["id"] for h, w in (await bulk.workers_by_hash({h for h, _ in new_placements})).items()}
            await journal.insert_many(Placement, [{**p, "worker": ids[h]} for h, p in new_placements])

    async def finish(self) -> None:
        before = await self.figures_before()
        await journal.update_many(Placement, self.replacements)
        self.report.replaced = len(self.replacements)
        await self.figures_after(before)


# --- low-income roster ---------------------------------------------------------------------

@dataclass
class _RosterLine:
    number: int
    raw: dict[str, Any]
    id_hash: str | None
    name: str | None
    clean: dict[str, Any]
    checks: Collector


class _RosterImport(_Job):
    """The civil-affairs roster: one low-income status per row, for a registered worker.

    A row is a status of (worker, category, 认定日期): equal to a stored one → unchanged;
    another exit date (or 文号, where the sheet has that column) → a conflict, updated in
    replace mode. A row for an ID number the ledger does not know — or, for an operator, of
    someone not placed at their workshops — is a row problem: the roster carries no village,
    so it cannot register the person (import a hires sheet first). The checks are the API's
    (``people.check_low_income_fields``, ``locks.status_change_lock``); rows are written
    only once the "before" figures are read, by the bulk journal path."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[tuple[str, str, date], int] = {}
        self.new_rows: list[dict[str, Any]] = []
        self.replacements: list[tuple[int, dict[str, Any]]] = []
        self.locks: LockIndex | None = None

    async def run_batch(self, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        self.report.rows += len(rows)
        assert self.layout is not None
        with_document = "source_document" in self.layout.columns
        lines = []
        for number, cells in rows:
            raw = self.pick(cells)
            checks = Collector()
            id_hash = None
            typed = _id_number(raw.get("id_number"), checks)
            if not checks.problems:
                full = checks.take(rules.check_id_number("id_number", typed))
                id_hash = crypto.identity_hash(full) if full else None
            clean = people.check_low_income_fields({
                "category": values.category(raw.get("category")), "valid_from": values.day(raw.get("valid_from")),
                "valid_to": values.day(raw.get("valid_to")),
                "source_document": values.text(raw.get("source_document"))}, checks)
            lines.append(_RosterLine(number, raw, id_hash, values.name(raw.get("name")), clean, checks))
        workers = await bulk.workers_by_hash({line.id_hash for line in lines if line.id_hash})
        ids = {w["id"] for w in workers.values()}
        placements = await bulk.placements_of_workers(ids) if ids else {}
        statuses = await bulk.statuses_of(ids) if ids else {}
        if self.locks is None:
            self.locks = await LockIndex.load()
        for line in lines:
            self.check_row(line, workers, placements, statuses, with_document)
            self.add(line.number, line.raw, line.checks)

    def check_row(self, line: _RosterLine, workers: dict[str, dict[str, Any]],
                  placements: dict[int, list[dict[str, Any]]], statuses: dict[int, list[dict[str, Any]]],
                  with_document: bool) -> None:
        checks, clean = line.checks, line.clean
        worker = workers.get(line.id_hash) if line.id_hash else None
        if line.id_hash is not None and (worker is None or not any(
                access.owns_workshop(p["workshop"]) for p in placements.get(worker["id"], [])) and
                access.workshop_scope() is not None):
            checks.add([unknown_roster_worker()])
            return
        if worker is None or checks.problems:
            return
        if line.name is not None and values.name_key(line.name) != values.name_key(worker["name"]):
            checks.add([Problem("name", "name_mismatch", "姓名与该身份证号登记的人员不符",
                                "the name differs from the worker registered under this ID number")])
            return
        assert line.id_hash is not None
        key = (line.id_hash, clean["category"], clean["valid_from"])
        if key in self.seen:
            checks.add([Problem("valid_from", "duplicate_in_file",
                                f"与{self.row(self.seen[key]).zh}是同一人员、同一类别、同一认定日期",
                                f"the same person, category and date as {self.row(self.seen[key]).en}")])
            return
        self.seen[key] = self.ref(line.number)
        stored = next((s for s in statuses.get(worker["id"], [])
                       if s["category"] == clean["category"] and s["valid_from"] == clean["valid_from"]), None)
        changes = {"valid_to": clean["valid_to"]}
        if with_document:
            changes["source_document"] = clean["source_document"]
        if stored is not None and all(stored[k] == v for k, v in changes.items()):
            self.report.unchanged += 1
            return
        before = locks.span_of(stored["valid_from"], stored["valid_to"]) if stored is not None else None
        after = locks.span_of(clean["valid_from"], clean["valid_to"])
        employed = placements.get(worker["id"], [])
        assert self.locks is not None
        lock = locks.status_change_lock(self.locks, employed, before, after)
        if lock is not None:
            checks.add([lock_problem(lock, "valid_to" if stored is not None else "valid_from", REOPEN_REMEDY)])
            return
        if stored is not None and not self.options.replace:
            checks.conflict(Problem("valid_to", "status_differs",
                                    "该人员同一类别、同一认定日期已有不同的低收入认定（如需覆盖请使用替换模式）",
                                    "a low-income status with this category and date exists with another exit "
                                    "date or document (use replace mode to overwrite it)"))
            return
        self.touch_employment(employed, before, after)
        if stored is not None:
            self.replacements.append((stored["id"], changes))
        else:
            self.new_rows.append({**clean, "worker": worker["id"]})
            self.report.created += 1

    def touch_employment(self, employed: list[dict[str, Any]], before: locks.Span | None,
                         after: locks.Span) -> None:
        """The months, per workshop, where the changed status and the worker's employment meet
        (the actor's workshops only: an operator sees no other workshop's figures)."""
        spans = [s for s in (before, after) if s is not None]
        first = min(s[0] for s in spans)
        last = None if any(s[1] is None for s in spans) else max(str(s[1]) for s in spans)
        now = f"{today():%Y-%m}"
        for placement in employed:
            if not access.owns_workshop(placement["workshop"]):
                continue
            start = max(first, f"{placement['hired_on']:%Y-%m}")
            ends = [m for m in (last, placement["left_on"] and f"{placement['left_on']:%Y-%m}", now) if m]
            end = min(ends)
            if start <= end:
                self.touch({"id": placement["workshop"], "code": placement["workshop_code"]}, start)
                self.touch({"id": placement["workshop"], "code": placement["workshop_code"]}, end)

    async def finish(self) -> None:
        order = sorted(self.touched.items(), key=lambda item: self.codes[item[0]])
        before = {wid: await deltas.low_income_figures(self.codes[wid], first, last) for wid, (first, last) in order}
        if self.new_rows:
            await journal.insert_many(LowIncomeStatus, self.new_rows)
        await journal.update_many(LowIncomeStatus, self.replacements)
        self.report.replaced = len(self.replacements)
        for wid, (first, last) in order:
            after = await deltas.low_income_figures(self.codes[wid], first, last)
            self.report.figures.append(deltas.LowIncomeDelta(wid, self.codes[wid], first, last, before[wid], after))


def unknown_roster_worker() -> Problem:
    return Problem("id_number", "unknown_worker",
                   "该身份证号不是已登记的务工人员（或不在您负责的工坊用工）；名单不登记新人员，请先导入用工表",
                   "no worker registered with this ID number (or not placed at your workshops); a roster does "
                   "not register people: import a hires sheet first")
