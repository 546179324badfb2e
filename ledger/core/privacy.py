"""Text that leaves the ledger never carries a full ID number or mobile number.

A person's number can reach a log line or an answer by many doors: typed where a row id goes
(``/workers/330784198001010012``), in a query string — plain, percent-encoded
(``%33%33%30…``), encoded twice (``%2533…``) or in full-width digits — or pasted inside
published text. ``mask_personal_text`` finds them in any of these spellings and writes the
masked form (330784********123X, 138****8000) in their place: a reader learns which field was
meant, never the number. ``mask_personal`` does the same through a JSON-like value.

The patterns are deliberately wider than valid numbers (no check digit is verified): a
mistyped ID number is still a person's.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                       r"[0-9]{3}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ENCODED_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z._~+\-])*%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z._~+\-])*")
"""A run of URL characters holding at least one percent escape: decoded before it is searched."""
NARROW = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
MAX_DECODINGS = 4


def mask_id_number(id_number: str) -> str:
    """330784********123X: region (6) and last four shown, the rest starred."""
    return id_number[:6] + "*" * 8 + id_number[-4:]


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:]


def _mask_plain(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0).upper()), text)
    return PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def _has_personal(text: str) -> bool:
    return bool(ID_NUMBER.search(text) or PHONE.search(text))


def _decoded(run: str) -> str:
    for _ in range(MAX_DECODINGS):
        plain = unquote(run)
        if plain == run:
            break
        run = plain
    return unicodedata.normalize("NFKC", run)


def _mask_encoded(match: re.Match[str]) -> str:
    plain = _decoded(match.group(0))
    return _mask_plain(plain) if _has_personal(plain) else match.group(0)


def _mask_wide(text: str) -> str:
    """Full-width digits (３３０７８４…) spell the same number: masked where they spell one."""
    narrow = text.translate(NARROW)
    if narrow == text or not _has_personal(narrow):
        return text
    masked = _mask_plain(narrow)  # masking keeps every length, so the texts align
    return "".join(m if m != n else o for o, n, m in zip(text, narrow, masked, strict=True))


def mask_personal_text(text: str) -> str:
    """``text`` with every ID number and mobile number masked, however it was spelled."""
    if "%" in text:
        text = ENCODED_RUN.sub(_mask_encoded, text)
    return _mask_plain(_mask_wide(text))


def mask_personal(value: Any) -> Any:
    """The same value with every string in it (dict keys and values, list items) masked."""
    if isinstance(value, str):
        return mask_personal_text(value)
    if isinstance(value, dict):
        return {mask_personal(k): mask_personal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_personal(v) for v in value]
    return value
