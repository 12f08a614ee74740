"""Incremental verification: only the entries added since a verified tree, so its cost follows the
growth of the ledger, not its size.

From the last verified tree (its size, root, compact range and last leaf hash) it checks:

- every new entry as a full verification does (hash, position, columns, chain link);
- the link from the last verified entry: that entry is still there, unaltered, and the first new
  entry names its leaf hash;
- the new root, by extending the verified compact range, against the tree head and against every
  signed checkpoint it reaches; and an RFC 9162 consistency proof from the verified root to the new
  one, built from the verified compact range (so the new tree contains the verified one);
- checkpoints signed since, and the current-state rows of the objects the new entries wrote.

Old entries are not re-read: a change to them is found by the next full verification, which stays
available (``sightline ledger verify``) and should also run on a schedule (docs/deploy.md).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sightline.ledger import merkle, note
from sightline.ledger.models import SUBTREE_MIN_LEVEL, Checkpoint, Entry, TreeHead
from sightline.ledger.selectors.proofs import b64, leaf_hashes
from sightline.ledger.selectors.report import Report
from sightline.ledger.selectors.state import problems_of_touched
from sightline.ledger.selectors.verification import _chain_broken, _scan, check_subtrees
from sightline.ledger.services import integrate, public_key


@dataclass(frozen=True)
class Verified:
    """Where an earlier verification ended."""

    size: int
    root: bytes
    frontier: bytes
    last_leaf: bytes
    checkpoint_id: int


def verify_since(base: Verified, *, check_state: bool = True, limit: int | None = None) -> Report:
    """Check what was added after ``base`` (at most ``limit`` entries; the next run goes on)."""
    integrate()
    report = Report(size=base.size, root=base.root)
    head = TreeHead.objects.filter(id=1).values_list("size", "root").first()
    head_size, head_root = (int(head[0]), bytes(head[1])) if head else (0, merkle.EMPTY_ROOT)
    hi = head_size if limit is None else min(head_size, base.size + limit)
    try:
        old = merkle.CompactRange.from_bytes(base.frontier)
        usable = old.size == base.size and old.root() == base.root
    except ValueError:
        usable = False
    if not usable:
        report.add("base", "the stored state of the last verification does not give its root")
        report.close()
        return report
    if head_size < base.size:
        report.add(
            "truncated",
            f"the ledger was verified at {base.size} entries but the tree head now records {head_size} "
            f"(entries from #{head_size} on were removed)",
        )
    _check_last_verified(report, base)
    wanted, deferred = _new_checkpoints(report, base, hi)

    leaves: list[bytes] = []
    scan = _scan(base.size, hi, sorted(wanted), check_state, keep_leaves=leaves)
    report.merge(scan.report)
    if base.size > 0 and scan.first_prev is not None and scan.first_prev != base64.b64encode(base.last_leaf):
        report.add("chain", _chain_broken(base.size))
    if scan.expected < hi:
        report.add("missing", f"entries #{scan.expected} to #{hi - 1} are missing (deleted)")
    tree = old.copy()
    joined = tree.record(SUBTREE_MIN_LEVEL)
    tree.join(scan.tree)
    check_subtrees(report, [*scan.subtrees, *joined], base.size, tree.size)
    for at in scan.at_sizes:
        part = old.copy()
        part.join(at)
        for label, signed in wanted.pop(part.size, []):
            if signed != part.root():
                report.add("checkpoint", f"{label}: the ledger's first {part.size} entries do not hash to it")
    for size, items in wanted.items():
        for label, _root in items:
            report.add("truncated", f"{label}: signed {size} entries, but entry #{size - 1} is missing")
    report.size, report.root = tree.size, tree.root()
    report.frontier, report.last_leaf = tree.to_bytes(), scan.last_leaf or base.last_leaf
    report.checkpoint_id = deferred
    if base.size > 0 and tree.size > base.size and tree.size == base.size + len(leaves):
        proof = merkle.consistency_proof_extending(old, leaves)
        if not merkle.is_valid_consistency(base.size, tree.size, proof, base.root, report.root):
            report.add("consistency", f"the tree of {tree.size} entries does not extend the verified one")
    if hi == head_size and (report.size, report.root) != (head_size, head_root):
        report.add(
            "head",
            f"tree head says {head_size} entries with root {b64(head_root)}, the entries give "
            f"{report.size} with root {b64(report.root)}",
        )
    if check_state and scan.latest is not None:
        for problem in problems_of_touched(scan.latest, report, hi):
            report.add("state", problem)
    report.close()
    return report


def _check_last_verified(report: Report, base: Verified) -> None:
    """The last verified entry is still there and unaltered: the new entries chain from it."""
    if base.size == 0:
        return
    index = base.size - 1
    row = Entry.objects.filter(index=index).values_list("canonical", "leaf_hash").first()
    if row is None:
        report.add("missing", f"entry #{index}, the last one verified, is missing (deleted)")
        return
    computed = hashlib.sha256(b"\x00" + bytes(row[0])).digest()
    if computed != base.last_leaf or bytes(row[1]) != base.last_leaf:
        report.add("altered", f"entry #{index}, the last one verified, was altered since")


def _new_checkpoints(
    report: Report, base: Verified, hi: int
) -> tuple[dict[int, list[tuple[str, bytes]]], int]:
    """Checkpoints stored since the last run, signature checked: those whose roots this run will
    compute, by size, and the id up to which all were checked (later ones beyond ``hi`` wait)."""
    vkey = public_key()
    wanted: dict[int, list[tuple[str, bytes]]] = {}
    done = base.checkpoint_id
    waiting = False
    for cp in Checkpoint.objects.filter(id__gt=base.checkpoint_id).order_by("id"):
        label = f"stored checkpoint {cp.id} (size {cp.size})"
        try:
            signed = note.verify_checkpoint(cp.note, vkey)
        except note.NoteError as exc:
            report.add("checkpoint", f"{label}: signature or format is invalid: {exc}")
            signed = None
        if signed is not None and signed.size > hi:
            waiting = True  # checked when the ledger is verified that far
            continue
        if not waiting:
            done = cp.id
        if signed is None:
            continue
        report.checkpoints_checked += 1
        if signed.size > base.size:
            wanted.setdefault(signed.size, []).append((label, signed.root))
        elif signed.root != _root_at(signed.size, base):
            report.add("checkpoint", f"{label}: the ledger's first {signed.size} entries do not hash to it")
    return wanted, done


def _root_at(size: int, base: Verified) -> bytes:
    """The root of the first ``size`` entries, at most the verified size: known for that size, read
    from the stored leaf hashes otherwise (a checkpoint signed before the run it is checked by)."""
    if size == base.size:
        return base.root
    if size == 0:
        return merkle.EMPTY_ROOT
    try:
        return merkle.root(leaf_hashes(size))
    except ValueError:
        return b""
