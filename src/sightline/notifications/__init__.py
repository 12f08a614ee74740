"""Notifications: when an import or an entry brings a new event about a child someone owns (an open
plan, an alert taken on, a recent screening), that person hears of it in their inbox and by email.

Rows here are per-user delivery state, outside the ledger (``ledger/outside.py``); the fact that a
child's event was notified, and to whom, is ledgered on the child (``notify``). docs/notifications.md.
"""
