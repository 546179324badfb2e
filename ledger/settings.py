"""One typed settings object, read from ``LEDGER_*`` environment variables once.

The defaults work on a laptop: an embedded SQLite file under ``./var``. PostgreSQL is one
setting away: ``LEDGER_DATABASE_URL=postgresql://user:password@host:5432/dbname``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.core.rules import PlausibleMonth


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str = "sqlite:///var/ledger.sqlite3"
    """``sqlite:///relative/path.sqlite3``, ``sqlite:////absolute/path`` or ``postgresql://...``."""

    secret_key: str | None = None
    """Key for ID-number encryption and keyed hashes. Unset: a key file is created (mode 0600)."""

    key_file: Path = Path("var/secret.key")
    import_dir: Path = Path("var/imports")
    """Where admins may place sheets for the admin panel's import-by-file-name form."""
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

    @property
    def plausible_month(self) -> PlausibleMonth:
        return PlausibleMonth(low=self.unusual_monthly_below, high=self.unusual_monthly_above)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
