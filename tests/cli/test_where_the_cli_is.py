"""Every command says which database it opened; none makes a second, empty ledger by accident."""

from __future__ import annotations

import json

import pytest
from commandline import ledger

from ledger.settings import Settings, get_settings, mask_url

FIGURES = ("figures", "--scope", "all", "--period", "2023")
ON_POSTGRES = not get_settings().is_sqlite


async def test_a_command_run_from_another_folder_names_the_database_it_opened_and_writes_nothing_there(
        db, tmp_path):
    result = await ledger(*FIGURES, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"数据库 / database: {get_settings().database_label}" in result.stderr
    assert json.loads(result.stdout)["scope"] == "all", "stdout carries only the JSON"
    assert list(tmp_path.iterdir()) == []


async def test_a_relative_sqlite_url_is_named_as_an_absolute_path_and_a_missing_database_is_refused_not_made(
        db, tmp_path):
    result = await ledger(*FIGURES, cwd=tmp_path, env={"LEDGER_DATABASE_URL": "sqlite:///var/ledger.sqlite3"})
    where = tmp_path / "var" / "ledger.sqlite3"
    assert result.returncode == 2
    assert f"{where} (SQLite)" in result.stderr and f"no ledger database at {where}" in result.stderr
    assert "ledger migrate" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "var").exists()


async def test_the_default_database_and_key_live_in_the_ledgers_home_wherever_the_command_runs(db, tmp_path):
    home, here, there = tmp_path / "home", tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    env = {"LEDGER_HOME": str(home)}
    unset = ("LEDGER_DATABASE_URL", "LEDGER_KEY_FILE")
    database, key = home / "ledger.sqlite3", home / "secret.key"

    refused = await ledger(*FIGURES, cwd=here, env=env, unset=unset)
    assert refused.returncode == 2 and f"no ledger database at {database}" in refused.stderr
    assert not home.exists() and list(here.iterdir()) == []

    made = await ledger("migrate", cwd=here, env=env, unset=unset)
    assert made.returncode == 0, made.stderr
    assert f"creating a new database: {database}" in made.stderr
    assert f"created the key file: {key}" in made.stderr and "back it up" in made.stderr
    assert database.exists() and key.exists() and list(here.iterdir()) == []

    elsewhere = await ledger(*FIGURES, cwd=there, env=env, unset=unset)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert f"数据库 / database: {database} (SQLite)" in elsewhere.stderr
    assert "creating" not in elsewhere.stderr and list(there.iterdir()) == []
    assert (await ledger("user", "create", "home-admin", "--role", "admin", "--password", "a-long-password",
                         cwd=there, env=env, unset=unset)).returncode == 0

    the_key = key.read_bytes()
    key.unlink()
    no_key = await ledger("user", "list", cwd=there, env=env, unset=unset)
    assert no_key.returncode == 2 and f"no key file at {key}" in no_key.stderr and "LEDGER_KEY_FILE" in no_key.stderr
    assert not key.exists(), "a second key would make the ledger's ID numbers unreadable"
    not_again = await ledger("migrate", cwd=there, env=env, unset=unset)
    assert not_again.returncode == 2 and "journal entries" in not_again.stderr and not key.exists()

    key.write_bytes(the_key)
    assert (await ledger("user", "list", cwd=there, env=env, unset=unset)).returncode == 0


async def test_a_key_in_the_old_default_folder_is_pointed_out_when_none_is_where_the_command_looked(db, tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret.key").write_text("an old key")
    result = await ledger(*FIGURES, cwd=tmp_path, env={"LEDGER_KEY_FILE": str(tmp_path / "elsewhere.key")})
    assert result.returncode == 2
    assert f"LEDGER_KEY_FILE={tmp_path / 'var' / 'secret.key'}" in result.stderr
    assert not (tmp_path / "elsewhere.key").exists()


def test_a_servers_password_is_masked_wherever_it_is_written():
    assert mask_url("postgresql://ledger:s3cret@db.example:5432/ledger") == "postgresql://ledger:***@db.example:5432/ledger"
    assert mask_url("postgresql://ledger:a@b@db:5432/x") == "postgresql://ledger:***@db:5432/x"
    assert mask_url("postgresql://db:5432/x?user=u&password=s3cret") == "postgresql://db:5432/x?user=u&password=***"
    assert mask_url("postgresql://postgres@127.0.0.1:55432/x") == "postgresql://postgres@127.0.0.1:55432/x"
    label = Settings(database_url="postgresql://ledger:s3cret@db:5432/ledger").database_label
    assert "s3cret" not in label and label.endswith("(PostgreSQL)")


async def test_a_database_server_that_cannot_be_reached_is_one_clear_line_without_the_password(db, tmp_path):
    result = await ledger(*FIGURES, cwd=tmp_path,
                          env={"LEDGER_DATABASE_URL": "postgresql://ledger:s3cret@127.0.0.1:1/nowhere"})
    assert result.returncode == 2
    assert "无法打开数据库 / cannot open the database postgresql://ledger:***@127.0.0.1:1/nowhere" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout and "Traceback" not in result.stderr
    assert "Unable to connect" not in result.stderr, "Piccolo's coloured warning is not repeated"


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL server to ask for a database it does not have")
async def test_a_postgres_database_that_does_not_exist_is_refused_by_name_and_not_made(db, tmp_path):
    missing = get_settings().database_url.rsplit("/", 1)[0] + "/ledger_cli_no_such_database"
    result = await ledger(*FIGURES, cwd=tmp_path, env={"LEDGER_DATABASE_URL": missing})
    assert result.returncode == 2 and "ledger_cli_no_such_database" in result.stderr
    assert "无法打开数据库" in result.stderr and "Traceback" not in result.stderr


def test_by_default_the_database_and_key_file_are_in_the_users_data_folder_not_the_current_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_DATABASE_URL")
    monkeypatch.delenv("LEDGER_KEY_FILE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("LEDGER_HOME", raising=False)
    settings = Settings()
    assert settings.sqlite_path == tmp_path / "xdg" / "gongfu-ledger" / "ledger.sqlite3"
    assert settings.key_file == tmp_path / "xdg" / "gongfu-ledger" / "secret.key"


@pytest.mark.parametrize("variable, value, named", [
    ("LEDGER_DB_POOL", "maybe", "LEDGER_DB_POOL: 取值无效 / invalid"),
    ("LEDGER_DATABASE_URL", "mysql://ledger:s3cret@db/ledger", "LEDGER_DATABASE_URL: 数据库地址须为"),
])
async def test_a_wrong_setting_is_named_in_chinese_and_english_and_exits_2_without_a_traceback(tmp_path, variable,
                                                                                               value, named):
    result = await ledger("figures", "--scope", "all", "--period", "2023", cwd=tmp_path, env={variable: value})
    assert result.returncode == 2
    assert "环境变量设置有误" in result.stderr and named in result.stderr
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
