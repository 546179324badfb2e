"""``ledger`` as a person runs it: a real subprocess, from a folder of the test's choosing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path


async def ledger(*args: str, cwd: Path, env: dict[str, str] | None = None, unset: tuple[str, ...] = (),
                 stdin: str | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ) | (env or {})
    for name in unset:
        environment.pop(name, None)
    command = [sys.executable, "-m", "ledger.cli", *args]
    return await asyncio.to_thread(subprocess.run, command, cwd=cwd, input=stdin, capture_output=True, text=True,
                                   env=environment)
