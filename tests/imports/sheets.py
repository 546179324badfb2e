"""Helpers for the import tests: a workshop with placed workers, and real files."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from dbfixtures import make_id, valid_credit_code, xlsx  # noqa: F401  (xlsx: re-exported for the import tests)

from ledger.services import employment, masterdata, people


async def shop(workers: int = 3, code: str = "T-01", hired_on: date = date(2023, 1, 1),
               enterprise: dict[str, Any] | None = None, first_serial: int = 1) -> dict[str, Any]:
    """A workshop with ``workers`` placed workers (serials first_serial…), hired on ``hired_on``."""
    if enterprise is None:
        enterprise = await masterdata.create_enterprise(
            {"name": "测试企业", "credit_code": valid_credit_code(), "region_code": "330784"})
    workshop = await masterdata.create_workshop({
        "code": code, "name": f"工坊{code}", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": date(2000, 1, 1)})
    people_ = []
    for serial in range(first_serial, first_serial + workers):
        number = make_id(serial)
        worker = await people.create_worker({"name": f"工人{serial}", "id_number": number, "village": "花街村"})
        placement = await employment.create_placement({
            "worker": worker["id"], "workshop": workshop["id"], "hired_on": hired_on, "pay_basis": "计件"})
        people_.append({"worker": worker, "placement": placement, "id_number": number, "name": f"工人{serial}"})
    return {"enterprise": enterprise, "workshop": workshop, "people": people_}




def csv_file(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path
