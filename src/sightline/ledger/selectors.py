"""Reads over the ledger: entries, proofs and full verification."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from django.db import connection

from sightline.ledger import merkle, note
from sightline.ledger.canonical import canonical_bytes, jsonable
from sightline.ledger.models import Checkpoint, Entry, LedgeredModel, TreeHead
from sightline.ledger.services import integrate, latest_versions, ledgered_models, public_key

CHUNK = 16_384
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


# The searchable columns are the database's copy of what each entry's bytes say, for queries; they
# must agree with the bytes. SQLite checks them itself with its JSON functions (in C, on the helper
# thread, while this thread hashes); PostgreSQL's JSON parsing is slower than building the
# expected bytes here, so there the columns are fetched and compared byte for byte. Either way,
# the hashing is done here and trusted to nobody.
_COLUMNS = "action, actor_agency, actor_role, actor_user, object_id, object_type, version, reason"
_SQLITE_COLUMNS_OK = " AND ".join(
    f"{column} IS json_extract(CAST(canonical AS TEXT), '$.{path}')"
    for column, path in [
        ("action", "action"),
        ("actor_agency", "actor.agency"),
        ("actor_role", "actor.role"),
        ("actor_user", "actor.user"),
        ("object_id", "object.id"),
        ("object_type", "object.type"),
        ("version", "object.version"),
        ("reason", "reason"),
        ("replace(\"time\", ' ', 'T') || 'Z'", "time"),
    ]
)


def _sqlite_sql(with_object: bool) -> str:
    extra = ", object_type, object_id, version" if with_object else ""
    return _sql(
        f'SELECT "index", canonical, leaf_hash, ({_SQLITE_COLUMNS_OK}){extra} FROM ledger_entry '
        'WHERE "index" >= %s AND "index" < %s'
    )


def _columns_checker() -> Callable[[tuple[Any, ...]], bool]:
    """For rows of :func:`_full_sql` on PostgreSQL: do the columns say exactly what the bytes say?

    Rebuilds the bytes around ``data`` and ``prev`` from the columns (the actor part is cached:
    few distinct actors write most entries) and compares them in place; no JSON parsing.
    """
    enc, fromiso = encode_basestring, dt.datetime.fromisoformat
    heads: dict[tuple[str, str, str, str], bytes] = {}
    encoded: dict[str, bytes] = {}

    def ok(row: tuple[Any, ...]) -> bool:
        index, raw, _stored, action, agency, role, user, oid, otype, version, reason, tcol = row
        key = (action, agency, role, user)
        head = heads.get(key)
        if head is None:
            head = heads[key] = (
                f'{{"action":{enc(action)},"actor":{{"agency":{enc(agency)},"role":{enc(role)},'
                f'"user":{enc(user)}}},"data":'
            ).encode()
        etype = encoded.get(otype)
        if etype is None:
            etype = encoded[otype] = enc(otype).encode()
        ereason = encoded.get(reason)
        if ereason is None:
            ereason = encoded[reason] = b'","reason":' + enc(reason).encode() + b',"time":"'
        p = raw.rfind(b',"prev":"')
        if p < 0 or not raw.startswith(head) or not raw.endswith(b'"}'):
            return False
        mid = b',"index":%d,"object":{"id":%s,"type":%s,"version":%s}' % (
            index,
            enc(oid).encode(),
            etype,
            b"null" if version is None else b"%d" % version,
        )
        pe = raw.find(b'"', p + 9)  # the end of the prev hash
        if not raw.endswith(mid, 0, p) or not raw.startswith(ereason, pe):
            return False
        try:
            return bool(fromiso(raw[pe + len(ereason) : -2].decode()) == tcol)
        except ValueError:
            return False

    return ok


def _full_sql(where: str) -> str:
    """Every column, for checking entries here and for saying what differs."""
    return _sql(f'SELECT "index", canonical, leaf_hash, {_COLUMNS}, "time" FROM ledger_entry WHERE {where}')


def _columns_match(row: tuple[Any, ...]) -> bool:
    """Python's version of the database's check, for a row of :func:`_full_sql`."""
    return not _column_differences(row)


def _column_differences(row: tuple[Any, ...]) -> list[tuple[str, Any, Any]] | None:
    """(column, column value, hashed value) for each difference; None if the bytes are not JSON."""
    try:
        entry = json.loads(bytes(row[1]))
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    obj = entry["object"] if isinstance(entry.get("object"), dict) else {}
    actor = entry["actor"] if isinstance(entry.get("actor"), dict) else {}
    pairs = [
        ("action", row[3], entry.get("action")),
        ("actor_agency", row[4], actor.get("agency")),
        ("actor_role", row[5], actor.get("role")),
        ("actor_user", row[6], actor.get("user")),
        ("object_id", row[7], obj.get("id")),
        ("object_type", row[8], obj.get("type")),
        ("version", row[9], obj.get("version")),
        ("reason", row[10], entry.get("reason")),
        ("time", _time_text(row[11]), entry.get("time")),
    ]
    return [(name, column, hashed) for name, column, hashed in pairs if column != hashed]


def _time_text(value: Any) -> str:
    """A time column as the entry's text (``...Z``; no fraction when it is zero)."""
    if isinstance(value, str):  # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"))


