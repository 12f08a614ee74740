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

from collections.abc import Callable, Iterator
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
        self.head: Head | None = None  # None: read it from the database (after a flush)
        self._moved = False
        self._subtrees: list[tuple[int, int, bytes]] = []
        self._flushing = False

    def submit(self, job: Job, new: Head) -> None:
        """Run ``job`` after every job before it; ``new`` is the head once it has run."""
        self._raise_failed()
        raw = self._raw
        self._pending.append(self._pool.submit(job, raw))
        self.head = new
        self._moved = True
        self._subtrees.extend(new.subtrees)

    def flush(self) -> None:
        """Wait until every job has run and the head is stored; raise the first job's error."""
        if self._flushing:
            return
        self._flushing = True
        try:
            if self._moved and self.head is not None:
                self._pending.append(self._pool.submit(_store_head, self._raw, self.head, self._subtrees))
            self._wait()
        finally:
            self.head, self._moved, self._subtrees = None, False, []
            self._flushing = False

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
    try:
        with connection.execute_wrapper(overlap.before_statement):
            yield
            overlap.flush()
    except BaseException:
        overlap.close()
        raise
    finally:
        _current.reset(token)
        overlap.close()
