import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from dbfixtures import db  # noqa: F401

CHROMIUM = os.environ.get("LEDGER_CHROMIUM", "/usr/bin/chromium")


def chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return CHROMIUM
    if os.environ.get("LEDGER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is required here but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM}; .ci/run installs it and sets LEDGER_REQUIRE_BROWSER=1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db):  # noqa: F811
    """The real app in a real server process, on the test database."""
    port = free_port()
    env = os.environ | {"LEDGER_PORT": str(port), "LEDGER_HOST": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, "-m", "ledger.cli", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):  # generous: on a busy machine the server takes a while to import
            if proc.poll() is not None:
                pytest.fail(f"the server exited with status {proc.returncode}")
            try:
                urllib.request.urlopen(url + "/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    executable = chromium_or_skip()
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=executable, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        await b.close()
