"""A reader that stops early ends the command quietly; ``ledger serve`` listens where it is told."""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import subprocess
import sys

import httpx
from commandline import ledger

from ledger.settings import get_settings

FIGURES = ("figures", "--scope", "all", "--period", "2023")


async def test_figures_piped_into_head_end_without_a_traceback(db, tmp_path):
    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "ledger.cli", *FIGURES)) + " | head -1"
    result = await asyncio.to_thread(subprocess.run, ["bash", "-c", command], cwd=tmp_path, capture_output=True,
                                     text=True, env=dict(os.environ))
    assert result.returncode == 0 and result.stdout == "{\n"
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


async def test_a_pipe_closed_before_the_first_line_ends_the_command_quietly(db, tmp_path):
    """The deterministic case of the above: the reader is gone before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "ledger.cli", *FIGURES],
                                         cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE, text=True,
                                         env=dict(os.environ))
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_serve_listens_on_the_host_and_port_it_is_given(db, tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "ledger.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ))
    try:
        status = None
        async with httpx.AsyncClient() as client:
            for _ in range(600):  # generous: the machine may be busy; stops early if the server dies
                if server.poll() is not None:
                    break
                try:
                    status = (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.5)
        assert status == 200, server.stderr.read() if server.poll() is not None else "no answer"
    finally:
        server.terminate()
        _, stderr = server.communicate()
    assert f"数据库 / database: {get_settings().database_label}" in stderr
    assert f"serving at http://127.0.0.1:{port}" in stderr


async def test_serve_takes_its_default_host_and_port_from_the_settings(tmp_path):
    result = await ledger("serve", "--help", cwd=tmp_path, env={"LEDGER_HOST": "0.0.0.0", "LEDGER_PORT": "8123"})
    assert result.returncode == 0
    assert "LEDGER_HOST, default 0.0.0.0" in result.stdout and "LEDGER_PORT, default 8123" in result.stdout
