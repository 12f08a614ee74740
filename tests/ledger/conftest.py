"""Helpers for the ledger tests: running the real CLI, and stepping around the append-only triggers
the way a tamperer with database access would."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from sightline.cli import main

TRIGGERS = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")


@dataclass
class Result:
    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes]) -> Callable[..., Result]:
    """``cli("ledger", "verify")`` runs ``sightline.cli.main`` in-process and captures its output."""

    def run(*argv: str) -> Result:
        capsysbinary.readouterr()
        code = main(list(argv))
        captured = capsysbinary.readouterr()
        return Result(code, captured.out, captured.err.decode("utf-8"))

    return run


@contextmanager
def triggers_bypassed() -> Iterator[Any]:
    """A cursor that can UPDATE, DELETE and INSERT into the ledger tables.

    SQLite: the triggers are dropped and recreated. PostgreSQL: they are disabled, as a superuser
    could. Both are undone at the end (and inside a test transaction, rolled back anyway).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in TRIGGERS.TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            try:
                yield cursor
            finally:
                for table in TRIGGERS.TABLES:
                    for sql in TRIGGERS._sqlite(table):
                        cursor.execute(sql)
        else:
            for table in TRIGGERS.TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                for table in TRIGGERS.TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def insert_row_directly(obj: Any) -> None:
    """INSERT a current-state row with raw SQL, past the ledger's services (whose models refuse a
    plain save), as a tamperer with database access would."""
    fields = obj._meta.concrete_fields
    qn = connection.ops.quote_name
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(obj._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            values,
        )


def empty_ledger_tables() -> None:
    """Let Django's flush (which a transactional test ends with) run over the append-only tables."""
    with triggers_bypassed() as cursor:
        for table in TRIGGERS.TABLES:
            cursor.execute(f"DELETE FROM {table}")


@pytest.fixture
def committed(transactional_db: None) -> Iterator[None]:
    """A database where transactions really commit (threads, processes, after-commit hooks)."""
    yield
    connection.close()  # a connection left in a failed state must not run the cleanup
    empty_ledger_tables()
