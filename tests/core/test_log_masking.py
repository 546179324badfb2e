"""No full ID number or phone in a log line, whichever logger the server writes it to."""

from __future__ import annotations

import logging

from ledger import logs

NUMBER = "33078419800101001X"


def test_an_access_log_line_with_an_id_number_in_the_url_is_masked(caplog):
    logs.install()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/1.1" %d', "127.0.0.1", "GET",
                                                 f"/api/v1/workers?id_number={NUMBER}&phone=13800138000", 200)
    [line] = [r.getMessage() for r in caplog.records]
    assert NUMBER not in line and "13800138000" not in line
    assert "330784********001X" in line and "138****8000" in line


def test_text_without_personal_data_is_left_alone():
    text = "imported 1200 rows at 2023-03-01 for workshop YK-01, total 2800.00"
    assert logs.mask_text(text) == text
