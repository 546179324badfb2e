"""Problems as values: what is wrong, where, in Chinese first and English beside.

Validation never stops at the first problem; it collects them all and the caller decides
(the API answers 4xx with the whole list, the importer annotates the sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.core.privacy import mask_personal_text


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    zh: str
    en: str
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        # A problem quotes what was typed; an ID number or phone typed in the wrong place
        # (a row id, a workshop code, a month) is never quoted back.
        object.__setattr__(self, "zh", mask_personal_text(self.zh))
        object.__setattr__(self, "en", mask_personal_text(self.en))

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    def at_row(self, row: int, column: str | None = None) -> Problem:
        return Problem(self.field, self.code, self.zh, self.en, row, column or self.column)

    def prefixed(self, prefix: str) -> Problem:
        return Problem(f"{prefix}{self.field}", self.code, self.zh, self.en, self.row, self.column)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message,
                               "zh": self.zh, "en": self.en}
        if self.row is not None:
            out["row"] = self.row
        if self.column is not None:
            out["column"] = self.column
        return out
