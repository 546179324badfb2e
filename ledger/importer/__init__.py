"""Operators' spreadsheets in and out: import of hires and monthly pay, templates, exports.

``service.run_import`` is the one entry point every shell (API, CLI, admin panel) calls;
``reading`` opens and streams .xlsx/.csv files, ``headers`` recognises the columns,
``values`` reads cells as people type them, ``deltas`` previews how the figures move,
``workbook`` writes the annotated sheet, templates and exports. The rules themselves are
the services' (``ledger.services.bulk`` runs them a batch at a time).
"""

from ledger.importer.exports import Download, export_pay, template
from ledger.importer.headers import SheetKind
from ledger.importer.reading import UnreadableFile, open_sheet
from ledger.importer.service import ImportFailed, ImportOptions, ImportReport, RowProblem, run_import
from ledger.importer.workbook import annotate

__all__ = ["Download", "ImportFailed", "ImportOptions", "ImportReport", "RowProblem", "SheetKind", "UnreadableFile",
           "annotate", "export_pay", "open_sheet", "run_import", "template"]
