"""The audit journal: one entry per changed row, by every door, in the write's transaction;
a chain that shows tampering; a journal whose replay is the tables."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import httpx
import pytest
from dbfixtures import actor, bearer, make_id, run_cli, token_for, world, xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.api.app import create_app
from ledger.errors import ValidationFailed
from ledger.importer import ImportFailed, ImportOptions, run_import
from ledger.services import employment, journal, locks, masterdata, people
from ledger.tables import AuditEntry, MonthlyPay

PAY_HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]
_app = None


def app():
    global _app
    _app = _app or create_app()
    return _app


async def entries(**where) -> list[dict]:
    query = AuditEntry.select().order_by(AuditEntry.seq)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return [journal.entry_out(r) for r in await query]


async def head_seq() -> int:
    return (await journal.head())[0]


async def verified() -> journal.Verification:
    return await journal.verify()


# --- one entry per changed row, by every door -------------------------------------------------

async def test_a_create_an_update_and_a_delete_are_three_entries_with_before_and_after(db):
    w = await world()
    start = await head_seq()
    pay = await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-03", "amount": "2800.00",
                                       "days_worked": 20})
    await employment.update_pay(pay["id"], {"amount": "2800.00"})  # no change: no entry
    await employment.update_pay(pay["id"], {"amount": "2750.50"})
    await employment.delete_pay(pay["id"])
    made = [e for e in await entries(table_name="monthly_pay") if e["seq"] > start]
    assert [e["action"] for e in made] == ["create", "update", "delete"]
    assert [e["seq"] for e in made] == [start + 1, start + 2, start + 3]
    create, update, delete = made
    assert create["before"] is None and create["after"]["amount_fen"] == 280000
    assert (update["before"]["amount_fen"], update["after"]["amount_fen"]) == (280000, 275050)
    assert delete["before"]["amount_fen"] == 275050 and delete["after"] is None
    assert {e["username"] for e in made} == {"system"} and {e["path"] for e in made} == {"system"}
    assert (await verified()).ok


async def test_a_refused_write_journals_nothing_and_leaves_no_gap(db):
    w = await world()
    start = await head_seq()
    with pytest.raises(ValidationFailed):
        await employment.create_pay_batch("2023-03", [
            {"placement": w["placement"]["id"], "amount": "100.00", "days_worked": 3},
            {"placement": w["placement"]["id"] + 999, "amount": "100.00", "days_worked": 3}])
    assert await head_seq() == start
    await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-04", "amount": "1000.00",
                                 "days_worked": 1})
    assert await head_seq() == start + 1


async def test_a_batch_of_three_is_three_entries_by_the_api_with_the_callers_name(db):
    w = await world()
    more = []
    for serial in (2, 3):
        person = await people.create_worker({"name": f"工人{serial}", "id_number": make_id(serial), "village": "花街村"})
        more.append(await employment.create_placement({"worker": person["id"], "workshop": w["workshop"]["id"],
                                                       "hired_on": date(2023, 1, 1), "pay_basis": "计件"}))
    token = await token_for("clerk", "operator", "T-01")
    start = await head_seq()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://testserver",
                                 headers=bearer(token)) as client:
        response = await client.post("/api/v1/pay/batch", json={"month": "2023-05", "items": [
            {"placement": p["id"], "amount": "2800.00", "days_worked": 20} for p in [w["placement"], *more]]})
    assert response.status_code == 201, response.text
    made = [e for e in await entries() if e["seq"] > start]
    assert len(made) == 3 and {(e["action"], e["table_name"], e["username"], e["path"]) for e in made} == {
        ("create", "monthly_pay", "clerk", "api")}
    assert sorted(e["row_id"] for e in made) == sorted(r["id"] for r in response.json())


async def test_an_import_journals_each_row_as_the_import_path_and_a_dry_run_journals_nothing(db, tmp_path):
    w = await world()
    rows = [PAY_HEADER, ["T-01", make_id(1), "张三", "2023-03", "2800", 20],
            ["T-01", make_id(1), "张三", "2023-04", "2900", 21]]
    start = await head_seq()
    with actor("operator", w["workshop"]["id"], username="clerk"):
        await run_import(xlsx(tmp_path / "pay.xlsx", rows), ImportOptions(dry_run=True))
        assert await head_seq() == start
        await run_import(xlsx(tmp_path / "pay.xlsx", rows))
    made = [e for e in await entries() if e["seq"] > start]
    assert [(e["table_name"], e["action"], e["path"], e["username"]) for e in made] == [
        ("monthly_pay", "create", "import", "clerk")] * 2
    with actor("operator", w["workshop"]["id"], username="clerk"):
        with pytest.raises(ImportFailed):
            await run_import(xlsx(tmp_path / "bad.xlsx", [*rows, ["T-01", make_id(1), "张三", "2023-05", "x", 1]]),
                             ImportOptions(replace=True))
        await run_import(xlsx(tmp_path / "pay.xlsx", rows))  # the same file again changes nothing
    assert await head_seq() == start + 2


async def test_the_admin_panel_journals_as_the_admin_by_the_admin_path(db):
    from ledger.cli import ensure_user

    w = await world()
    await ensure_user("keeper", "keeper-password-1", "admin")
    start = await head_seq()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://localhost") as client:
        await client.get("/admin/")
        csrf = {"X-CSRFToken": client.cookies.get("csrftoken", "")}
        login = await client.post("/admin/public/login/", headers=csrf,
                                  json={"username": "keeper", "password": "keeper-password-1"})
        assert login.status_code == 200, login.text
        created = await client.post("/admin/api/tables/monthly_pay/", headers=csrf, json={
            "placement": w["placement"]["id"], "month": "2023-03", "amount_fen": "2800.00", "days_worked": 20})
        assert created.status_code == 201, created.text
        pay_id = created.json()[0]["id"]
        patched = await client.patch(f"/admin/api/tables/monthly_pay/{pay_id}/", headers=csrf,
                                     json={"amount_fen": "2900.00"})
        assert patched.status_code == 200, patched.text
        deleted = await client.delete(f"/admin/api/tables/monthly_pay/{pay_id}/", headers=csrf)
        assert deleted.status_code == 204, deleted.text
    made = [e for e in await entries() if e["seq"] > start]
    assert [(e["action"], e["row_id"], e["path"], e["username"]) for e in made] == [
        ("create", pay_id, "admin", "keeper"), ("update", pay_id, "admin", "keeper"),
        ("delete", pay_id, "admin", "keeper")]


async def test_the_cli_journals_as_the_login_that_ran_it(db):
    await world()
    start = await head_seq()
    done = await run_cli("user", "create", "clerk2", "--role", "operator", "--workshop", "T-01",
                         "--password", "a-long-password")
    assert done.returncode == 0, done.stderr
    made = [e for e in await entries() if e["seq"] > start]
    assert [e["table_name"] for e in made] == ["user_role", "user_workshop"]
    assert {e["path"] for e in made} == {"cli"} and all(e["username"].startswith("cli:") for e in made)


async def test_sensitive_fields_are_never_in_the_journal(db):
    number, phone = make_id(7), "13800138000"
    worker = await people.create_worker({"name": "李四", "id_number": number, "village": "花街村", "phone": phone})
    [entry] = await entries(table_name="worker", row_id=worker["id"])
    after = entry["after"]
    assert after["id_number"] == number[:6] + "********" + number[-4:]
    assert after["phone"] != phone and after["id_cipher"].startswith("sha256:")
    assert after["id_hash"].startswith("sha256:") and after["phone_cipher"].startswith("sha256:")
    raw = json.dumps(await AuditEntry.select(), ensure_ascii=False, default=str)
    assert number not in raw and number[6:14] not in raw and phone not in raw


async def test_revealing_an_id_number_is_itself_on_the_record(db):
    w = await world()
    start = await head_seq()
    with actor("auditor", username="审核员乙"):
        shown = await people.reveal_id_number(w["worker"]["id"])
    assert shown["id_number"] == make_id(1)
    [entry] = [e for e in await entries() if e["seq"] > start]
    assert (entry["action"], entry["table_name"], entry["row_id"], entry["username"]) == (
        "reveal", "worker", w["worker"]["id"], "审核员乙")
    assert entry["before"] is None and entry["after"] is None
    assert (await verified()).ok


# --- replay: random sequences of writes, then the journal's "after" values are the tables -------

def test_replaying_the_journal_after_random_writes_reproduces_the_tables(db):
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

    from ledger.errors import LedgerError
    from ledger.tables import JOURNALED_TABLES

    money = st.integers(min_value=0, max_value=10_000_00).map(lambda fen: f"{fen // 100}.{fen % 100:02d}")
    months = st.sampled_from([f"2023-{m:02d}" for m in range(1, 13)])

    class Writes(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.runner = asyncio.Runner()
            self.serial = 100

        def run(self, work):
            try:
                return self.runner.run(work)
            except LedgerError:
                return None  # refused writes are part of the sequence; they must leave no trace

        def teardown(self) -> None:
            self.runner.close()

        @initialize()
        def start(self) -> None:
            from dbfixtures import clear_tables

            self.runner.run(clear_tables())
            self.world = self.runner.run(world())
            self.placements = [self.world["placement"]["id"]]
            self.workers = [self.world["worker"]["id"]]

        @rule()
        def hire_someone(self) -> None:
            self.serial += 1
            person = self.run(people.create_worker({"name": f"工人{self.serial}", "id_number": make_id(self.serial),
                                                    "village": "花街村"}))
            if person:
                self.workers.append(person["id"])
                placement = self.run(employment.create_placement({
                    "worker": person["id"], "workshop": self.world["workshop"]["id"],
                    "hired_on": date(2023, 1, 1), "pay_basis": "计时"}))
                if placement:
                    self.placements.append(placement["id"])

        @rule(data=st.data(), month=months, amount=money)
        def log_pay(self, data, month, amount) -> None:
            placement = data.draw(st.sampled_from(self.placements))
            self.run(employment.create_pay({"placement": placement, "month": month, "amount": amount,
                                            "days_worked": 10}))

        @rule(data=st.data(), amount=money)
        def correct_pay(self, data, amount) -> None:
            ids = [r["id"] for r in self.runner.run(MonthlyPay.select(MonthlyPay.id).run())]
            if ids:
                self.run(employment.update_pay(data.draw(st.sampled_from(ids)), {"amount": amount}))

        @rule(data=st.data())
        def delete_pay(self, data) -> None:
            ids = [r["id"] for r in self.runner.run(MonthlyPay.select(MonthlyPay.id).run())]
            if ids:
                self.run(employment.delete_pay(data.draw(st.sampled_from(ids))))

        @rule(data=st.data(), village=st.sampled_from(["花街村", "前仓村", "溪岸村"]))
        def move_someone(self, data, village) -> None:
            self.run(people.update_worker(data.draw(st.sampled_from(self.workers)), {"village": village}))

        @rule(data=st.data(), month=months)
        def mark_low_income(self, data, month) -> None:
            self.run(people.create_low_income({"worker": data.draw(st.sampled_from(self.workers)),
                                               "category": "低保", "valid_from": date.fromisoformat(month + "-01"),
                                               "source_document": "民政局文件"}))

        @rule(month=months)
        def sign_off_and_adjust(self, month) -> None:
            with actor("auditor"):
                self.run(locks.sign_off(month))
                self.run(locks.create_adjustment({"placement": self.placements[0], "month": month,
                                                  "delta": "-1.50", "reason": "复核更正"}))

        @invariant()
        def the_journal_replays_to_the_tables(self) -> None:
            async def compare():
                rows = await AuditEntry.select().order_by(AuditEntry.seq)
                assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
                state: dict = {}
                for r in rows:
                    if r["action"] != "reveal":
                        state[(r["table_name"], r["row_id"])] = json.loads(r["after"]) if r["after"] else None
                for table in JOURNALED_TABLES:
                    name = table._meta.tablename
                    current = {row["id"]: journal.snapshot(table, row) for row in await table.select()}
                    replayed = {row_id: after for (t, row_id), after in state.items() if t == name and after}
                    assert replayed == current, name
                assert (await journal.verify()).ok

            self.runner.run(compare())

    Writes.TestCase.settings = settings(max_examples=12, stateful_step_count=12, deadline=None,
                                        suppress_health_check=list(HealthCheck))
    Writes.TestCase().runTest()


# --- tampering: each kind is caught ----------------------------------------------------------------

async def _some_history() -> None:
    w = await world()
    for month in ("2023-03", "2023-04", "2023-05"):
        await employment.create_pay({"placement": w["placement"]["id"], "month": month, "amount": "2800.00",
                                     "days_worked": 20})
    await masterdata.update_workshop(w["workshop"]["id"], {"name": "改名后的工坊"})


async def _raw(sql: str) -> None:
    """Tampering as someone holding the database (on PostgreSQL, a superuser who first
    turns the append-only trigger off)."""
    db = AuditEntry._meta.db
    if db.engine_type == "postgres":
        sql = ("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only; " + sql
               + "; ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only")
        for statement in sql.split("; "):
            await db.run_ddl(statement)
        return
    for statement in sql.split("; "):
        await db.run_ddl(statement)


TAMPERING = {
    "edit an entry": ("UPDATE audit_entry SET after = substr(after, 1, length(after) - 1) || ',\"x\":1}}' WHERE seq = {mid}",
                      {"entry_altered"}),
    "delete an entry": ("DELETE FROM audit_entry WHERE seq = {mid}", {"entry_missing"}),
    "delete the last entries": ("DELETE FROM audit_entry WHERE seq > {mid}", {"table_differs"}),
    "insert a forged entry": (
        "INSERT INTO audit_entry (seq, at, username, path, table_name, row_id, action, before, after, prev_hash, hash) "
        "SELECT seq + 1, at, 'mallory', path, table_name, row_id, action, before, after, hash, "
        "'ab' || substr(hash, 3) FROM audit_entry WHERE seq = {last}", {"entry_altered"}),
    "swap two entries": ("UPDATE audit_entry SET seq = -1 WHERE seq = {mid}; "
                         "UPDATE audit_entry SET seq = {mid} WHERE seq = {next}; "
                         "UPDATE audit_entry SET seq = {next} WHERE seq = -1", {"entry_altered"}),
    "change a row behind the journal's back": ("UPDATE monthly_pay SET amount_fen = amount_fen + 1", {"table_differs"}),
    "renumber after a deletion": ("DELETE FROM audit_entry WHERE seq = {mid}; "
                                  "UPDATE audit_entry SET seq = -seq WHERE seq > {mid}; "
                                  "UPDATE audit_entry SET seq = -seq - 1 WHERE seq < 0", {"entry_altered"}),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
async def test_verify_catches_tampering(db, kind):
    await _some_history()
    before = await verified()
    assert before.ok, before.findings
    last = before.head_seq
    sql, expected = TAMPERING[kind]
    await _raw(sql.format(mid=last // 2, next=last // 2 + 1, last=last))
    after = await verified()
    assert not after.ok
    assert expected <= {f.kind for f in after.findings}, [f.as_dict() for f in after.findings]


async def test_recomputing_the_chain_without_the_key_does_not_help(db):
    import hashlib

    await _some_history()
    rows = await AuditEntry.select().order_by(AuditEntry.seq)
    forged_prev = journal.GENESIS
    fixes = []
    for row in rows:
        forged = hashlib.sha256((forged_prev + row["after"]).encode()).hexdigest()
        fixes.append(f"UPDATE audit_entry SET prev_hash = '{forged_prev}', hash = '{forged}' WHERE seq = {row['seq']}")
        forged_prev = forged
    await _raw("; ".join(fixes))
    assert {f.kind for f in (await verified()).findings} == {"entry_altered"}


async def test_on_postgresql_the_database_refuses_to_change_the_journal(db):
    if AuditEntry._meta.db.engine_type != "postgres":
        pytest.skip("the append-only trigger is PostgreSQL's (README)")
    await _some_history()
    for statement in ("UPDATE audit_entry SET username = 'mallory'", "DELETE FROM audit_entry"):
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry._meta.db.run_ddl(statement)
    assert (await verified()).ok


async def test_ledger_audit_verify_exits_non_zero_on_tampering(db):
    await _some_history()
    intact = await run_cli("audit", "verify")
    assert intact.returncode == 0 and "完好" in intact.stdout, intact.stdout + intact.stderr
    await _raw("UPDATE audit_entry SET username = 'mallory' WHERE seq = 2")
    broken = await run_cli("audit", "verify")
    assert broken.returncode == 1 and "entry_altered" in broken.stdout and "#2" in broken.stdout


# --- journal values written into a statement (a group's flush and COMMIT in one message) -------

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@pytest.mark.skipif(AuditEntry._meta.db.engine_type != "postgres", reason="the literals are PostgreSQL's")
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), _TEXT,
                                 st.sampled_from(["$j0$", "a$j0$b$j1$", "'; DROP TABLE audit_entry; --", "\\'",
                                                  "$$", "{}", '{"名": "张三"}'])), min_size=1, max_size=8))
async def test_a_journal_value_written_in_as_a_literal_reads_back_as_itself(db, values):
    sql = "SELECT " + ", ".join(f"{{}} AS v{i}" for i in range(len(values)))
    [row] = await AuditEntry.raw(journal.inline(sql, values).replace("{", "{{").replace("}", "}}"))
    assert [row[f"v{i}"] for i in range(len(values))] == values


def test_only_text_integers_and_null_are_written_in():
    for value in (1.5, True, b"x", date(2023, 1, 1)):
        with pytest.raises(TypeError):
            journal.literal(value)
    with pytest.raises(ValueError):
        journal.inline("SELECT {}, {}", [1])