def _entry_rows(with_object: bool = False) -> Iterator[list[tuple[Any, ...]]]:
    """Every entry in index order, in chunks of ``(index, bytes, stored leaf hash, columns agree)``
    and, ``with_object``, the object's type, id and version.

    The next chunk is fetched on a helper thread while the caller checks this one, so the database
    and the hashing overlap (waiting for the database releases the GIL).
    """
    full = _full_sql('"index" >= %s AND "index" < %s')
    pg = connection.vendor == "postgresql"
    fast = None if pg else _sqlite_sql(with_object)
    check = _columns_checker()
    db_error: type[Exception] = connection.Database.Error  # type: ignore[attr-defined]
    cur = _raw_cursor()

    def from_full(
        rows: list[tuple[Any, ...]], ok: Callable[[tuple[Any, ...]], bool]
    ) -> list[tuple[Any, ...]]:
        if with_object:
            return [(r[0], r[1], r[2], ok(r), r[8], r[7], r[9]) for r in rows]
        return [(r[0], r[1], r[2], ok(r)) for r in rows]

    def fetch(start: int) -> list[tuple[Any, ...]]:
        # Ranges of the primary key rather than ORDER BY ... LIMIT: the planner then never sorts
        # the whole table, and rows come back in (nearly) index order, sorted here.
        params = [start, start + CHUNK]
        if fast is None:
            cur.execute(full, params)
            rows = from_full(cur.fetchall(), check)
        else:
            try:
                cur.execute(fast, params)
                rows = cur.fetchall()
            except db_error:  # an entry SQLite cannot parse (altered bytes): check this chunk here
                cur.execute(full, params)
                rows = from_full(cur.fetchall(), _columns_match)
        rows.sort(key=_first)
        return rows

    try:
        cur.execute('SELECT min("index"), max("index") FROM ledger_entry')
        start, last = cur.fetchone()
        with ThreadPoolExecutor(1, thread_name_prefix="ledger-verify-fetch") as pool:
            ahead = pool.submit(fetch, start) if start is not None else None
            while ahead is not None:
                rows = ahead.result()
                if not rows:  # a hole (deleted entries, or a forged far-away index): jump over it
                    cur.execute(_sql('SELECT min("index") FROM ledger_entry WHERE "index" >= %s'), [start])
                    start = cur.fetchone()[0]
                    ahead = pool.submit(fetch, start) if start is not None else None
                    continue
                start += CHUNK
                ahead = pool.submit(fetch, start) if start <= last else None
                yield rows
    finally:
        cur.close()


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _embedded_index(raw: bytes, at: int) -> str:
    end = raw.find(b",", at + 9)
    return raw[at + 9 : end].decode("ascii", "replace") if at >= 0 and end > 0 else "?"


def _describe_columns(report: Report, indexes: list[int]) -> None:
    """Say which searchable columns of these entries disagree with their (unaltered) bytes."""
    cur = _raw_cursor()
    try:
        for index in indexes[: MAX_PER_KIND * 2]:
            cur.execute(_full_sql('"index" = %s'), [index])
            row = cur.fetchone()
            differences = _column_differences(row)
            if differences is None:
                report.add("unreadable", f"entry #{index} is not a JSON object (its bytes were altered)")
                continue
            if canonical_bytes(json.loads(bytes(row[1]))) != bytes(row[1]):
                report.add(
                    "not-canonical", f"entry #{index} is not in canonical form (its bytes were altered)"
                )
            for name, column, hashed in differences:
                report.add(
                    "columns",
                    f"entry #{index}: its {name} column says {column!r} but the hashed entry says "
                    f"{hashed!r} (the searchable columns were edited)",
                )
    finally:
        cur.close()
    if len(indexes) > MAX_PER_KIND * 2:
        report.add("columns", f"{len(indexes) - MAX_PER_KIND * 2} more entries have columns that disagree")


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


# Leaves are folded into perfect subtrees of this many leaves (a power of two); RFC 9162's tree over
# all leaves is then the tree over those subtree roots and the root of the unfinished rest.
SUBTREE = 1 << 14


