"""Reads over the ledger: entries, proofs and full verification."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sightline.ledger import merkle, note
from sightline.ledger.models import Checkpoint, Entry, TreeHead
from sightline.ledger.services import integrate, latest_versions, ledgered_models, public_key

CHUNK = 20_000


def tree_size() -> int:
    head = TreeHead.objects.filter(id=1).first()
    return head.size if head else 0


def leaf_hashes(size: int) -> list[bytes]:
    rows = Entry.objects.filter(index__lt=size).order_by("index").values_list("leaf_hash", flat=True)
    hashes = [bytes(h) for h in rows.iterator(chunk_size=CHUNK)]
    if len(hashes) != size:
        raise ValueError(f"the ledger holds {len(hashes)} entries below index {size}, not {size}")
    return hashes


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def inclusion_proof(index: int, size: int | None = None) -> dict[str, Any]:
    integrate()
    size = tree_size() if size is None else size
    if not 0 <= index < size:
        raise ValueError(f"--index {index} is outside a tree of size {size}")
    hashes = leaf_hashes(size)
    proof = merkle.inclusion_proof(hashes, index, size)
    return {
        "leafIdx": index,
        "treeSize": size,
        "root": _b64(merkle.root(hashes)),
        "leafHash": _b64(hashes[index]),
        "proof": [_b64(p) for p in proof],
    }


def consistency_proof(size1: int, size2: int) -> dict[str, Any]:
    integrate()
    if not 0 <= size1 <= size2 <= tree_size():
        raise ValueError(f"need 0 <= --from ({size1}) <= --to ({size2}) <= tree size ({tree_size()})")
    hashes = leaf_hashes(size2)
    return {
        "size1": size1,
        "size2": size2,
        "root1": _b64(merkle.root(hashes[:size1])),
        "root2": _b64(merkle.root(hashes)),
        "proof": [_b64(p) for p in merkle.consistency_proof(hashes, size1, size2)],
    }


def entry_bytes(index: int) -> bytes:
    integrate()
    entry = Entry.objects.filter(index=index).first()
    if entry is None:
        raise ValueError(f"there is no ledger entry {index}")
    return bytes(entry.canonical)


# --- verification --------------------------------------------------------------------------------


@dataclass
class Report:
    size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)
    checkpoints_checked: int = 0
    rows_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _embedded(raw: bytes, key: bytes) -> bytes | None:
    """Pull one top-level scalar out of canonical bytes without parsing the whole entry."""
    start = raw.rfind(key)
    if start < 0:
        return None
    start += len(key)
    end = raw.find(b",", start)
    return raw[start : end if end >= 0 else len(raw) - 1]


def _checkpoints(extra: Iterable[str]) -> list[tuple[str, str]]:
    items = [(f"stored checkpoint {c.id} (size {c.size})", c.note) for c in Checkpoint.objects.all()]
    items += [(f"checkpoint file {i + 1}", text) for i, text in enumerate(extra)]
    return items


def verify(checkpoint_texts: Iterable[str] = (), *, check_state: bool = True) -> Report:
    """Recompute every leaf, the chain and the root; check checkpoints and the current-state tables."""
    integrate()
    report = Report()
    vkey = public_key()
    wanted: dict[int, list[tuple[str, bytes]]] = {}
    for label, text in _checkpoints(checkpoint_texts):
        try:
            cp = note.verify_checkpoint(text, vkey)
        except note.NoteError as exc:
            report.problems.append(f"{label}: signature or format is invalid: {exc}")
            continue
        wanted.setdefault(cp.size, []).append((label, cp.root))
        report.checkpoints_checked += 1
    if 0 in wanted:
        for label, root in wanted.pop(0):
            if root != merkle.EMPTY_ROOT:
                report.problems.append(f"{label}: root of the empty tree is wrong")

    compact = merkle.CompactRange()
    expected = 0
    prev = b""
    prev_b64 = b'""'
    rows = Entry.objects.order_by("index").values_list("index", "canonical", "leaf_hash")
    for index, raw_mv, stored in rows.iterator(chunk_size=CHUNK):
        raw = bytes(raw_mv)
        if index != expected:
            if index > expected:
                missing = f"#{expected}" if index == expected + 1 else f"#{expected} to #{index - 1}"
                report.problems.append(f"entries {missing} are missing (deleted)")
            expected = index
        leaf = merkle.leaf_hash(raw)
        if leaf != bytes(stored):
            report.problems.append(f"entry #{index} was altered: its bytes do not match its recorded hash")
        embedded = _embedded(raw, b'"index":')
        if embedded != str(index).encode():
            other = embedded.decode("ascii", "replace") if embedded else "?"
            report.problems.append(
                f"entry #{index} holds the content of entry #{other} (entries swapped, moved or inserted)"
            )
        if _embedded(raw, b'"prev":') != prev_b64 and index == expected and index > 0:
            report.problems.append(
                f"entry #{index} does not follow entry #{index - 1}: the hash chain is broken "
                f"(entry #{index - 1} was altered or replaced, or #{index} was inserted)"
            )
        compact.append(leaf)
        prev = leaf
        prev_b64 = b'"' + base64.b64encode(prev) + b'"'
        expected = index + 1
        size_now = compact.size
        if size_now in wanted:
            root_now = compact.root()
            for label, root in wanted.pop(size_now):
                if root != root_now:
                    report.problems.append(
                        f"{label}: the ledger's first {size_now} entries no longer hash to the signed "
                        f"root (entries before #{size_now} were altered, removed or reordered)"
                    )
    report.size = compact.size
    report.root = compact.root()
    for size, items in sorted(wanted.items()):
        for label, _root in items:
            report.problems.append(
                f"{label}: signed a tree of {size} entries but the ledger now has only "
                f"{report.size} (entries from #{report.size} on were removed)"
            )
    head = TreeHead.objects.filter(id=1).first()
    if head is not None and (head.size != report.size or bytes(head.root) != report.root):
        report.problems.append(
            f"tree head says {head.size} entries with root {_b64(bytes(head.root))}, "
            f"the entries give {report.size} with root {_b64(report.root)}"
        )
    if check_state:
        report.problems.extend(state_problems(report))
    return report


def state_problems(report: Report | None = None) -> list[str]:
    """Compare each current-state row with its object's latest version in the ledger."""
    problems: list[str] = []
    for model in ledgered_models():
        kind = model.ledger_type()
        latest = latest_versions(model)
        seen: set[str] = set()
        for obj in model.objects.all().iterator(chunk_size=CHUNK):
            seen.add(obj.pk)
            if report is not None:
                report.rows_checked += 1
            if obj.pk not in latest:
                problems.append(f"{kind} {obj.pk}: row has no history in the ledger (inserted directly)")
                continue
            version, index, data = latest[obj.pk]
            if obj.version != version:
                problems.append(
                    f"{kind} {obj.pk}: row is at version {obj.version}, the ledger's latest is "
                    f"{version} (entry #{index})"
                )
            snap = json.loads(json.dumps(obj.snapshot()))
            for key in sorted(set(snap) | set(data)):
                if snap.get(key) != data.get(key):
                    problems.append(
                        f"{kind} {obj.pk}: field {key} is {snap.get(key)!r} in the table but "
                        f"{data.get(key)!r} in ledger entry #{index}"
                    )
        for pk in sorted(set(latest) - seen):
            problems.append(f"{kind} {pk}: row is missing from the table (ledger entry #{latest[pk][1]})")
    return problems
