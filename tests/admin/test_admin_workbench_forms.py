"""The workbench in the admin panel: forms that call the same services as the API and CLI —
the signals as a download, a county's threshold (journaled as the admin), a sample from a seed."""

from __future__ import annotations

import json

from signal_ledgers import PLANTS, clean_ledger, load

from ledger.tables import AuditEntry, SignalThreshold


async def form(admin, name: str, data: dict):
    slug = name.replace(" ", "-").lower()
    return await admin.client.post(f"/admin/api/forms/{slug}/", json=data, headers=admin._headers())


async def test_an_admin_downloads_the_signals_and_sets_a_county_threshold_on_the_journal(admin):
    await load(PLANTS["heaping"][0](clean_ledger(1, workers=12, months=["2023-04"], workshops=["W-1", "W-2", "W-3"])))
    download = await form(admin, "异常信号 Signals", {"scope": "region:330784", "period": "2023-04", "format": "json"})
    assert download.status_code == 200, download.text
    body = json.loads(download.content)
    assert [(s["kind"], s["workshop"]) for s in body["signals"]] == [("heaping", "W-3")]
    before = await AuditEntry.count()
    done = await form(admin, "信号阈值 Signal threshold", {"region_prefix": "3307", "name": "heaping", "value": "0.8"})
    assert done.status_code == 200, done.text
    assert (await SignalThreshold.select().first())["set_by"] == "admin" and await AuditEntry.count() == before + 1
    again = json.loads((await form(admin, "异常信号 Signals", {"scope": "region:330784", "period": "2023-04",
                                                           "format": "json"})).content)
    assert again["signals"] == []
    refused = await form(admin, "信号阈值 Signal threshold", {"region_prefix": "33x", "name": "nosuch", "value": "1"})
    assert refused.status_code >= 400 and "region_prefix" in refused.text and "threshold.nosuch" in refused.text


async def test_an_admin_draws_the_same_sample_from_the_same_seed(admin):
    await load(clean_ledger(2, workers=5, months=["2023-01"], workshops=["W-1"]))
    data = {"scope": "all", "period": "2023-01", "method": "random", "size": 3, "seed": "s1"}
    first, second = await form(admin, "审计抽样 Audit sample", data), await form(admin, "审计抽样 Audit sample", data)
    assert first.status_code == 200, first.text
    assert json.loads(first.content) == json.loads(second.content)
    assert len(json.loads(first.content)["records"]) == 3
