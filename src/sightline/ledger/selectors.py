"""Reads over the ledger: entries, proofs and full verification."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from django.db import connection

from sightline.ledger import merkle, note
from sightline.ledger.canonical import canonical_bytes, jsonable
from sightline.ledger.models import Checkpoint, Entry, LedgeredModel, TreeHead
from sightline.ledger.services import integrate, latest_versions, ledgered_models, public_key

CHUNK = 20_000
# Past this many problems of one kind the report gives a count instead (a shifted ledger would
# otherwise name every later entry).
MAX_PER_KIND = 50


def tree_size() -> int:
    head = TreeHead.objects.filter(id=1).first()
    return head.size if head else 0


def _raw_cursor() -> Any:
    """A DB-API cursor without Django's per-row wrapping; binary transfer on PostgreSQL."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    if connection.vendor == "postgresql":
        import psycopg

        # Django's cursors bind client-side, which cannot return binary results.
        cur = psycopg.Cursor(raw)
        cur.format = psycopg.pq.Format.BINARY
        return cur
    return raw.cursor()


def _sql(text: str) -> str:
    return text.replace("%s", "?") if connection.vendor == "sqlite" else text


def leaf_hashes(size: int) -> list[bytes]:
    cur = _raw_cursor()
    try:
        cur.execute(_sql('SELECT leaf_hash FROM ledger_entry WHERE "index" < %s ORDER BY "index"'), [size])
        hashes = [bytes(h) for (h,) in cur.fetchall()]
    finally:
        cur.close()
    if len(hashes) != size:
        raise ValueError(f"the ledger holds {len(hashes)} entries below index {size}, not {size}")
    return hashes


def _b64(b: bytes) -> str:
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
        "root": _b64(merkle.root(hashes)),
        "leafHash": _b64(hashes[index]),
        "proof": [_b64(p) for p in proof],
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
    entries_checked: int = 0
    rows_checked: int = 0
    _kinds: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str) -> None:
        n = self._kinds.get(kind, 0) + 1
        self._kinds[kind] = n
        if n <= MAX_PER_KIND:
            self.problems.append(message)

    def close(self) -> None:
        for kind, n in self._kinds.items():
            if n > MAX_PER_KIND:
                self.problems.append(f"... and {n - MAX_PER_KIND} more problems of this kind: {kind}")
        self._kinds.clear()


def _checkpoints(extra: Iterable[str]) -> list[tuple[str, str]]:
    items = [(f"stored checkpoint {c.id} (size {c.size})", c.note) for c in Checkpoint.objects.all()]
    items += [(f"checkpoint file {i + 1}", text) for i, text in enumerate(extra)]
    return items


def _entry_rows() -> Iterator[list[tuple[Any, ...]]]:
    """Every entry in index order, in chunks: the hashed bytes, the stored hash and the searchable
    columns, with the time already in the entry's text form."""
    if connection.vendor == "postgresql":
        time_sql = "to_char(\"time\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    else:
        time_sql = "replace(\"time\", ' ', 'T')"
    sql = _sql(
        'SELECT "index", canonical, leaf_hash, action, actor_agency, actor_role, actor_user, '
        f'object_id, object_type, version, reason, {time_sql} FROM ledger_entry WHERE "index" >= %s '
        'ORDER BY "index" LIMIT %s'
    )
    start = -(2**62)
    cur = _raw_cursor()
    try:
        while True:
            cur.execute(sql, [start, CHUNK])
            rows = cur.fetchall()
            if not rows:
                return
            yield rows
            if len(rows) < CHUNK:
                return
            start = rows[-1][0] + 1
    finally:
        cur.close()


def _describe_entry(
    report: Report, row: tuple[Any, ...], prev_b64: str, after_gap: bool, altered: bool
) -> None:
    """Slow path: say exactly how an entry disagrees with its position or its columns."""
    index, raw = row[0], bytes(row[1])
    try:
        entry = json.loads(raw)
        if not isinstance(entry, dict):
            raise ValueError("not an object")
    except ValueError:
        report.add("unreadable", f"entry #{index} is not a canonical JSON object (its bytes were altered)")
        return
    if canonical_bytes(entry) != raw:
        report.add("not-canonical", f"entry #{index} is not in canonical form (its bytes were altered)")
    embedded = entry.get("index")
    if embedded != index:
        report.add(
            "moved",
            f"entry #{index} holds the content of entry #{embedded} (entries swapped, moved or inserted)",
        )
    elif entry.get("prev") != prev_b64 and not after_gap and index > 0:
        report.add(
            "chain",
            f"entry #{index} does not follow entry #{index - 1}: the hash chain is broken "
            f"(entry #{index - 1} was altered or replaced, or #{index} was inserted)",
        )
    obj: dict[str, Any] = entry["object"] if isinstance(entry.get("object"), dict) else {}
    actor: dict[str, Any] = entry["actor"] if isinstance(entry.get("actor"), dict) else {}
    columns = {
        "action": (row[3], entry.get("action")),
        "actor_agency": (row[4], actor.get("agency")),
        "actor_role": (row[5], actor.get("role")),
        "actor_user": (row[6], actor.get("user")),
        "object_id": (row[7], obj.get("id")),
        "object_type": (row[8], obj.get("type")),
        "version": (row[9], obj.get("version")),
        "reason": (row[10], entry.get("reason")),
        "time": (_entry_time(row[11]), (entry.get("time") or "").removesuffix("Z")),
    }
    for name, (column, hashed) in columns.items():
        if column != hashed and not altered:  # altered bytes already explain any difference
            report.add(
                "columns",
                f"entry #{index}: its {name} column says {column!r} but the hashed entry says {hashed!r} "
                "(the searchable columns were edited)",
            )


