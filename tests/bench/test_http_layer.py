"""The HTTP-layer bench (bench/http_layer.py) times whole answered requests, and refuses to time
error pages: a run whose product answers 4xx (a wrong token, a changed schema) stops and says so."""

from __future__ import annotations

import asyncio
import json

import pytest
from http_layer import bare_app, per_request, request_driver


def test_the_driver_returns_the_answer():
    one = request_driver(bare_app(), "/bare", json.dumps({"placement": 1}).encode(), [])
    assert asyncio.run(one()) == b'{"ok":true}'


def test_the_clock_sends_each_request_once():
    sent = []

    async def one() -> bytes:
        sent.append(1)
        return b""

    assert asyncio.run(per_request(one, 5)) > 0
    assert len(sent) == 5


def test_an_answer_that_is_not_2xx_stops_the_run_with_its_status_and_body():
    one = request_driver(bare_app(), "/bare", b"{not json", [])
    with pytest.raises(RuntimeError, match=r"/bare answered 400: b'.+'"):
        asyncio.run(one())
