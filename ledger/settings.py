"""One typed settings object, read from ``LEDGER_*`` environment variables once.

The defaults work on a laptop: an embedded SQLite file in the ledger's home folder
(``LEDGER_HOME``, by default ``$XDG_DATA_HOME/gongfu-ledger``, i.e.
``~/.local/share/gongfu-ledger``), the same folder wherever a command is run from, with the
key file beside it. PostgreSQL is one setting away:
``LEDGER_DATABASE_URL=postgresql://user:password@host:5432/dbname``.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.core.rules import PlausibleMonth


def default_home() -> Path:
    """Where the ledger keeps its files unless told otherwise: one folder per user, not the
    current folder (a command run elsewhere would otherwise open, or make, a second ledger)."""
    xdg = os.environ.get("XDG_DATA_HOME")
    try:
        base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    except RuntimeError:  # no home directory known (some containers)
        base = Path("/var/lib")
    return base / "gongfu-ledger"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    """The folder of the default database and key file (made absolute)."""

    database_url: str = Field(default_factory=lambda data: f"sqlite:///{data['home'] / 'ledger.sqlite3'}")
    """``sqlite:///relative/path.sqlite3`` (from the current folder), ``sqlite:////absolute/path``
    or ``postgresql://...``; by default ``LEDGER_HOME/ledger.sqlite3``."""

    secret_key: str | None = None
    """Key for ID-number encryption and keyed hashes. Unset: the key file (``ledger migrate`` makes it)."""

    key_file: Path = Field(default_factory=lambda data: data["home"] / "secret.key")
    read_database_url: str = ""
    """``postgresql://...`` of a streaming replica of the primary: the read-only figure work
    (figures, their drill-down, reconciliation, dashboard and signals) runs its SQL there.
    Empty: everything reads the primary. Writes, authorization, and reads inside a write
    transaction always use the primary."""
    db_pool: bool = True
    """Open a PostgreSQL connection pool for the server's lifetime (tests turn it off: a pool
    belongs to one event loop, and test clients run apps in loops of their own)."""
    host: str = "127.0.0.1"
    port: int = 8000
    demo_admin_user: str = "admin"
    demo_admin_password: str = "ledger-demo-2023"
    demo_auditor_password: str = "ledger-audit-2023"
    demo_operator_password: str = "ledger-operate-2023"
    """The demo's three users (admin, auditor, operator of YK-01 and YK-02): for a laptop only."""
    secure_cookies: bool = False
    """Mark session cookies Secure (HTTPS only); set it in production behind TLS."""
    unusual_monthly_below: Decimal = Decimal("100")
    unusual_monthly_above: Decimal = Decimal("50000")
    """A month's pay or a baseline (yuan) above 0 but below the first, or above the second, is
    refused with the reason unless the writer confirms it (``confirm_unusual``): a county whose
    pay runs otherwise sets its own bounds."""
    today: str | None = None
    """Override of "today" (YYYY-MM-DD) for the not-in-the-future rule; for tests and demos."""

    @field_validator("home", "key_file")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Fixed when the settings are read, so a message can say exactly where it looked.
        return Path(os.path.abspath(value.expanduser()))

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("数据库地址须为 sqlite:///… 或 postgresql://… / "
                             "must be sqlite:///… or postgresql://…")
        return value

    @field_validator("read_database_url")
    @classmethod
    def _postgres_replica(cls, value: str) -> str:
        value = value.strip()
        if value and urlsplit(value).scheme not in ("postgresql", "postgres"):
            raise ValueError("LEDGER_READ_DATABASE_URL: 只读副本须为 PostgreSQL 地址（postgresql://...）或留空 / "
                             "a PostgreSQL replica's postgresql://... URL, or empty")
        return value

    @model_validator(mode="after")
    def _replica_of_postgres(self) -> Settings:
        if self.read_database_url and self.is_sqlite:
            raise ValueError("LEDGER_READ_DATABASE_URL: SQLite 数据库没有只读副本 / "
                             "a SQLite database has no replica; leave it empty")
        return self

    @property
    def plausible_month(self) -> PlausibleMonth:
        return PlausibleMonth(low=self.unusual_monthly_below, high=self.unusual_monthly_above)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return Path(os.path.abspath(self.database_url.removeprefix("sqlite:///")))

    @property
    def database_label(self) -> str:
        """The database as a person may read it: a SQLite file's absolute path, a server's
        URL with the password masked."""
        if self.is_sqlite:
            return f"{self.sqlite_path} (SQLite)"
        return f"{mask_url(self.database_url)} (PostgreSQL)"


def mask_url(url: str) -> str:
    """``postgresql://ledger:secret@db:5432/ledger`` → ``postgresql://ledger:***@db:5432/ledger``
    (a password in the query string is masked too)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, _, where = netloc.rpartition("@")
        user, colon, _password = credentials.partition(":")
        netloc = f"{user}{':***' if colon else ''}@{where}"
    query: Any = parts.query
    if query:
        query = urlencode([(k, "***" if k.lower() in ("password", "sslpassword") else v)
                           for k, v in parse_qsl(query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class SettingsError(ValueError):
    """A ``LEDGER_*`` environment variable that cannot be read. The message names each one and
    says why, in Chinese and English, without its value (a database URL holds a password)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            if problem["type"] == "default_factory_not_called":
                continue  # a default that waits on another setting's error: that one is named
            name = "LEDGER_" + "_".join(str(part) for part in problem["loc"]).upper()
            if problem["type"] == "value_error":  # ours: bilingual, some name their variable already
                message = problem["msg"].removeprefix("Value error, ")
            else:
                message = f"取值无效 / invalid: {problem['msg']}"
            lines.append(f"  - {message}" if message.startswith("LEDGER_") or not problem["loc"]
                         else f"  - {name}: {message}")
        raise SettingsError("环境变量设置有误，请改正后重试 / a LEDGER_* setting is wrong; fix it and retry:\n"
                            + "\n".join(lines)) from None
