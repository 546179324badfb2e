"""Logs never carry a full ID number or phone.

The one way one could get there is a URL (``GET /api/v1/workers?id_number=…`` in an access
log line) or a message quoting input. ``MaskPersonalData`` rewrites every record on the
loggers the server uses: ID numbers to their masked form (330784********123X), mobile
numbers to 138****8000.
"""

from __future__ import annotations

import logging
import re

from ledger.core.rules import mask_id_number, mask_phone

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                       r"[0-9]{3}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "litestar", "ledger", "ledger.api")


def mask_text(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0).upper()), text)
    return PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def _masked(value: object) -> object:
    return mask_text(value) if isinstance(value, str) else value


class MaskPersonalData(logging.Filter):
    """Masks the message and each text argument in place, keeping the record's shape (uvicorn's
    access formatter unpacks its five arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return True


def install() -> None:
    """Put the filter on every logger the server writes to (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPersonalData) for f in logger.filters):
            logger.addFilter(MaskPersonalData())
