"""Sightline: multi-agency safeguarding on a tamper-evident ledger."""
