"""The seal format: Merkle roots, inclusion proofs and what verification names."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core import seal

COLUMNS = ["月份", "工坊编码", "人员标识", "类别", "金额(元)", "出勤天数"]
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def sheet(n: int) -> list[list[str]]:
    return sorted([["2023-03", f"YK-0{i % 3 + 1}", f"{i:064x}", "工资", f"{2800 + i}.00", "22"] for i in range(n)])


def sealed(rows):
    return seal.sign(seal.sheet_payload(COLUMNS, rows, group_by=["工坊编码", "月份"], sum_column="金额(元)",
                                        kind="records"), KEY)


@settings(deadline=None, max_examples=60)
@given(n=st.integers(1, 40), data=st.data())
def test_every_row_has_an_inclusion_proof_and_a_forged_row_has_none(n, data):
    rows = sheet(n)
    document = sealed(rows)
    index = data.draw(st.integers(0, n - 1))
    proof = seal.inclusion_proof(document, rows, index)
    assert seal.verify_proof(document, proof) == []
    forged = {**proof, "row": [*proof["row"][:4], "9999.00", proof["row"][5]]}
    assert [f.code for f in seal.verify_proof(document, forged)] == ["not_included"]


def test_an_unchanged_sheet_verifies_and_each_kind_of_change_is_named():
    rows = sheet(9)
    document = sealed(rows)
    assert seal.verify_signature(document) == []
    assert seal.verify_sheet(document, COLUMNS, rows) == []
    one_fen = [r[:] for r in rows]
    one_fen[4][4] = f"{float(one_fen[4][4]) + 0.01:.2f}"
    assert [f.code for f in seal.verify_sheet(document, COLUMNS, one_fen)] == ["group_total"]
    assert [f.code for f in seal.verify_sheet(document, COLUMNS, rows[:-1])] == ["row_count", "group_rows"]
    swapped = [rows[1], rows[0], *rows[2:]]
    assert [f.code for f in seal.verify_sheet(document, COLUMNS, swapped)] == ["order"]
    days = [r[:] for r in rows]
    days[2][5] = "21"
    assert [f.code for f in seal.verify_sheet(document, COLUMNS, days)] == ["content"]


def test_a_payload_changed_after_signing_fails_its_signature():
    document = sealed(sheet(3))
    document["payload"]["row_count"] = 4
    assert [f.code for f in seal.verify_signature(document)] == ["signature"]


def test_a_seal_checked_against_another_key_is_refused():
    other = Ed25519PrivateKey.generate().public_key()
    assert "other_key" in [f.code for f in seal.verify_signature(sealed(sheet(2)), other)]
