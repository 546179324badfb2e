"""Logs never carry a full ID number or phone.

The one way one could get there is a URL (``GET /api/v1/workers?id_number=…`` in an access
log line, plain or percent-encoded) or a message quoting input. ``MaskPersonalData`` rewrites every record on the
loggers the server uses: ID numbers to their masked form (330784********123X), mobile
numbers to 138****8000.
"""

from __future__ import annotations

import logging

from ledger.core.privacy import mask_personal_text

LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "litestar", "ledger", "ledger.api")


def mask_text(text: str) -> str:
    """Every ID number and mobile number in ``text`` masked, plain or percent-encoded."""
    return mask_personal_text(text)


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
