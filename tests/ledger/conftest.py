"""Fixtures for the ledger tests: running the real CLI, and a database whose transactions commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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


@pytest.fixture
def committed(transactional_db: None) -> Iterator[None]:
    """A database where transactions really commit (threads, processes, after-commit hooks)."""
    yield
    connection.close()  # a connection left in a failed state must not run the cleanup
    empty_ledger_tables()
