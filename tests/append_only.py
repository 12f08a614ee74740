"""Stepping around the ledger's append-only triggers: as a tamperer with database access would (the
tamper tests), and to empty the ledger tables after a test whose transactions really commit."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

TRIGGERS = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")
SUBTREES = importlib.import_module("sightline.ledger.migrations.0005_subtree")
TABLES = [*TRIGGERS.TABLES, *SUBTREES.TABLES]


@contextmanager
def triggers_bypassed() -> Iterator[Any]:
    """A cursor that can UPDATE, DELETE and INSERT into the ledger tables.

    SQLite: the triggers are dropped and recreated. PostgreSQL: they are disabled, as a superuser
    could. Both are undone at the end (and inside a test transaction, rolled back anyway).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            try:
                yield cursor
            finally:
                for table in TABLES:
                    for sql in TRIGGERS._sqlite(table):
                        cursor.execute(sql)
        else:
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def empty_ledger_tables() -> None:
    """Let Django's flush (which a transactional test ends with) run over the append-only tables."""
    with triggers_bypassed() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
