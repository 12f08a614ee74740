"""Fixtures for the ledger tests: running the real CLI, and a database whose transactions commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from sightline.cli import main
from tests.append_only import empty_ledger_tables


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


@pytest.fixture
def committed(transactional_db: None) -> Iterator[None]:
    """A database where transactions really commit (threads, processes, after-commit hooks)."""
    yield
    connection.close()  # a connection left in a failed state must not run the cleanup
    empty_ledger_tables()
