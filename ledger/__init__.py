"""共富工坊 ledger: records who was hired where and what they earned, computes the official
figures by written definitions, and reconciles published claims against the records."""

__version__ = "0.1.0"
