"""Seals, restatements and public tables on a real database (SQLite or PostgreSQL).

A county signs off a month; an outsider with the public key checks the published sheet
against the seal, proves one row's inclusion, and catches any change to it; a reopening and
correction lists the claims whose reconciliation moved; a public table withholds small cells.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import venv
from datetime import date
from pathlib import Path

import pytest
from dbfixtures import actor, make_id, run_cli, world
from openpyxl import load_workbook

from ledger import reports
from ledger.services import claims, employment, locks, masterdata, people, seals
from ledger.tables import MonthlyPay, Seal

SEAL_MODULE = Path(__file__).resolve().parents[2] / "ledger" / "core" / "seal.py"


async def march_paid(n: int = 6) -> dict:
    """T-01 with n people paid in March 2023 (张三 at 2800.00, the others 2000.00 + i)."""
    w = await world()
    await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-03", "amount": "2800.00",
                                 "days_worked": 22})
    for i in range(2, n + 1):
        person = await people.create_worker({"name": f"工人{i}", "id_number": make_id(i), "village": "花街村"})
        placement = await employment.create_placement({"worker": person["id"], "workshop": w["workshop"]["id"],
                                                       "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
        await employment.create_pay({"placement": placement["id"], "month": "2023-03", "amount": f"{2000 + i}.00",
                                     "days_worked": 20})
    return w


def rewrite_csv(path: Path, change) -> Path:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    rows = change(rows)
    out = path.with_name("changed-" + path.name)
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return out


async def test_a_signed_off_month_is_sealed_and_its_sheet_verifies_and_any_change_is_named(db, tmp_path):
    await march_paid()
    with actor("auditor"):
        await locks.sign_off("2023-03")
    [row] = await Seal.select().where(Seal.kind == "records")
    assert row["period"] == "2023-03" and row["scope"] == "all" and row["lock"] is not None

    seal_file, sheet = tmp_path / "seal.json", tmp_path / "rows.csv"
    done = await run_cli("seal", "export", "--period", "2023-03", "--out", str(seal_file), "--rows", str(sheet))
    assert done.returncode == 0, done.stderr
    document = json.loads(seal_file.read_text(encoding="utf-8"))
    assert document["payload"]["row_count"] == 6 and document["payload"]["merkle_root"] == row["merkle_root"]
    assert make_id(1) not in sheet.read_text(encoding="utf-8-sig")  # persons as keyed hashes only
    key = tmp_path / "key.pem"
    key.write_text((await run_cli("seal", "key")).stdout)

    def verify(export: Path):
        return subprocess.run([sys.executable, str(SEAL_MODULE), "verify", str(seal_file), str(export),
                               "--public-key", str(key)], capture_output=True, text=True, timeout=120)

    assert verify(sheet).returncode == 0
    one_fen = rewrite_csv(sheet, lambda rows: [rows[0], [*rows[1][:4], f"{float(rows[1][4]) + 0.01:.2f}",
                                                         rows[1][5]], *rows[2:]])
    failed = verify(one_fen)
    assert failed.returncode == 1 and "T-01 2023-03" in failed.stdout and "合计" in failed.stdout
    fewer = rewrite_csv(sheet, lambda rows: rows[:-1])
    assert "行数 5" in verify(fewer).stdout
    swapped = rewrite_csv(sheet, lambda rows: [rows[0], rows[2], rows[1], *rows[3:]])
    assert "顺序" in verify(swapped).stdout
    forged_seal = tmp_path / "forged.json"
    forged_seal.write_text(json.dumps({**document, "payload": {**document["payload"], "figures": {}}}))
    assert "签名无效" in subprocess.run([sys.executable, str(SEAL_MODULE), "verify", str(forged_seal), str(sheet)],
                                        capture_output=True, text=True, timeout=120).stdout

    proof = tmp_path / "proof.json"
    assert (await run_cli("seal", "prove", "--period", "2023-03", "--row", "3", "--out", str(proof))).returncode == 0
    assert verify(proof).returncode == 0
    forged = json.loads(proof.read_text())
    forged["row"][4] = "99999.00"
    forged_proof = tmp_path / "forged-proof.json"
    forged_proof.write_text(json.dumps(forged))
    assert "不在封存中" in verify(forged_proof).stdout

    xlsx_sheet = tmp_path / "rows.xlsx"
    assert (await run_cli("seal", "export", "--period", "2023-03", "--out", str(seal_file),
                          "--rows", str(xlsx_sheet))).returncode == 0
    assert json.loads(seal_file.read_text())["payload"]["merkle_root"] == row["merkle_root"]  # the same seal
    assert verify(xlsx_sheet).returncode == 0
    book = load_workbook(xlsx_sheet)
    book.active["E2"] = "1.00"
    book.save(tmp_path / "changed.xlsx")
    assert verify(tmp_path / "changed.xlsx").returncode == 1


async def test_an_open_month_cannot_be_sealed_and_a_year_is_sealed_once_every_month_is_signed_off(db, tmp_path):
    await march_paid(2)
    out = tmp_path / "seal.json"
    refused = await run_cli("seal", "export", "--period", "2023-03", "--out", str(out))
    assert refused.returncode == 2 and "2023-03" in refused.stderr and not out.exists()
    with actor("auditor"):
        for month in range(1, 13):
            await locks.sign_off(f"2023-{month:02d}")
    assert (await run_cli("seal", "export", "--period", "2023", "--out", str(out))).returncode == 0
    assert json.loads(out.read_text())["payload"]["period"] == "2023"


async def restated_claim() -> dict:
    """A claim of March's total pay (12820 元, as the ledger had it) signed off, reopened, corrected
    (张三 2800.00 → 2700.00) and signed off again: it agreed at the first seal, not at the second."""
    w = await march_paid(6)
    with actor("auditor"):
        claim = await claims.create_claim({"title": "三月务工收入", "scope": "workshop:T-01", "period": "2023-03",
                                           "figures": [{"metric": "total_pay", "value": "12820", "unit": "元",
                                                        "qualifier": "exact"},
                                                       {"metric": "workers_employed", "value": "6", "unit": "人",
                                                        "qualifier": "exact"}]})
        lock = await locks.sign_off("2023-03")
        assert await seals.restatements() == []
        await locks.reopen(lock["id"], "张三三月工资少记 100 元")
    zhang = await MonthlyPay.select(MonthlyPay.id).where(MonthlyPay.placement == w["placement"]["id"]).first()
    await employment.update_pay(zhang["id"], {"amount": "2700.00"})
    with actor("auditor"):
        await locks.sign_off("2023-03")
    return claim


async def test_reopening_and_correcting_a_month_lists_the_claim_whose_reconciliation_moved(db):
    claim = await restated_claim()
    with actor("auditor"):
        [restated] = await seals.restatements()
    assert restated["claim"] == claim["id"]
    [change] = restated["changes"]
    assert change["metric"] == "total_pay"
    assert (change["old"]["status"], change["new"]["status"]) == ("agrees", "disagrees")
    assert (change["old"]["ledger"], change["new"]["ledger"]) == ("12820.00", "12720.00")
    sealed = await Seal.select(Seal.id, Seal.supersedes).where(Seal.kind == "records").order_by(Seal.id)
    assert [s["supersedes"] for s in sealed] == [None, sealed[0]["id"]]  # the old seal stays, named
    with actor("auditor"):
        report = (await claims.reconcile_claim(claim["id"])).to_json_dict()
    assert report["sealed_against"] == sealed[-1]["id"]  # the claim records the seal it was checked against
    assert [r["new_seal"] for r in report["restatements"]] == [sealed[-1]["id"]]
    page = reports.to_html(report, [])
    assert "更正后结论有变" in page and "相符（12820.00）→ 不符（12720.00）" in page


async def test_the_csv_xlsx_and_table_reports_show_the_restatement_beside_the_html(db, tmp_path):
    claim = await restated_claim()
    first, second = [s["id"] for s in await Seal.select(Seal.id).where(Seal.kind == "records").order_by(Seal.id)]
    with actor("auditor"):
        report = (await claims.reconcile_claim(claim["id"])).to_json_dict()

    book = load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert book.sheetnames[:2] == ["对账", "重述"]  # second, where a clerk looks next
    sheet = book["重述"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert any(f"#{second}" in str(v) for r in rows[:4] for v in r)  # names the seal it was checked against
    header = next(i for i, r in enumerate(rows) if r[0] == "原封存\nfrom seal")
    assert all(str(v).split("\n")[0] and "\n" in str(v) for v in rows[header])  # Chinese first, English below
    [restated] = [dict(zip([str(h).split("\n")[0] for h in rows[header]], r, strict=True))
                  for r in rows[header + 1:] if r[0]]
    assert (restated["原封存"], restated["新封存"], restated["指标代码"]) == (f"#{first}", f"#{second}", "total_pay")
    assert (restated["原结论"], restated["新结论"]) == ("相符 agrees", "不符 disagrees")
    assert (restated["原台账值"], restated["新台账值"]) == ("12820.00", "12720.00")  # text, never a float
    assert restated["单位"] == "元" and restated["新诊断"]
    assert sheet.cell(header + 2, 10).data_type == "s"

    text = reports.to_csv(report)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert f"#{second}" in " ".join(table[2])
    start = next(i for i, r in enumerate(table) if r and r[0] == "原封存 from seal")
    assert table[start - 1] == []  # a section of its own, after the identities
    [row] = [r for r in table[start + 1:] if r]
    by_name = dict(zip([h.split(" ")[0] for h in table[start]], row, strict=True))
    assert (by_name["指标代码"], by_name["原结论"], by_name["新结论"]) == ("total_pay", "相符 agrees", "不符 disagrees")
    assert (by_name["原台账值"], by_name["新台账值"]) == ("12820.00", "12720.00")
    figures_header = next(i for i, r in enumerate(table) if r and r[0] == "指标 metric")
    assert len(table[figures_header]) == len(reports.FIGURE_HEADERS)  # the figure rows keep their columns
    assert make_id(1) not in text

    done = await run_cli("reconcile", "--claim", str(claim["id"]), "--format", "table")
    assert done.returncode == 0, done.stderr
    after_figures = done.stdout.split("更正后结论有变 Restatements")[1].split("自洽性核对")[0]
    assert f"最近核对所依封存 #{second}" in after_figures
    assert f"#{first} → #{second}" in after_figures and "合计增收 相符（12820.00）→ 不符（12720.00）" in after_figures
    assert after_figures.count("· 封存") == 1 and "吸纳就业人数" not in after_figures  # it did not move


async def test_a_claim_checked_against_a_seal_without_restatements_says_so_in_each_format(db):
    await march_paid(6)
    with actor("auditor"):
        claim = await claims.create_claim({"title": "三月务工收入", "scope": "workshop:T-01", "period": "2023-03",
                                           "figures": [{"metric": "total_pay", "value": "12820", "unit": "元",
                                                        "qualifier": "exact"}]})
        await locks.sign_off("2023-03")
        report = (await claims.reconcile_claim(claim["id"])).to_json_dict()
    assert report["restatements"] == [] and report["sealed_against"] is not None
    sheet = load_workbook(io.BytesIO(reports.to_xlsx(report)))["重述"]
    values = [c.value for r in sheet.iter_rows() for c in r if c.value]
    assert any("no restatements" in v for v in values) and values[-1] == "新诊断\nnew diagnosis"
    table = list(csv.reader(io.StringIO(reports.to_csv(report)[1:])))
    assert table[-1][0] == "原封存 from seal"  # the section's header, no rows under it
    assert "没有变化" in reports.to_table(report)


async def test_a_public_table_withholds_small_cells_and_verifies_against_its_seal(db, tmp_path):
    w = await march_paid(6)
    other = await masterdata.create_workshop({
        "code": "T-02", "name": "小工坊", "enterprise": w["enterprise"]["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": date(1995, 1, 1)})
    for i in (20, 21):
        person = await people.create_worker({"name": f"工人{i}", "id_number": make_id(i), "village": "花街村"})
        placement = await employment.create_placement({"worker": person["id"], "workshop": other["id"],
                                                       "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
        for month in ("2023-03", "2023-04"):
            await employment.create_pay({"placement": placement["id"], "month": month, "amount": "1500.00",
                                         "days_worked": 10})
    table_csv, seal_file = tmp_path / "table.csv", tmp_path / "table-seal.json"
    done = await run_cli("publish", "--scope", "region:330784", "--period", "2023-03..2023-04", "--format", "csv",
                         "--out", str(table_csv), "--seal-out", str(seal_file))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(table_csv.read_text(encoding="utf-8-sig"))))
    published = [int(r["有收入人月数"]) for r in rows if r["有收入人月数"] != "—"]
    assert all(n == 0 or n >= 5 for n in published)
    t02 = {r["月份"]: r for r in rows if r["行"] == "T-02"}
    assert t02["2023-03"]["合计增收(元)"] == "—" and "少于 5" in t02["2023-03"]["说明"]
    assert sum(1 for r in rows if r["有收入人月数"] == "—") >= 4  # the small cells and their partners
    verified = subprocess.run([sys.executable, str(SEAL_MODULE), "verify", str(seal_file), str(table_csv)],
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout
    changed = rewrite_csv(table_csv, lambda rs: [rs[0], *[[*r[:3], "1.00" if r[3] not in ("—", "") else r[3], *r[4:]]
                                                          for r in rs[1:]]])
    assert subprocess.run([sys.executable, str(SEAL_MODULE), "verify", str(seal_file), str(changed)],
                          capture_output=True, text=True, timeout=120).returncode == 1


@pytest.mark.skipif(sys.platform != "linux", reason="builds a venv")
def test_the_standalone_verifier_runs_in_a_clean_venv_with_only_cryptography(tmp_path):
    """seal.py needs the standard library and ``cryptography`` alone: copied out of the repo,
    with nothing else importable, it checks a seal."""
    import cryptography
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.core import seal

    rows = [["2023-03", "T-01", "ab" * 32, "工资", "2800.00", "22"]]
    document = seal.sign(seal.sheet_payload(seal_columns := ["月份", "工坊编码", "人员标识", "类别", "金额(元)", "出勤天数"],
                                            rows, group_by=["工坊编码", "月份"], sum_column="金额(元)"),
                         Ed25519PrivateKey.generate())
    (tmp_path / "seal.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with open(tmp_path / "rows.csv", "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([seal_columns, *rows])
    (tmp_path / "verify_seal.py").write_text(SEAL_MODULE.read_text(encoding="utf-8"), encoding="utf-8")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    # Only cryptography (and what it needs) from this interpreter's site-packages: linked in by a .pth.
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    source = Path(cryptography.__file__).resolve().parents[1]
    (site / "only_cryptography").mkdir()
    for name in ("cryptography", "cffi", "_cffi_backend"):
        for found in source.glob(f"{name}*"):
            (site / "only_cryptography" / found.name).symlink_to(found)
    (site / "only_cryptography.pth").write_text(str(site / "only_cryptography") + "\n")
    python = env_dir / "bin" / "python"
    isolated = subprocess.run([str(python), "-c", "import ledger"], capture_output=True, text=True, cwd=tmp_path)
    assert isolated.returncode != 0  # the ledger is not importable there
    done = subprocess.run([str(python), "verify_seal.py", "verify", "seal.json", "rows.csv"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_outsider_verifies_with_the_ledger_command_and_no_ledger_at_all(tmp_path):
    """``ledger seal verify`` opens no database: an outsider has none, and a file that cannot be
    read is a finding (exit 1), not a traceback."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | {"LEDGER_HOME": str(tmp_path / "no")}
    (tmp_path / "seal.json").write_text('{"payload": {}}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ledger.cli", "seal", "verify", "seal.json", "missing.csv"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "封存文件格式不正确" in done.stdout and "Traceback" not in done.stderr
    assert not (tmp_path / "no").exists()


async def test_a_public_table_of_a_scope_that_cannot_be_read_is_refused_with_the_reason(db):
    done = await run_cli("publish", "--scope", "bogus", "--period", "2023")
    assert done.returncode == 2 and "scope" in done.stderr and "Traceback" not in done.stderr
