"""The ledger: an append-only, hash-chained RFC 9162 Merkle log of every change and every read."""
