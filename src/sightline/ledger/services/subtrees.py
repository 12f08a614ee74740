"""Stored subtree hashes (ledger_subtree) made again from the entries' leaf hashes.

The sequencer and the bulk path store each subtree as the entries completing it are written; this
fills in what is missing (a ledger from before the table, or restored from an old backup). The
table is append-only, so a stored hash that is wrong is reported, not replaced: like an altered
entry, it needs deliberate privileged steps (and ``verify`` reports it too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from sightline.ledger import merkle
from sightline.ledger.models import SUBTREE_MIN_LEVEL
from sightline.ledger.services.sequencer import integrate, lock_in_transaction, read_head, write_subtrees

CHUNK = 65_536

Row = tuple[int, int, bytes]


def compute_subtrees(conn: Any = connection, upto: int | None = None) -> Iterator[tuple[int, list[Row]]]:
    """(entries read so far, the subtrees they completed since the last batch), batch by batch, from
    the stored leaf hashes of entries 0, 1, ... up to ``upto`` (or the last), stopping at a gap."""
    tree = merkle.CompactRange()
    done = tree.record(SUBTREE_MIN_LEVEL)
    start = 0
    with conn.cursor() as cur:
        while upto is None or start < upto:
            limit = CHUNK if upto is None else min(CHUNK, upto - start)
            cur.execute(
                'SELECT "index", leaf_hash FROM ledger_entry WHERE "index" >= %s ORDER BY "index" LIMIT %s',
                [start, limit],
            )
            rows = cur.fetchall()
            leaves: list[bytes] = []
            for index, h in rows:
                if index != start + len(leaves):
                    break  # a gap: the subtrees after it cannot be known
                leaves.append(bytes(h))
            if not leaves:
                return
            tree.extend(leaves)
            start += len(leaves)
            yield start, list(done)
            done.clear()
            if len(leaves) < len(rows) or len(rows) < limit:
                return


@dataclass(frozen=True)
class SubtreeRebuild:
    entries: int
    added: int
    wrong: int


def rebuild_subtrees(progress: Callable[[int, int], object] | None = None) -> SubtreeRebuild:
    """Store every missing subtree hash of the ledger; count those stored wrong. Holds the
    integrator lock, so no entries are sequenced meanwhile."""
    integrate()
    with transaction.atomic():  # on SQLite, the write lock
        if connection.vendor == "postgresql":
            lock_in_transaction()
        size = read_head().size
        with connection.cursor() as cur:
            cur.execute("SELECT level, number, hash FROM ledger_subtree")
            stored = {(int(level), int(n)): bytes(h) for level, n, h in cur.fetchall()}
        added = wrong = entries = 0
        for entries, batch in compute_subtrees(connection, size):
            new = [r for r in batch if (r[0], r[1]) not in stored]
            wrong += sum(1 for level, n, h in batch if stored.get((level, n), h) != h)
            write_subtrees(new)
            added += len(new)
            if progress is not None:
                progress(entries, size)
    return SubtreeRebuild(entries, added, wrong)
