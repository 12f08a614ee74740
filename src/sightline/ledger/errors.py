"""What the ledger raises."""

from __future__ import annotations


class LedgerError(Exception):
    pass


class StaleVersionError(Exception):
    """Someone else changed the object since it was read; the caller must reload and retry."""


class DirectWriteError(LedgerError):
    """A ledgered row was to be written or removed outside the ledger's services."""
