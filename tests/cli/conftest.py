"""The ``ledger`` command as a person runs it: a real subprocess, from a folder of the test's choosing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dbfixtures import db  # noqa: F401


@pytest.fixture(autouse=True)
def the_ledgers_key_exists():
    """The suite's key file (LEDGER_KEY_FILE) is made when first used; a command refuses a
    missing one, so make sure it is there, as it is on a ledger in use."""
    from ledger import crypto

    crypto.derive_key(b"test")


async def ledger(*args: str, cwd: Path, env: dict[str, str] | None = None, unset: tuple[str, ...] = (),
                 stdin: str | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ) | (env or {})
    for name in unset:
        environment.pop(name, None)
    command = [sys.executable, "-m", "ledger.cli", *args]
    return await asyncio.to_thread(subprocess.run, command, cwd=cwd, input=stdin, capture_output=True, text=True,
                                   env=environment)
