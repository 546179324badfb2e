"""``LEDGER_READ_DATABASE_URL`` names a PostgreSQL replica, and only of a PostgreSQL primary."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ledger.settings import Settings

PRIMARY = "postgresql://ledger@db:5432/ledger"


def test_empty_reads_the_primary_and_a_replica_url_is_kept():
    assert Settings(database_url=PRIMARY).read_database_url == ""
    replica = "postgresql://ledger@replica:5432/ledger"
    assert Settings(database_url=PRIMARY, read_database_url=f" {replica} ").read_database_url == replica


@pytest.mark.parametrize(("primary", "replica", "words"), [
    (PRIMARY, "mysql://ledger@replica/ledger", "postgresql://"),
    (PRIMARY, "sqlite:////tmp/copy.sqlite3", "postgresql://"),
    ("sqlite:////tmp/ledger.sqlite3", "postgresql://ledger@replica:5432/ledger", "SQLite"),
])
def test_a_replica_that_cannot_be_one_is_refused_with_the_reason(primary, replica, words):
    with pytest.raises(ValidationError) as exc:
        Settings(database_url=primary, read_database_url=replica)
    assert "LEDGER_READ_DATABASE_URL" in str(exc.value) and words in str(exc.value)
