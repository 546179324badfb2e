"""What leaves a real server — its answers and its log — never carries an ID number, in any
spelling: typed where a row id goes, percent-encoded in a query string (once or twice, in
full-width digits), or pasted inside published text for the claim reader."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import httpx
import pytest
from dbfixtures import bearer, db, id_numbers_in, make_id, token_for, world  # noqa: F401

WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percent_all(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode("utf-8"))


@pytest.fixture
def logged_server(db, tmp_path):  # noqa: F811
    """The real app under uvicorn, its whole output (access and error log) kept in a file."""
    port = free_port()
    log_path = tmp_path / "server.log"
    env = os.environ | {"LEDGER_PORT": str(port), "LEDGER_HOST": "127.0.0.1"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ledger.cli", "serve"], env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                pytest.fail("the server did not start: " + log_path.read_text(errors="replace")[-2000:])
            yield url, log_path
        finally:
            proc.terminate()
            proc.wait(timeout=30)


async def test_no_answer_and_no_log_line_carries_an_id_number_in_any_spelling(logged_server):
    url, log_path = logged_server
    await world()
    registered = make_id(1)  # 张三, placed by world()
    digits_only = make_id(7)[:17] + "1"  # an all-digit number reaches the int row-id parser
    numbers = [registered, digits_only]
    headers = bearer(await token_for("leak-auditor", "auditor"))
    queries = [percent_all(registered), percent_all(registered).lower(), quote(percent_all(registered), safe=""),
               quote(registered.translate(WIDE), safe=""), registered]
    answers = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        for spelled in queries:
            answers.append(http.get(f"/api/v1/workers?id_number={spelled}"))
        for number in numbers:
            for path in ("workers", "pay", "placements", "low-income-statuses"):
                answers.append(http.get(f"/api/v1/{path}/{number}"))
                answers.append(http.get(f"/api/v1/{path}/{percent_all(number)}"))
        answers.append(http.get(f"/api/v1/figures?scope=workshop:{percent_all(registered)}&period=2023"))
        answers.append(http.get("/api/v1/figures", params={"scope": f"workshop:{registered}", "period": "2023"}))
        for number in numbers:
            answers.append(http.post("/api/v1/claims/parse",
                                     json={"text": f"身份证号{number}的工人月收入2800元，吸纳就业120人"}))
            answers.append(http.post("/api/v1/reconcile", json={"text": f"工人{number}人", "scope": "all",
                                                                 "period": "2023"}))
    found = [a.request.url.path for a in answers if id_numbers_in(a.content, numbers)]
    assert found == []
    assert {a.status_code for a in answers} <= {200, 400, 404, 422}
    log = log_path.read_bytes()
    assert b"/api/v1/workers?id_number=" in log, "the access log is on: otherwise this test proves nothing"
    assert id_numbers_in(log, numbers) == []
