"""Current-state tables of this domain (caches of the ledger; write through services)."""
