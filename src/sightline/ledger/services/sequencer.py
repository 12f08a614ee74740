"""The sequencer: gives queued entries gapless indexes, chains and hashes them, and moves the tree head.

Sequencing follows Trillian and Tessera (docs/decisions/0001-ledger-sequencing.md). On PostgreSQL a
writer's transaction only appends to a queue (``ledger_pending``), so writers commit in parallel and
share WAL flushes. After commit, an integrator takes the integrator lock (an advisory lock), gives
the queued entries gapless indexes in one batch, chains and hashes them, and advances the compact
range. A writer that finds the lock busy leaves its entry to the integrator holding it, which looks
at the queue again after it lets go; a single write that finds it free sequences in its own
transaction instead (one commit, not two). On SQLite the database admits one writer at a time
anyway, so entries are always sequenced inside the writer's own transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sightline.ledger import merkle
from sightline.ledger.errors import LedgerError
from sightline.ledger.models import SUBTREE_MIN_LEVEL
from sightline.ledger.services.entries import entry_bytes

INTEGRATE_BATCH = 20_000

# Any fixed number: the PostgreSQL advisory lock that admits one integrator at a time.
LOCK_KEY = 0x51_6C_6467

# Set while this process runs a background integrator: its writers then only queue their entries
# (PostgreSQL), one round trip and no lock each, and leave sequencing to it, as Trillian's
# frontends leave it to the sequencer.
background_sequencing = threading.Event()

_sha256 = hashlib.sha256


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    frontier: bytes
    last_leaf_hash: bytes
    # The subtrees (level, number, hash) that the entries moving the head here completed: written
    # with them (ledger_subtree).
    subtrees: tuple[tuple[int, int, bytes], ...] = ()


def db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def driver() -> Any:
    """The database's DB-API module, psycopg on PostgreSQL: taken from Django's backend, so that
    SQLite deployments never import it."""
    return connection.Database  # type: ignore[attr-defined]


def in_transaction() -> bool:
    """Inside a transaction (an atomic block, or autocommit turned off)."""
    return not transaction.get_autocommit()


def read_head() -> Head:
    """The committed tree head, created empty on first use. Callers that extend the tree must hold
    the integrator lock (PostgreSQL) or be inside a write transaction (SQLite's single writer)."""
    with connection.cursor() as cur:
        for _attempt in range(2):
            cur.execute("SELECT size, root, frontier, last_leaf_hash FROM ledger_treehead WHERE id = 1")
            row = cur.fetchone()
            if row is not None:
                return Head(int(row[0]), bytes(row[1]), bytes(row[2]), bytes(row[3]))
            empty = merkle.CompactRange()
            # ON CONFLICT: two first writers may race to create the row.
            cur.execute(
                "INSERT INTO ledger_treehead (id, size, root, frontier, last_leaf_hash, updated_at) "
                "VALUES (1, 0, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                [empty.root(), empty.to_bytes(), b"", db_time(timezone.now())],
            )
    raise LedgerError("the ledger's tree head row cannot be created")


def sequence(bodies: Iterable[dict[str, Any]], head: Head) -> tuple[Head, list[tuple[Any, ...]]]:
    """Give ``bodies`` the indexes after ``head``: their rows for ledger_entry and the new head."""
    index = head.size
    prev = head.last_leaf_hash
    leaves: list[bytes] = []
    rows: list[tuple[Any, ...]] = []
    for body in bodies:
        raw = entry_bytes(body, index, prev)
        leaf = _sha256(b"\x00" + raw).digest()
        obj = body["object"]
        actor = body["actor"]
        rows.append(
            (
                index,
                dt.datetime.fromisoformat(body["time"]),
                actor["user"],
                actor["agency"],
                actor["role"],
                body["action"],
                obj["type"],
                obj["id"],
                obj["version"],
                body["reason"],
                raw,
                leaf,
            )
        )
        leaves.append(leaf)
        prev = leaf
        index += 1
    return extend_head(head, leaves, index, prev), rows


def extend_head(head: Head, leaves: list[bytes], size: int, last_leaf: bytes) -> Head:
    """The head after appending ``leaves``, with the subtrees they complete."""
    compact = merkle.CompactRange.from_bytes(head.frontier)
    completed = compact.record(SUBTREE_MIN_LEVEL)
    compact.extend(leaves)
    return Head(size, compact.root(), compact.to_bytes(), last_leaf, tuple(completed))


ENTRY_COLUMNS = (
    '"index", "time", actor_user, actor_agency, actor_role, action, object_type, object_id, version, '
    "reason, canonical, leaf_hash"
)
SET_HEAD = (
    "UPDATE ledger_treehead SET size = %s, root = %s, frontier = %s, last_leaf_hash = %s, updated_at = %s"
)


VALUES_ROWS = 32
_VALUES_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_UNNEST_ARRAYS = (
    "%s::bigint[], %s::timestamptz[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::int[], %s::text[], %s::bytea[], %s::bytea[]"
)


SUBTREES_SOURCE = "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])"


def write_subtrees(subtrees: Sequence[tuple[int, int, bytes]]) -> None:
    """Store completed subtrees' hashes, in the caller's transaction."""
    if not subtrees:
        return
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"INSERT INTO ledger_subtree (level, number, hash) {SUBTREES_SOURCE}",
                [list(c) for c in zip(*subtrees)],
            )
        else:
            cur.executemany("INSERT INTO ledger_subtree (level, number, hash) VALUES (%s, %s, %s)", subtrees)