def _entry_time(text: str | None) -> str | None:
    # The entry's ISO text leaves out a zero fraction; PostgreSQL's to_char always prints one.
    if text is not None and text.endswith(".000000"):
        return text[:-7]
    return text


@dataclass
class _Latest:
    """Per object: its latest version, that entry's index and a digest of its data."""

    by_type: dict[str, dict[str, tuple[int, int, bytes]]] = field(default_factory=dict)

    def note(self, index: int, raw: bytes, object_type: str, object_id: str, version: int) -> None:
        objs = self.by_type.setdefault(object_type, {})
        seen = objs.get(object_id)
        if seen is None or version > seen[0]:
            start = raw.find(b',"data":') + 8
            end = raw.rfind(b',"index":')
            objs[object_id] = (version, index, hashlib.sha256(raw[start:end]).digest())


def verify(
    checkpoint_texts: Iterable[str] = (),
    *,
    check_state: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Recompute every leaf, the chain and the root; check checkpoints and the current-state tables.

    Each entry's bytes must hash to its recorded leaf hash and must equal exactly what its index,
    the previous leaf and its searchable columns imply, so one comparison per entry covers the
    position, the chain and the columns; only a mismatch is parsed to say what is wrong.
    """
    integrate()
    report = Report()
    vkey = public_key()
    wanted: dict[int, list[tuple[str, bytes]]] = {}
    for label, text in _checkpoints(checkpoint_texts):
        try:
            cp = note.verify_checkpoint(text, vkey)
        except note.NoteError as exc:
            report.add("checkpoint", f"{label}: signature or format is invalid: {exc}")
            continue
        wanted.setdefault(cp.size, []).append((label, cp.root))
        report.checkpoints_checked += 1
    for label, root in wanted.pop(0, []):
        if root != merkle.EMPTY_ROOT:
            report.add("checkpoint", f"{label}: root of the empty tree is wrong")

    latest = _Latest() if check_state else None
    compact = merkle.CompactRange()
    sha, enc, b2a = hashlib.sha256, encode_basestring, binascii.b2a_base64
    heads: dict[tuple[str, str, str, str], bytes] = {}
    expected = 0
    prev_b64 = ""
    for rows in _entry_rows():
        leaves: list[bytes] = []
        for row in rows:
            index, raw, stored, action, agency, role, user, oid, otype, version, reason, ttext = row
            after_gap = False
            if index != expected:
                if index > expected:
                    missing = (
                        f"entry #{expected} is"
                        if index == expected + 1
                        else f"entries #{expected} to #{index - 1} are"
                    )
                    report.add("missing", f"{missing} missing (deleted)")
                    after_gap = True
                expected = index
            if not isinstance(raw, bytes):
                raw = bytes(raw)
            leaf = sha(b"\x00" + raw).digest()
            altered = leaf != stored
            if altered:
                report.add(
                    "altered", f"entry #{index} was altered: its bytes do not match its recorded leaf hash"
                )
            key = (action, agency, role, user)
            head = heads.get(key)
            if head is None:
                head = (
                    f'{{"action":{enc(action)},"actor":{{"agency":{enc(agency)},"role":{enc(role)},'
                    f'"user":{enc(user)}}},"data":'
                ).encode()
                heads[key] = head
            if ttext.endswith(".000000"):
                ttext = ttext[:-7]
            tail = (
                f',"index":{index},"object":{{"id":{enc(oid)},"type":{enc(otype)},'
                f'"version":{"null" if version is None else version}}},"prev":"{prev_b64}",'
                f'"reason":{enc(reason)},"time":"{ttext}Z"}}'
            )
            if not (raw.endswith(tail.encode()) and raw.startswith(head)):
                _describe_entry(report, row, prev_b64, after_gap, altered)
            elif latest is not None and version is not None:
                latest.note(index, raw, otype, oid, version)
            leaves.append(leaf)
            prev_b64 = b2a(leaf, newline=False).decode("ascii")
            expected = index + 1
        # Checkpoint sizes that fall inside this chunk need the root at that exact size.
        base = compact.size
        for size in sorted(s for s in wanted if base < s <= base + len(leaves)):
            part = compact.copy()
            part.extend(leaves[: size - base])
            _check_root(report, wanted.pop(size), size, part.root())
        compact.extend(leaves)
        report.entries_checked += len(leaves)
        if progress is not None:
            progress(report.entries_checked)
    report.size = compact.size
    report.root = compact.root()
    for size, items in sorted(wanted.items()):
        for label, _root in items:
            report.add(
                "truncated",
                f"{label}: signed a tree of {size} entries but the ledger now has only "
                f"{report.size} (entries from #{report.size} on were removed)",
            )
    head_row = TreeHead.objects.filter(id=1).first()
    if head_row is not None and head_row.size > expected:
        report.add(
            "head",
            f"the tree head records {head_row.size} entries but the last is #{expected - 1}: "
            f"entries from #{expected} on were removed",
        )
    elif head_row is not None and (head_row.size != report.size or bytes(head_row.root) != report.root):
        report.add(
            "head",
            f"tree head says {head_row.size} entries with root {_b64(bytes(head_row.root))}, "
            f"the entries give {report.size} with root {_b64(report.root)} (entries were altered, "
            "added or removed)",
        )
    if latest is not None:
        for problem in _state_problems(latest, report):
            report.add("state", problem)
    report.close()
    return report


def _check_root(report: Report, items: list[tuple[str, bytes]], size: int, root: bytes) -> None:
    for label, signed in items:
        if signed != root:
            report.add(
                "checkpoint",
                f"{label}: the ledger's first {size} entries no longer hash to the signed root "
                f"(entries before #{size} were altered, removed or reordered)",
            )


# --- current state against the ledger ------------------------------------------------------------


def state_problems(report: Report | None = None) -> list[str]:
    """Compare each current-state row with its object's latest version in the ledger."""
    integrate()
    latest = _Latest()
    for rows in _entry_rows():
        for row in rows:
            index, raw, version = row[0], bytes(row[1]), row[9]
            if version is None:
                continue
            obj = _hashed_object(raw)
            if obj is not None:
                latest.note(index, raw, obj[0], obj[1], obj[2])
    return _state_problems(latest, report)


def _hashed_object(raw: bytes) -> tuple[str, str, int] | None:
    try:
        obj = json.loads(raw).get("object") or {}
        return str(obj["type"]), str(obj["id"]), int(obj["version"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _rows(model: type[LedgeredModel]) -> Iterator[tuple[str, int, bytes]]:
    """(pk, version, canonical bytes of the row's snapshot) for every row of ``model``."""
    if model.snapshot is not LedgeredModel.snapshot:
        for obj in model._default_manager.all().iterator(chunk_size=CHUNK):
            yield obj.pk, obj.version, canonical_bytes(obj.snapshot())
        return
    # The fast path builds LedgeredModel.snapshot() from plain values, without model instances.
    names = [f.attname for f in model._meta.concrete_fields if f.name != "version"]
    pk_pos = names.index(model._meta.pk.attname)
    for values in model._default_manager.values_list("version", *names).iterator(chunk_size=CHUNK):
        version, rest = values[0], values[1:]
        snap = {name: jsonable(value) for name, value in zip(names, rest)}
        yield rest[pk_pos], version, canonical_bytes(snap)


def _state_problems(latest: _Latest, report: Report | None) -> list[str]:
    problems: list[str] = []
    for model in ledgered_models():
        kind = model.ledger_type()
        known = latest.by_type.get(kind, {})
        seen: set[str] = set()
        for pk, version, snap in _rows(model):
            seen.add(pk)
            if report is not None:
                report.rows_checked += 1
            ledger = known.get(pk)
            if ledger is None:
                problems.append(f"{kind} {pk}: row has no history in the ledger (inserted directly)")
                continue
            l_version, index, digest = ledger
            if version != l_version:
                problems.append(
                    f"{kind} {pk}: row is at version {version}, the ledger's latest is {l_version} "
                    f"(entry #{index})"
                )
            if hashlib.sha256(snap).digest() != digest:
                problems.extend(_field_differences(kind, pk, snap, index))
        for pk in sorted(set(known) - seen):
            problems.append(f"{kind} {pk}: row is missing from the table (ledger entry #{known[pk][1]})")
    return problems


def _field_differences(kind: str, pk: str, snap: bytes, index: int) -> list[str]:
    entry = Entry.objects.filter(index=index).values_list("canonical", flat=True).first()
    data = json.loads(bytes(entry))["data"] if entry is not None else {}
    row = json.loads(snap)
    out = []
    for key in sorted(set(row) | set(data)):
        mine, theirs = row.get(key), data.get(key)
        if mine != theirs or type(mine) is not type(theirs):
            out.append(
                f"{kind} {pk}: field {key} is {mine!r} in the table but {theirs!r} in ledger entry #{index}"
            )
    return out or [f"{kind} {pk}: row differs from ledger entry #{index}"]


__all__ = [
    "Report",
    "consistency_proof",
    "entry_bytes",
    "inclusion_proof",
    "latest_versions",
    "leaf_hashes",
    "state_problems",
    "tree_size",
    "verify",
]
