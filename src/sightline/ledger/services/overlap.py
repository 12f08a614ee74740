"""Overlapped bulk writes on PostgreSQL: the server stores one batch while Python encodes the next.

An import spends about as long in Python (reading, checking, encoding entries) as PostgreSQL spends
storing what it sends, and each waited for the other. Inside :func:`overlapped`, ``bulk_create``
encodes a batch and hands its ``COPY`` statements to one writer thread on the same connection and
transaction, then returns; the head of the tree is carried forward in memory and written once, when
the block ends or before any other statement.

What keeps this the same transaction with the same order:

* one writer thread, so batches reach the server in the order they were encoded;
* every statement the caller's thread runs through Django first waits until the writer is idle and
  the head is stored (a Django ``execute_wrapper``), so nothing reads a half-written state;
* a failed batch's error is raised in the caller's thread, as Django's error, at the next write,
  statement or the end of the block, and the transaction is then rolled back as usual. Batches
  inside the block take no savepoint of their own: a failure aborts the caller's transaction.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection
from django.utils import timezone

from sightline.ledger.services.sequencer import SET_HEAD, SUBTREES_SOURCE, Head, in_transaction

Job = Callable[[Any], None]  # given the psycopg connection


class Overlap:
    """The writer thread of one :func:`overlapped` block, and the head it has carried forward."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self._raw = connection.connection
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sightline-bulk-writer")
        self._pending: list[Future[None]] = []
        # The head after the jobs handed over, until stored; None: the database's head is current.
        self.head: Head | None = None
        self._subtrees: list[tuple[int, int, bytes]] = []

    def submit(self, job: Job, new: Head | None = None) -> None:
        """Run ``job`` after every job before it; ``new`` is the head once it has run (None: the
        job writes no entries)."""
        self._raise_failed()
        self._pending.append(self._pool.submit(job, self._raw))
        if new is not None:
            self.head = new
            self._subtrees.extend(new.subtrees)

    def flush(self) -> None:
        """Wait until every job has run and the head is stored; raise the first job's error."""
        try:
            if self.head is not None:
                self._pending.append(self._pool.submit(_store_head, self._raw, self.head, self._subtrees))
            self._wait()
        finally:
            self.head, self._subtrees = None, []

    def close(self) -> None:
        """Let the writer finish (errors dropped: the caller's own error is being raised)."""
        for future in self._pending:
            future.exception()
        self._pending = []
        self._pool.shutdown(wait=True)

    def _raise_failed(self) -> None:
        if any(f.done() and f.exception() is not None for f in self._pending):
            self._wait()

    def _wait(self) -> None:
        futures, self._pending = self._pending, []
        error: BaseException | None = None
        for future in futures:
            failed = future.exception()
            error = error or failed
        if error is not None:
            with connection.wrap_database_errors:
                raise error

    def before_statement(self, execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
        self.flush()
        return execute(sql, params, many, context)


def _store_head(raw: Any, head: Head, subtrees: list[tuple[int, int, bytes]]) -> None:
    with raw.cursor() as cur:
        cur.execute(
            f"{SET_HEAD} WHERE id = 1",
            [head.size, head.root, head.frontier, head.last_leaf_hash, timezone.now()],
        )
        if subtrees:
            cur.execute(
                f"INSERT INTO ledger_subtree (level, number, hash) {SUBTREES_SOURCE}",
                [list(c) for c in zip(*subtrees)],
            )


def copy_in(cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Stream ``rows`` through ``COPY ... FROM STDIN`` on a psycopg cursor."""
    with cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def copy_rows(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """``COPY ... FROM STDIN`` of ``rows`` in the caller's transaction (PostgreSQL), for the tables
    write hooks keep beside the ledgered ones: handed to the writer inside :func:`overlapped`, in
    order with the batches before it, else run now. A hook must not send COPY itself: psycopg would
    mix it with the writer's."""

    def job(raw: Any) -> None:
        with raw.cursor() as cur:
            copy_in(cur, sql, rows)

    ahead = _current.get()
    if ahead is not None:
        ahead.submit(job)
        return
    connection.ensure_connection()
    with connection.wrap_database_errors:
        job(connection.connection)


# The writer needs the GIL for a moment after each block it sends. At Python's default switch
# interval (5 ms) it waited that long behind the encoding thread each time while the server, its
# socket buffers drained, sat idle: an import then waited 0.7 s for the writer, at 1 ms 0.4 s
# (docs/performance.md).
SWITCH_INTERVAL = 0.001
_switching = threading.Lock()
_switch_users = 0
_switch_before = 0.0


def _switch_often(on: bool) -> None:
    """Shorten the interpreter's thread switch interval while any overlapped block is open."""
    global _switch_users, _switch_before
    with _switching:
        if on:
            if _switch_users == 0:
                _switch_before = sys.getswitchinterval()
                sys.setswitchinterval(min(SWITCH_INTERVAL, _switch_before))
            _switch_users += 1
        else:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_before)


_current: ContextVar[Overlap | None] = ContextVar("sightline_bulk_overlap", default=None)


def current() -> Overlap | None:
    """The open block's writer, if bulk writes are being overlapped here."""
    return _current.get()


@contextmanager
def overlapped() -> Iterator[None]:
    """Overlap the bulk creates inside the block with their storing (PostgreSQL, inside a
    transaction; elsewhere the block changes nothing)."""
    if connection.vendor != "postgresql" or not in_transaction() or _current.get() is not None:
        yield
        return
    overlap = Overlap()
    token = _current.set(overlap)
    _switch_often(True)
    try:
        with connection.execute_wrapper(overlap.before_statement):
            yield
            overlap.flush()
    finally:
        # On an error too the writer finishes first: the caller's rollback must not cross it.
        overlap.close()
        _switch_often(False)
        _current.reset(token)