def write_entries(rows: list[tuple[Any, ...]], new: Head, taken_ids: Sequence[int] = ()) -> None:
    """Insert sequenced entries, remove their queue rows and move the head, atomically."""
    if connection.vendor == "postgresql":
        # One statement whatever the batch size (so also one transaction in autocommit): the
        # entries inserted, the queue rows deleted, the head moved. Small batches (the usual case)
        # go in as VALUES rows; large ones as column arrays, unnested, which keeps the statement
        # short but costs more per statement to adapt.
        if len(rows) <= VALUES_ROWS:
            values = ", ".join([_VALUES_ROW] * len(rows))
            params: list[Any] = [v for row in rows for v in row]
            source = f"VALUES {values}"
        else:
            params = [list(c) for c in zip(*rows)]
            source = f"SELECT * FROM unnest({_UNNEST_ARRAYS})"
        sub = ""
        if new.subtrees:
            sub = f"sub AS (INSERT INTO ledger_subtree (level, number, hash) {SUBTREES_SOURCE}), "
            params += [list(c) for c in zip(*new.subtrees)]
        sql = (
            f"WITH ins AS (INSERT INTO ledger_entry ({ENTRY_COLUMNS}) {source}), {sub}"
            "del AS (DELETE FROM ledger_pending WHERE id = ANY(%s::bigint[])) "
            f"{SET_HEAD} WHERE id = 1"
        )
        params += [list(taken_ids), new.size, new.root, new.frontier, new.last_leaf_hash, timezone.now()]
        with driver().Cursor(connection.connection) as cur:
            cur.execute(sql, params)
        return
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO ledger_entry ({ENTRY_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})",
            [(r[0], db_time(r[1]), *r[2:]) for r in rows],
        )
        write_subtrees(new.subtrees)
        for i in range(0, len(taken_ids), 500):
            chunk = taken_ids[i : i + 500]
            cur.execute(f"DELETE FROM ledger_pending WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        cur.execute(
            f"{SET_HEAD} WHERE id = 1",
            [new.size, new.root, new.frontier, new.last_leaf_hash, db_time(timezone.now())],
        )


def append_in_transaction(bodies: Sequence[dict[str, Any]]) -> None:
    """SQLite: sequence inside the writer's own transaction, which already excludes other writers,
    after anything still queued (normally nothing)."""
    head = read_head()
    with connection.cursor() as cur:
        cur.execute("SELECT id, body FROM ledger_pending ORDER BY id LIMIT %s", [INTEGRATE_BATCH])
        taken = cur.fetchall()
    new, rows = sequence([*(json.loads(body) for _id, body in taken), *bodies], head)
    if rows:
        write_entries(rows, new, [i for i, _body in taken])


# The head and the next batch of the queue in one round trip. Rows stay queued until the write
# that sequences them removes them; the integrator lock keeps other integrators off them.
_TAKE_SQL = (
    "SELECT h.size, h.root, h.frontier, h.last_leaf_hash, p.id, p.body FROM ledger_treehead h "
    "LEFT JOIN LATERAL (SELECT id, body FROM ledger_pending ORDER BY id LIMIT %s) p ON true WHERE h.id = 1"
)


def _take() -> tuple[Head, list[tuple[int, str]]] | None:
    """PostgreSQL: the head and a batch of the queue, or None before the head row exists."""
    with connection.cursor() as cur:
        cur.execute(_TAKE_SQL, [INTEGRATE_BATCH])
        result = cur.fetchall()
    if not result:
        return None
    size, root, frontier, last = result[0][:4]
    head = Head(int(size), bytes(root), bytes(frontier), bytes(last))
    return head, sorted((r[4], r[5]) for r in result if r[4] is not None)


