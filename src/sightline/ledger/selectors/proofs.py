"""Entries and RFC 9162 proofs: the tree size, an entry's bytes, inclusion and consistency proofs.

A proof is O(log n) reads: each hash in it is the tree hash of a node of the tree, which is made of
stored complete subtrees (ledger_subtree) and, below their smallest size, leaf hashes. So a proof
reads about two stored hashes per level and at most a few runs of 2**SUBTREE_MIN_LEVEL leaf hashes,
whatever the size of the ledger. A stored subtree that is missing is made from its leaves instead.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import connection

from sightline.ledger import merkle
from sightline.ledger.errors import LedgerError
from sightline.ledger.models import SUBTREE_MIN_LEVEL, Entry, TreeHead
from sightline.ledger.selectors.rows import raw_cursor, sql
from sightline.ledger.services import integrate


def tree_size() -> int:
    head = TreeHead.objects.filter(id=1).first()
    return head.size if head else 0


def leaf_hashes(size: int) -> list[bytes]:
    cur = raw_cursor()
    try:
        cur.execute(sql('SELECT leaf_hash FROM ledger_entry WHERE "index" < %s ORDER BY "index"'), [size])
        hashes = [bytes(h) for (h,) in cur.fetchall()]
    finally:
        cur.close()
    if len(hashes) != size:
        raise ValueError(f"the ledger holds {len(hashes)} entries below index {size}, not {size}")
    return hashes


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _leaf_runs(runs: list[tuple[int, int]]) -> dict[int, bytes]:
    """Leaf hashes by index for the runs [lo, hi) of leaves, in one query."""
    if not runs:
        return {}
    params: list[Any]
    if connection.vendor == "postgresql":
        # The indexes themselves, not ranges: without fresh statistics (after a bulk load) PostgreSQL
        # guesses ranges hold thousands of rows and spends longer compiling the query (JIT) than
        # running it.
        where, params = '"index" = ANY(%s)', [[i for lo, hi in runs for i in range(lo, hi)]]
    else:
        where = " OR ".join(['("index" >= %s AND "index" < %s)'] * len(runs))
        params = [v for r in runs for v in r]
    cur = raw_cursor()
    try:
        cur.execute(sql(f'SELECT "index", leaf_hash FROM ledger_entry WHERE {where}'), params)
        found = {int(i): bytes(h) for i, h in cur.fetchall()}
    finally:
        cur.close()
    want = sum(hi - lo for lo, hi in runs)
    if len(found) != want:
        raise ValueError(f"the ledger is missing {want - len(found)} of the entries a proof needs")
    return found


def _stored(nodes: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not nodes:
        return {}
    keys = sorted(nodes)
    where = " OR ".join(["(level = %s AND number = %s)"] * len(keys))
    cur = raw_cursor()
    try:
        params = [v for k in keys for v in k]
        cur.execute(sql(f"SELECT level, number, hash FROM ledger_subtree WHERE {where}"), params)
        return {(int(level), int(number)): bytes(h) for level, number, h in cur.fetchall()}
    finally:
        cur.close()


def tree_hashes(ranges: list[tuple[int, int]]) -> list[bytes]:
    """The tree hash of each leaf range [lo, hi) (nodes of a tree), from stored subtrees and leaves."""
    pieces = {p for lo, hi in ranges for p in merkle.subtrees(lo, hi)}
    stored = _stored({p for p in pieces if p[0] >= SUBTREE_MIN_LEVEL})
    runs = sorted(
        (number << level, (number + 1) << level) for level, number in pieces if (level, number) not in stored
    )
    merged: list[tuple[int, int]] = []
    for lo, hi in runs:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    leaves = _leaf_runs(merged)

    def node(level: int, number: int) -> bytes:
        found = stored.get((level, number))
        if found is not None:
            return found
        start = number << level
        return merkle.root([leaves[i] for i in range(start, start + (1 << level))])

    return [merkle.range_root(lo, hi, node) for lo, hi in ranges]


_VERIFY = "run `sightline ledger verify`"


def _head() -> tuple[int, bytes]:
    row = TreeHead.objects.filter(id=1).values_list("size", "root").first()
    return (int(row[0]), bytes(row[1])) if row else (0, merkle.EMPTY_ROOT)


def _checked(ranges: list[tuple[int, int]], size: int, head: tuple[int, bytes]) -> tuple[list[bytes], bytes]:
    """The tree hashes of ``ranges`` and the root of ``size``, in one read of the stored subtrees and
    leaves. That root must be the tree head's, or consistent with it: a stored subtree that is wrong
    must not give a proof that fails only at the client."""
    head_size, head_root = head
    onward = merkle.consistency_ranges(size, head_size) if size != head_size else []
    hashes = tree_hashes([*ranges, (0, size), *onward])
    wanted, root, proof = hashes[: len(ranges)], hashes[len(ranges)], hashes[len(ranges) + 1 :]
    ok = (
        root == head_root
        if not onward
        else merkle.is_valid_consistency(size, head_size, proof, root, head_root)
    )
    if not ok:
        raise LedgerError(f"the stored subtree hashes do not give the tree head's root: {_VERIFY}")
    return wanted, root


def inclusion_proof(index: int, size: int | None = None) -> dict[str, Any]:
    integrate()
    head = _head()
    current = head[0]
    size = current if size is None else size
    if not 0 < size <= current:
        raise ValueError(f"--size {size} must be between 1 and the tree size {current}")
    if not 0 <= index < size:
        raise ValueError(f"--index {index} is outside a tree of size {size}")
    ranges = merkle.inclusion_ranges(index, size)
    (*proof, leaf), root = _checked([*ranges, (index, index + 1)], size, head)
    if not merkle.is_valid_inclusion(leaf, index, size, proof, root):
        raise LedgerError(f"the stored subtree hashes give a wrong proof for entry {index}: {_VERIFY}")
    return {
        "leafIdx": index,
        "treeSize": size,
        "root": b64(root),
        "leafHash": b64(leaf),
        "proof": [b64(p) for p in proof],
    }


def consistency_proof(size1: int, size2: int) -> dict[str, Any]:
    integrate()
    head = _head()
    current = head[0]
    if not 0 < size1 <= size2 <= current:
        raise ValueError(f"need 0 < --from ({size1}) <= --to ({size2}) <= tree size ({current})")
    ranges = merkle.consistency_ranges(size1, size2)
    (*proof, root1), root2 = _checked([*ranges, (0, size1)], size2, head)
    if not merkle.is_valid_consistency(size1, size2, proof, root1, root2):
        raise LedgerError(f"the stored subtree hashes give a wrong consistency proof: {_VERIFY}")
    return {
        "size1": size1,
        "size2": size2,
        "root1": b64(root1),
        "root2": b64(root2),
        "proof": [b64(p) for p in proof],
    }


def entry_bytes(index: int) -> bytes:
    integrate()
    entry = Entry.objects.filter(index=index).first()
    if entry is None:
        raise ValueError(f"there is no ledger entry {index}")
    return bytes(entry.canonical)
