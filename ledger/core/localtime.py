"""Times as people here read them: stored times are UTC ISO-8601, shown in Beijing time.

The journal, locks and tokens store ``datetime.now(UTC).isoformat()``; a message or a CLI
line a person reads gives the same instant in Asia/Shanghai (UTC+8, no daylight saving),
labelled, so "signed off at 10:05" is the clock on the auditor's wall.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")  # the ``tzdata`` package supplies it where the OS has no zone files


def shown(stored: str | datetime | None, en: bool = False) -> str:
    """``2024-01-15T02:05:00.123456+00:00`` → ``2024-01-15 10:05:00 北京时间``; empty stays empty,
    and a value that is not a time is returned as it was (never an error in a message).
    ``en=True`` labels it ``Beijing time`` for the English half of a message."""
    if not stored:
        return ""
    try:
        moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    except ValueError:
        return str(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored times without an offset are UTC
    return f"{moment.astimezone(LOCAL_ZONE):%Y-%m-%d %H:%M:%S} {'Beijing time' if en else '北京时间'}"
