"""Test configuration: which database the suite runs on, decided before any table loads.

``LEDGER_TEST_DATABASE_URL`` picks the engine (``.ci/run`` sets a real PostgreSQL for the
second pass); unset, each run gets a fresh SQLite file. The schema is always built by
running the real migrations, never by ``create_table``.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
_tmp = Path(tempfile.mkdtemp(prefix="ledger-test-"))
os.environ["LEDGER_DATABASE_URL"] = os.environ.get("LEDGER_TEST_DATABASE_URL") or f"sqlite:///{_tmp}/test.sqlite3"
os.environ["LEDGER_KEY_FILE"] = str(_tmp / "secret.key")
# The key exists from the start, as on a ledger in use: ``ledger`` commands refuse a missing one
# (only ``migrate`` and ``demo`` make it), and a test may start a command before anything is encrypted.
(_tmp / "secret.key").write_text(secrets.token_urlsafe(48))
(_tmp / "secret.key").chmod(0o600)
os.environ.pop("LEDGER_SECRET_KEY", None)
os.environ["LEDGER_DB_POOL"] = "0"
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# CI shares two cores: no Hypothesis example may fail for taking long (tests with settings of
# their own keep them; this is the default for the rest).
settings.register_profile("ledger", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ledger")

TEST_DIR = _tmp


def pytest_report_header(config):
    return f"ledger database: {os.environ['LEDGER_DATABASE_URL'].split('@')[-1]}"


@pytest.fixture(scope="session")
def tmp_dir() -> Path:
    return TEST_DIR


@pytest.fixture(autouse=True)
def fast_passwords_and_a_fresh_login_throttle():
    """Password hashing at OWASP's iteration count costs ~0.3 s a user; tests make many users.
    Each test starts with no logins counted, by our throttle or the panel's."""
    from piccolo.apps.user.tables import BaseUser

    from ledger.admin import ADMIN_LOGIN_LIMIT
    from ledger.api.auth import THROTTLE

    BaseUser._pbkdf2_iteration_count = 1_000
    THROTTLE.reset()
    ADMIN_LOGIN_LIMIT.request_dict.clear()  # the panel's own login limit counts every login, per address
    ADMIN_LOGIN_LIMIT.blocked.clear()
    yield
