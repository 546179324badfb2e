"""Reproducible audit samples (ISA 530 style): which pay records an inspector checks on site.

Anyone holding the seed and the (signed-off) records re-draws the same sample, with this
module or by hand: no generator state, no engine, no order of rows matters.

* Every record gets a key: the first 8 bytes of SHA-256 of ``"<seed>|<pay id>"``, read as a
  big-endian integer (a uniform number in [0, 2⁶⁴)).
* ``random`` (simple random sampling without replacement): the ``size`` records with the
  smallest keys (ties by pay id).
* ``stratified`` (by workshop): ``size`` shared among the workshops in proportion to their
  record counts — each gets the whole part of its share, the rest go one by one to the
  largest remainders (ties by workshop code) — then each workshop's smallest keys.
* ``mus`` (monetary-unit sampling, systematic, probability proportional to amount): the
  records with pay > 0 in pay-id order laid end to end in fen; interval J = total ÷ size
  (an exact fraction); start s = J × key("<seed>|start") ÷ 2⁶⁴; a record is drawn when one
  of the points s, s + J, …, s + (size − 1)·J falls in it. A record of amount a ≤ J is drawn
  with probability a ÷ J exactly; one above J is drawn for sure (and may hold several
  points, so a MUS sample can have fewer than ``size`` distinct records).

The population is fingerprinted (SHA-256 over its ``pay id:fen`` lines in pay-id order) so a
re-draw also shows whether the records it was drawn from are still the same.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

KEY_SPACE = 2**64
MAX_SEED_LENGTH = 64


class SampleMethod(StrEnum):
    random = "random"
    stratified = "stratified"
    mus = "mus"

    @property
    def label(self) -> str:
        return {"random": "简单随机抽样", "stratified": "按工坊分层抽样", "mus": "货币单位抽样"}[self.value]


@dataclass(frozen=True)
class Unit:
    """A pay record that can be drawn."""

    pay_id: int
    workshop: str
    month: str
    amount_fen: int


@dataclass(frozen=True)
class Sample:
    seed: str
    method: SampleMethod
    size: int
    records: tuple[Unit, ...]
    population_count: int
    population_total_fen: int
    population_digest: str


def key(seed: str, label: str | int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{label}".encode()).digest()[:8], "big")


def digest(population: Iterable[Unit]) -> str:
    lines = "".join(f"{u.pay_id}:{u.amount_fen}\n" for u in sorted(population, key=lambda u: u.pay_id))
    return hashlib.sha256(lines.encode()).hexdigest()


def _smallest_keys(units: Sequence[Unit], n: int, seed: str) -> list[Unit]:
    return sorted(units, key=lambda u: (key(seed, u.pay_id), u.pay_id))[:n]


def allocate(counts: dict[str, int], size: int) -> dict[str, int]:
    """Proportional allocation by largest remainders (Hamilton), never above a stratum's count."""
    total = sum(counts.values())
    if size >= total:
        return dict(counts)
    shares = {s: Fraction(size * n, total) for s, n in counts.items()}
    quota = {s: int(q) for s, q in shares.items()}
    left = size - sum(quota.values())
    for s in sorted(counts, key=lambda s: (-(shares[s] - quota[s]), s))[:left]:
        quota[s] += 1
    return quota


def monetary_units(units: Sequence[Unit], size: int, seed: str) -> list[Unit]:
    ordered = sorted((u for u in units if u.amount_fen > 0), key=lambda u: u.pay_id)
    total = sum(u.amount_fen for u in ordered)
    if not ordered or size <= 0:
        return []
    interval = Fraction(total, size)
    point = interval * Fraction(key(seed, "start"), KEY_SPACE)
    drawn, end = [], 0
    for unit in ordered:
        end += unit.amount_fen
        hit = False
        while point < end:
            hit = True
            point += interval
        if hit:
            drawn.append(unit)
    return drawn


def draw(population: Iterable[Unit], method: SampleMethod | str, size: int, seed: str) -> Sample:
    units = sorted(population, key=lambda u: u.pay_id)
    method = SampleMethod(method)
    if method is SampleMethod.random:
        chosen = _smallest_keys(units, size, seed)
    elif method is SampleMethod.stratified:
        strata: dict[str, list[Unit]] = defaultdict(list)
        for u in units:
            strata[u.workshop].append(u)
        quota = allocate({s: len(us) for s, us in strata.items()}, size)
        chosen = [u for s, us in strata.items() for u in _smallest_keys(us, quota[s], seed)]
    else:
        chosen = monetary_units(units, size, seed)
    records = tuple(sorted(chosen, key=lambda u: (u.workshop, u.month, u.pay_id)))
    return Sample(seed, method, size, records, len(units), sum(u.amount_fen for u in units), digest(units))


def check_seed(seed: str) -> bool:
    """A seed is 1–64 printable ASCII characters without '|' (it is hashed as text)."""
    return 0 < len(seed) <= MAX_SEED_LENGTH and all(33 <= ord(c) < 127 and c != "|" for c in seed)
