"""Entries and RFC 9162 proofs: the tree size, an entry's bytes, inclusion and consistency proofs."""

from __future__ import annotations

import base64
from typing import Any

from sightline.ledger import merkle
from sightline.ledger.models import Entry, TreeHead
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


def inclusion_proof(index: int, size: int | None = None) -> dict[str, Any]:
    integrate()
    current = tree_size()
    size = current if size is None else size
    if not 0 < size <= current:
        raise ValueError(f"--size {size} must be between 1 and the tree size {current}")
    if not 0 <= index < size:
        raise ValueError(f"--index {index} is outside a tree of size {size}")
    hashes = leaf_hashes(size)
    proof = merkle.inclusion_proof(hashes, index, size)
    return {
        "leafIdx": index,
        "treeSize": size,
        "root": b64(merkle.root(hashes)),
        "leafHash": b64(hashes[index]),
        "proof": [b64(p) for p in proof],
    }


def consistency_proof(size1: int, size2: int) -> dict[str, Any]:
    integrate()
    current = tree_size()
    if not 0 < size1 <= size2 <= current:
        raise ValueError(f"need 0 < --from ({size1}) <= --to ({size2}) <= tree size ({current})")
    hashes = leaf_hashes(size2)
    return {
        "size1": size1,
        "size2": size2,
        "root1": b64(merkle.root(hashes[:size1])),
        "root2": b64(merkle.root(hashes)),
        "proof": [b64(p) for p in merkle.consistency_proof(hashes, size1, size2)],
    }


def entry_bytes(index: int) -> bytes:
    integrate()
    entry = Entry.objects.filter(index=index).first()
    if entry is None:
        raise ValueError(f"there is no ledger entry {index}")
    return bytes(entry.canonical)