def _integrate_batch() -> tuple[int, int]:
    """Sequence up to INTEGRATE_BATCH queued entries. The caller holds the integrator lock (on
    SQLite the write transaction is the lock). Returns (tree size, entries taken)."""
    if connection.vendor == "postgresql":
        took = _take()
        if took is None:  # no head row yet
            read_head()
            return _integrate_batch()
        head, taken = took
    else:
        head = read_head()
        with connection.cursor() as cur:
            cur.execute("SELECT id, body FROM ledger_pending ORDER BY id LIMIT %s", [INTEGRATE_BATCH])
            taken = list(cur.fetchall())
    if not taken:
        return head.size, 0
    new, rows = sequence([json.loads(body) for _id, body in taken], head)
    write_entries(rows, new, [i for i, _body in taken])
    return new.size, len(taken)


def drain() -> int:
    """Sequence everything queued, batch by batch; the caller holds the integrator lock."""
    while True:
        if connection.vendor == "postgresql":
            size, taken = _integrate_batch()  # one statement writes each batch atomically
        else:
            with transaction.atomic():  # BEGIN IMMEDIATE: the SQLite writer lock
                size, taken = _integrate_batch()
        if taken < INTEGRATE_BATCH:
            return size


def _pg_lock(wait: bool, pending_id: int | None = None, any_queued: bool = False) -> bool:
    """Take the integrator lock: for the session, or until the transaction ends inside one.

    With ``pending_id`` (``any_queued``) the lock is only tried if that entry is (any entry is)
    still queued, in the same round trip.
    """
    scope = "_xact" if in_transaction() else ""
    func = f"pg_advisory{scope}_lock" if wait else f"pg_try_advisory{scope}_lock"
    with connection.cursor() as cur:
        if pending_id is not None:
            cur.execute(f"SELECT {func}(%s) FROM ledger_pending WHERE id = %s", [LOCK_KEY, pending_id])
        elif any_queued:
            cur.execute(
                f"SELECT {func}(%s) FROM (SELECT id FROM ledger_pending ORDER BY id LIMIT 1) q", [LOCK_KEY]
            )
        else:
            cur.execute(f"SELECT {func}(%s)", [LOCK_KEY])
        row = cur.fetchone()
    return row is not None and row[0] is not False


def lock_in_transaction() -> None:
    """PostgreSQL: wait for the integrator lock, held until the caller's transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _pg_integrate_locked() -> int:
    """Drain the queue holding the lock, let go, and look again: writers that found the lock busy
    left their entries to the holder."""
    if in_transaction():
        # The lock lasts until the caller's transaction ends; look again after it commits.
        size = drain()
        transaction.on_commit(look_again, robust=True)
        return size
    while True:
        try:
            size = drain()
        except BaseException:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            raise
        with connection.cursor() as cur:
            # Let go and, only if something is queued, try again: one round trip. (Either order of
            # the two lock calls is correct: the second result says whether we hold the lock.) The
            # queue is read through its index: its heap is mostly rows deleted since the last vacuum.
            cur.execute(
                "SELECT pg_advisory_unlock(%s), CASE WHEN (SELECT id FROM ledger_pending ORDER BY id "
                "LIMIT 1) IS NOT NULL THEN pg_try_advisory_lock(%s) ELSE false END",
                [LOCK_KEY, LOCK_KEY],
            )
            row = cur.fetchone()
        if not (row and row[1]):
            return size  # queue empty, or another integrator holds it and will look again


def integrate(wait: bool = True) -> int:
    """Sequence every queued entry. Returns the tree size afterwards (-1 if left to another integrator).

    Safe to call from any number of threads and processes: one integrator runs at a time; with
    ``wait=False`` a busy integrator takes our entries instead.
    """
    if connection.vendor != "postgresql":
        # SQLite writers sequence their own entries, so the queue is normally empty: look before
        # taking the write lock (BEGIN IMMEDIATE), which is what serialises integrators here.
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM ledger_pending LIMIT 1")
            if cur.fetchone() is None:
                return read_head().size
        return drain()
    if not _pg_lock(wait, any_queued=True):
        if wait:  # nothing queued: no lock needed
            return read_head().size
        return -1
    return _pg_integrate_locked()


def integrate_inline(bodies: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL, holding the integrator lock until this transaction ends: sequence what is queued
    and then ``bodies``, in this transaction."""
    took = _take()
    head, taken = took if took is not None else (read_head(), [])
    new, rows = sequence([*(json.loads(body) for _id, body in taken), *bodies], head)
    write_entries(rows, new, [i for i, _body in taken])
    transaction.on_commit(look_again, robust=True)


def look_again() -> None:
    """After commit: writers that found the lock held while that transaction had it left their
    entries queued. One round trip when nothing is queued."""
    if _pg_lock(wait=False, any_queued=True):
        _pg_integrate_locked()


def integrate_after_commit(pending_id: int) -> None:
    # One round trip: gone means an integrator already sequenced it; busy means one will.
    if _pg_lock(wait=False, pending_id=pending_id):
        _pg_integrate_locked()
