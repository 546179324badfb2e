"""The pure core: money, metric definitions, claim parsing and reconciliation.

Nothing in this package imports Piccolo or Litestar; it works on plain values
(frozen dataclasses, Decimal, int) and returns findings as values.
"""
