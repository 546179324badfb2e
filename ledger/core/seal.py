"""Period seals: a signed Merkle root over a signed-off period's rows, checkable by anyone.

This module is the whole of the seal format and its verification, and it needs nothing but
the standard library and ``cryptography``: an outsider copies this one file and runs

    python seal.py verify SEAL.json EXPORT.csv        # or EXPORT.xlsx, or PROOF.json
    python seal.py verify SEAL.json EXPORT.csv --public-key KEY.pem

(exit 0 when everything matches; 1, naming each thing that does not). The ledger's own
``ledger seal verify`` calls the same functions.

The format (``ledger-seal/1``)
------------------------------
* A sealed **sheet** has a header row (``payload.columns``) and rows in a fixed order
  (``payload.order``: sorted by those columns' text). Each value is text as written in the
  sheet: money as yuan with two decimals (``2800.00``), months ``YYYY-MM``, a person as the
  ledger's keyed hash of their ID number (it names one person across rows and seals, and
  reveals no number without the installation's key).
* A row's **leaf** is SHA-256(0x00 ‖ UTF-8 of its values joined by U+001F); an inner node is
  SHA-256(0x01 ‖ left ‖ right); the tree over n leaves splits at the largest power of two
  below n (RFC 6962's Merkle Tree Hash). ``merkle_root`` is the root of all rows in order.
* ``groups`` hold, per value of ``group_by`` columns (a workshop and month, say), the number
  of rows and the sum of ``sum_column``: when a root does not match, they name where.
* The payload (with the figures at sealing time and the journal head) is serialised as JSON
  with sorted keys, no spaces, UTF-8, and signed with the installation's Ed25519 key. The
  seal file is ``{"payload", "signature" (base64), "public_key" (base64 raw), "key_id"}``.
* An **inclusion proof** is ``{"format": "ledger-proof/1", "root", "tree_size", "index",
  "row", "path"}``: the row's values and the sibling hashes from its leaf up to the root
  (RFC 6962 audit path), so one row can be shown to be in a seal without the others.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "ledger-seal/1"
PROOF_FORMAT = "ledger-proof/1"
SEPARATOR = "\x1f"
"""Joins a row's values: a control character, which no stored text may hold."""


# --- the tree ------------------------------------------------------------------------------------

def leaf_hash(row: Sequence[str]) -> bytes:
    return hashlib.sha256(b"\x00" + SEPARATOR.join(row).encode("utf-8")).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash; the empty tree is SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(tree_root(leaves[:k]), tree_root(leaves[k:]))


def audit_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The sibling hashes from leaf ``index`` up to the root (RFC 6962 §2.1.1)."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*audit_path(leaves[:k], index), tree_root(leaves[k:])]
    return [*audit_path(leaves[k:], index - k), tree_root(leaves[:k])]


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root a leaf and its audit path lead to (None if the path has the wrong length)."""
    if size <= 1:
        return leaf if not path else None
    if not path:
        return None
    k = _split(size)
    *below, sibling = path
    if index < k:
        inner = root_from_path(leaf, index, k, below)
        return None if inner is None else _node(inner, sibling)
    inner = root_from_path(leaf, index - k, size - k, below)
    return None if inner is None else _node(sibling, inner)


# --- sealing -------------------------------------------------------------------------------------

def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def money_text(value: Any) -> str:
    """Yuan with two decimals, from text or a spreadsheet number (exact to the fen)."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return str(value)
    return str(amount.quantize(Decimal("0.01")))


def group_summaries(rows: Sequence[Sequence[str]], columns: Sequence[str], group_by: Sequence[str],
                    sum_column: str | None) -> list[dict[str, Any]]:
    keys = [columns.index(c) for c in group_by]
    total_at = columns.index(sum_column) if sum_column else None
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = " ".join(row[i] for i in keys)
        group = groups.setdefault(key, {"key": key, "rows": 0, "total": Decimal(0)})
        group["rows"] += 1
        if total_at is not None:
            try:
                group["total"] += Decimal(row[total_at])
            except InvalidOperation:
                pass
    return [{"key": g["key"], "rows": g["rows"], "total": str(g["total"])} for g in groups.values()]


def sheet_payload(columns: Sequence[str], rows: Sequence[Sequence[str]], *, group_by: Sequence[str] = (),
                  sum_column: str | None = None, **facts: Any) -> dict[str, Any]:
    """What is signed for a sheet of rows: its shape, root and group summaries, and ``facts``
    (kind, scope, period, figures, journal head, who and when, the seal superseded)."""
    return {
        "format": FORMAT, **facts,
        "columns": list(columns), "order": "rows sorted by the text of every column, left to right",
        "row_count": len(rows), "merkle_root": tree_root([leaf_hash(r) for r in rows]).hex(),
        "group_by": list(group_by), "sum_column": sum_column,
        "groups": group_summaries(rows, columns, group_by, sum_column),
    }


