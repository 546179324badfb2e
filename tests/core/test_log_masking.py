"""No full ID number or phone in a log line, whichever logger the server writes it to."""

from __future__ import annotations

import logging

from ledger import logs

NUMBER = "33078419800101001X"


def test_an_access_log_line_with_an_id_number_in_the_url_is_masked(caplog):
    from uvicorn.logging import AccessFormatter

    logs.install()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                                                 f"/api/v1/workers?id_number={NUMBER}&phone=13800138000", "1.1",
                                                 200)
    [record] = caplog.records
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert NUMBER not in line and "13800138000" not in line
    assert line == '127.0.0.1:5000 - "GET /api/v1/workers?id_number=330784********001X&phone=138****8000 HTTP/1.1" 200 OK'



def test_text_without_personal_data_is_left_alone():
    text = "imported 1200 rows at 2023-03-01 for workshop YK-01, total 2800.00"
    assert logs.mask_text(text) == text