class _Tree:
    """The Merkle tree of a stream of leaf hashes, keeping one hash per finished subtree."""

    def __init__(self) -> None:
        self.subroots: list[bytes] = []
        self.pending: list[bytes] = []
        self.size = 0

    def add(self, leaves: list[bytes], wanted: Iterable[int]) -> list[tuple[int, bytes]]:
        """Append ``leaves``; return the root at each size in ``wanted`` that they reach."""
        sizes = sorted(s for s in wanted if self.size < s <= self.size + len(leaves))
        roots: list[tuple[int, bytes]] = []
        i = 0
        while i < len(leaves):
            piece = leaves[i : i + SUBTREE - len(self.pending)]
            self.pending.extend(piece)
            self.size += len(piece)
            i += len(piece)
            while sizes and sizes[0] <= self.size:
                s = sizes.pop(0)
                roots.append((s, self._root(len(self.pending) - (self.size - s))))
            if len(self.pending) == SUBTREE:
                self.subroots.append(merkle.root(self.pending))
                self.pending = []
        return roots

    def _root(self, n_pending: int) -> bytes:
        nodes = self.subroots + ([merkle.root(self.pending[:n_pending])] if n_pending else [])
        return merkle.root(nodes)

    def root(self) -> bytes:
        return self._root(len(self.pending))


def verify(
    checkpoint_texts: Iterable[str] = (),
    *,
    check_state: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Recompute every leaf, the chain and the root; check checkpoints and the current-state tables.

    Each entry's bytes must hash to its recorded leaf hash and must begin and end exactly as its
    index, the previous leaf and its searchable columns imply, so a few comparisons per entry cover
    the position, the chain and the columns without parsing JSON; only a mismatch is parsed to say
    what is wrong.
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
    tree = _Tree()
    suspects: list[int] = []
    # The hot loop: local names, a few byte comparisons per entry, no JSON parsing.
    sha, b2a = hashlib.sha256, binascii.b2a_base64
    expected = 0
    prev_b64 = b""
    for rows in _entry_rows(with_object=check_state):
        leaves: list[bytes] = []
        for row in rows:
            index, raw, stored, columns_ok = row[0], row[1], row[2], row[3]
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
            leaf = sha(b"\x00" + raw).digest()
            altered = leaf != stored
            if altered:
                report.add(
                    "altered", f"entry #{index} was altered: its bytes do not match its recorded leaf hash"
                )
            # The entry's own index and the previous leaf hash sit near its end, top level: the
            # last ',"prev":"' and the last ',"index":' before it (strings cannot hold '"' unescaped).
            p = raw.rfind(b',"prev":"')
            q = raw.rfind(b',"index":', 0, p) if p > 0 else -1
            if q < 0:
                suspects.append(index)
            elif not raw.startswith(b'%d,"object":' % index, q + 9):
                report.add(
                    "moved",
                    f"entry #{index} holds the content of entry #{_embedded_index(raw, q)} "
                    "(entries swapped, moved or inserted)",
                )
            elif not (
                raw.startswith(prev_b64, p + 9) and raw.startswith(b'","reason":', p + 9 + len(prev_b64))
            ):
                if index == 0:
                    report.add(
                        "chain", "entry #0 names a previous entry: the start of the ledger was altered"
                    )
                elif not after_gap:
                    report.add(
                        "chain",
                        f"entry #{index} does not follow entry #{index - 1}: the hash chain is broken "
                        f"(entry #{index - 1} was altered or replaced, or #{index} was inserted)",
                    )
            if not columns_ok:
                if not altered:  # altered bytes already explain any difference
                    suspects.append(index)
            elif latest is not None and row[6] is not None:
                latest.note(index, raw, row[4], row[5], row[6])
            leaves.append(leaf)
            prev_b64 = b2a(leaf, newline=False)
            expected = index + 1
        for size, root in tree.add(leaves, wanted):
            _check_root(report, wanted.pop(size), size, root)
        report.entries_checked += len(leaves)
        if progress is not None:
            progress(report.entries_checked)
    if suspects:
        _describe_columns(report, suspects)
    report.size = tree.size
    report.root = tree.root()
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
    for rows in _entry_rows(with_object=True):
        for row in rows:
            if row[6] is None:
                continue
            raw = bytes(row[1])
            obj = _hashed_object(raw)  # from the bytes, whatever the columns say
            if obj is not None:
                latest.note(row[0], raw, *obj)
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
        # jsonable() only for values that are not already JSON: most columns are text.
        snap = {
            name: value if value is None or type(value) is str else jsonable(value)
            for name, value in zip(names, rest)
        }
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