def sign(payload: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"payload": payload, "signature": base64.b64encode(key.sign(canonical_json(payload))).decode(),
            "public_key": base64.b64encode(public).decode(), "key_id": key_id(public)}


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def inclusion_proof(seal: dict[str, Any], rows: Sequence[Sequence[str]], index: int) -> dict[str, Any]:
    leaves = [leaf_hash(r) for r in rows]
    return {"format": PROOF_FORMAT, "root": seal["payload"]["merkle_root"], "tree_size": len(leaves),
            "index": index, "row": list(rows[index]), "path": [h.hex() for h in audit_path(leaves, index)]}


# --- verifying -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One thing that does not match, in Chinese and English."""

    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def verify_signature(seal: dict[str, Any], public_key: Ed25519PublicKey | None = None) -> list[Finding]:
    try:
        embedded = Ed25519PublicKey.from_public_bytes(base64.b64decode(seal["public_key"]))
        signature = base64.b64decode(seal["signature"])
        payload = seal["payload"]
    except (KeyError, ValueError, TypeError):
        return [Finding("malformed", "封存文件格式不正确", "the seal file is malformed")]
    findings = []
    key = public_key or embedded
    if public_key is not None and public_raw(public_key) != public_raw(embedded):
        findings.append(Finding("other_key", "封存文件不是用所给公钥签名的", "the seal names another key than the one given"))
    try:
        key.verify(signature, canonical_json(payload))
    except InvalidSignature:
        findings.append(Finding("signature", "签名无效：封存内容被改动或不是本台账签发",
                                "the signature does not match: the seal was altered or not issued by this key"))
    return findings


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_sheet(seal: dict[str, Any], header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Finding]:
    """Check a sheet of rows against a seal's payload; name every difference found."""
    payload = seal["payload"]
    columns = payload["columns"]
    if list(header) != list(columns):
        return [Finding("columns", f"表头与封存不符：应为 {', '.join(columns)}",
                        f"the header differs from the sealed one: expected {', '.join(columns)}")]
    findings = []
    if len(rows) != payload["row_count"]:
        findings.append(Finding("row_count", f"行数 {len(rows)} 与封存的 {payload['row_count']} 不符",
                                f"{len(rows)} rows where {payload['row_count']} were sealed"))
    if tree_root([leaf_hash(r) for r in rows]).hex() == payload["merkle_root"]:
        return findings
    sealed = {g["key"]: g for g in payload.get("groups", [])}
    found = {g["key"]: g for g in group_summaries(rows, columns, payload.get("group_by", []), payload.get("sum_column"))}
    for key in sorted(set(sealed) | set(found)):
        a, b = sealed.get(key), found.get(key)
        if a is None or b is None:
            which = key or "（全部）"
            findings.append(Finding("group", f"{which}：{'封存中没有这一组' if a is None else '表中缺少这一组'}",
                                    f"{which}: {'not in the seal' if a is None else 'missing from the sheet'}"))
        elif a["rows"] != b["rows"]:
            findings.append(Finding("group_rows", f"{key}：{b['rows']} 行，封存为 {a['rows']} 行",
                                    f"{key}: {b['rows']} rows where {a['rows']} were sealed"))
        elif a["total"] != b["total"]:
            findings.append(Finding("group_total", f"{key}：合计 {b['total']}，封存为 {a['total']}",
                                    f"{key}: total {b['total']} where {a['total']} was sealed"))
    out_of_order = next((i for i in range(1, len(rows)) if list(rows[i - 1]) > list(rows[i])), None)
    if out_of_order is not None:
        findings.append(Finding("order", f"第 {out_of_order + 2} 行顺序与封存不符（应按各列排序）",
                                f"row {out_of_order + 2} is out of the sealed order (sorted by every column)"))
    if not findings or all(f.code == "row_count" for f in findings):
        findings.append(Finding("content", "有行的内容与封存不符（合计与行数相同，内容不同）",
                                "a row's content differs from the sealed rows (same counts and totals)"))
    return findings


def verify_proof(seal: dict[str, Any], proof: dict[str, Any]) -> list[Finding]:
    payload = seal["payload"]
    try:
        row = [str(v) for v in proof["row"]]
        path = [bytes.fromhex(h) for h in proof["path"]]
        index, size = int(proof["index"]), int(proof["tree_size"])
    except (KeyError, ValueError, TypeError):
        return [Finding("malformed", "证明文件格式不正确", "the proof file is malformed")]
    if size != payload["row_count"] or proof.get("root") != payload["merkle_root"]:
        return [Finding("other_seal", "证明不属于这份封存", "the proof belongs to another seal")]
    if not 0 <= index < size or root_from_path(leaf_hash(row), index, size, path) != bytes.fromhex(payload["merkle_root"]):
        return [Finding("not_included", f"第 {index + 1} 行不在封存中（或被改动）",
                        f"row {index + 1} is not in the seal (or was altered)")]
    return []


# --- reading an export ---------------------------------------------------------------------------

def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (UTF-8, BOM or not) or XLSX export, every value as text."""
    data = path.read_bytes()
    if data.startswith(b"PK"):
        table = _xlsx_rows(data)
    else:
        table = [row for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) if row]
    if not table:
        return [], []
    header = [h.strip() for h in table[0]]
    money_at = [i for i, h in enumerate(header) if h.startswith("金额") or h.endswith("(元)") or h.endswith("（元）")]
    rows = []
    for raw in table[1:]:
        row = [str(v) for v in raw] + [""] * (len(header) - len(raw))
        rows.append([money_text(v) if i in money_at and v != "" else v for i, v in enumerate(row[:len(header)])])
    return header, rows


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet of a workbook, by the standard library alone (shared and inline strings,
    numbers), so the verifier needs nothing but ``cryptography``."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        strings = []
        if "xl/sharedStrings.xml" in names:
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _NS):
                strings.append("".join(t.text or "" for t in item.iter(f"{{{_NS['m']}}}t")))
        sheet = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[0]
        table = []
        for row in ElementTree.fromstring(book.read(sheet)).iter(f"{{{_NS['m']}}}row"):
            values: dict[int, str] = {}
            for cell in row.findall("m:c", _NS):
                column = _column_index(cell.get("r", "A1"))
                kind = cell.get("t")
                if kind == "inlineStr":
                    values[column] = "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t"))
                    continue
                raw = cell.findtext("m:v", default="", namespaces=_NS)
                values[column] = strings[int(raw)] if kind == "s" else _number_text(raw) if kind in (None, "n") else raw
            table.append([values.get(i, "") for i in range(max(values) + 1)] if values else [])
        return [r for r in table if any(r)]


def _column_index(ref: str) -> int:
    letters = "".join(ch for ch in ref if ch.isalpha())
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch.upper()) - 64
    return index - 1


def _number_text(raw: str) -> str:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return raw
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def verify_files(seal_path: Path, export_path: Path, public_key_path: Path | None = None) -> list[Finding]:
    """Everything ``verify`` checks: the signature, then the sheet or the inclusion proof. A file
    that cannot be read is a finding too, never a traceback."""
    try:
        seal = json.loads(seal_path.read_text(encoding="utf-8"))
        key = None
        if public_key_path is not None:
            loaded = serialization.load_pem_public_key(public_key_path.read_bytes())
            if not isinstance(loaded, Ed25519PublicKey):
                return [Finding("key", "所给公钥不是 Ed25519 公钥", "the public key given is not an Ed25519 key")]
            key = loaded
        findings = verify_signature(seal if isinstance(seal, dict) else {}, key)
        if findings:
            return findings
        if export_path.suffix.lower() == ".json":
            proof = json.loads(export_path.read_text(encoding="utf-8"))
            return verify_proof(seal, proof if isinstance(proof, dict) else {})
        header, rows = read_rows(export_path)
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile, ElementTree.ParseError, IndexError) as exc:
        return [Finding("unreadable", f"无法读取文件：{exc}", f"a file cannot be read: {exc}")]
    return verify_sheet(seal, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="seal.py", description="核对台账封存 / verify a ledger seal")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("verify", help="核对导出表或包含证明 / check an export or an inclusion proof")
    check.add_argument("seal", type=Path)
    check.add_argument("export", type=Path, help="CSV, XLSX or PROOF.json")
    check.add_argument("--public-key", type=Path, help="公布的公钥（PEM）/ the published public key (PEM)")
    args = parser.parse_args(argv)
    findings = verify_files(args.seal, args.export, args.public_key)
    for finding in findings:
        print(finding)
    if not findings:
        print("一致：签名有效，内容与封存相符 / matches: the signature is valid and the content is the sealed one")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
