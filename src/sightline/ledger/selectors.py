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
    _kept: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str) -> None:
        n = self._kinds.get(kind, 0) + 1
        self._kinds[kind] = n
        if n <= MAX_PER_KIND:
            self.problems.append(message)
            self._kept.append((kind, message))

    def merge(self, other: Report) -> None:
        """Add what another (partial) report found, keeping each kind's limit and count."""
        for kind, message in other._kept:
            self.add(kind, message)
        for kind, n in other._kinds.items():
            kept = sum(1 for k, _m in other._kept if k == kind)
            self._kinds[kind] = self._kinds.get(kind, 0) + n - kept
        self.entries_checked += other.entries_checked

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
        ('"index"', "index"),
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
    differences = _column_differences(row)
    return differences is not None and not differences


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


def _entry_rows(
    with_object: bool = False, lo: int | None = None, hi: int | None = None
) -> Iterator[list[tuple[Any, ...]]]:
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
        params = [start, start + CHUNK if hi is None else min(start + CHUNK, hi)]
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
        cur.execute(
            _sql('SELECT min("index"), max("index") FROM ledger_entry WHERE "index" >= %s AND "index" < %s'),
            [-(2**62) if lo is None else lo, 2**62 if hi is None else hi],
        )
        start, last = cur.fetchone()
        with ThreadPoolExecutor(1, thread_name_prefix="ledger-verify-fetch") as pool:
            ahead = pool.submit(fetch, start) if start is not None else None
            while ahead is not None:
                rows = ahead.result()
                if not rows:  # a hole (deleted entries, or a forged far-away index): jump over it
                    cur.execute(_sql('SELECT min("index") FROM ledger_entry WHERE "index" >= %s'), [start])
                    start = cur.fetchone()[0]
                    if start is not None and start > last:
                        start = None
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

    def merge(self, other: _Latest) -> None:
        for object_type, theirs in other.by_type.items():
            mine = self.by_type.setdefault(object_type, {})
            for object_id, seen in theirs.items():
                if object_id not in mine or seen[0] > mine[object_id][0]:
                    mine[object_id] = seen


# Leaves are folded into perfect subtrees of this many leaves (a power of two); RFC 9162's tree over
# all leaves is then the tree over those subtree roots and the root of the unfinished rest.
SUBTREE = 1 << 14


class _Tree:
    """The Merkle tree of a stream of leaf hashes, keeping one hash per finished subtree."""

    def __init__(self) -> None:
        self.subroots: list[bytes] = []
        self.pending: list[bytes] = []
        self.size = 0

    def add(self, leaves: list[bytes], wanted: Iterable[int]) -> list[tuple[int, int, bytes | None]]:
        """Append ``leaves``. For each size in ``wanted`` that they reach: (size, number of finished
        subtrees below it, root of the leaves after those, or None)."""
        sizes = sorted(s for s in wanted if self.size < s <= self.size + len(leaves))
        found: list[tuple[int, int, bytes | None]] = []
        i = 0
        while i < len(leaves):
            piece = leaves[i : i + SUBTREE - len(self.pending)]
            self.pending.extend(piece)
            self.size += len(piece)
            i += len(piece)
            while sizes and sizes[0] <= self.size:
                s = sizes.pop(0)
                rest = len(self.pending) - (self.size - s)
                found.append((s, len(self.subroots), merkle.root(self.pending[:rest]) if rest else None))
            if len(self.pending) == SUBTREE:
                self.subroots.append(merkle.root(self.pending))
                self.pending = []
        return found

    def root(self) -> bytes:
        return _compose(self.subroots, merkle.root(self.pending) if self.pending else None)


def _compose(subroots: list[bytes], rest: bytes | None) -> bytes:
    return merkle.root(subroots + ([rest] if rest is not None else []))


@dataclass
class _Scan:
    """What one pass over a run of entries found (a process of its own when verifying in parallel)."""

    report: Report
    tree: _Tree
    at_sizes: list[tuple[int, int, bytes | None]]
    first_prev: bytes | None = None
    last_leaf: bytes | None = None
    expected: int = 0
    latest: _Latest | None = None


def _scan(
    lo: int | None,
    hi: int | None,
    sizes: list[int],
    check_state: bool,
    progress: Callable[[int], None] | None = None,
) -> _Scan:
    """Check the entries with index in [lo, hi) (all when None): their hashes, positions, chain and
    columns. Entries are numbered from ``lo``; ``sizes`` are tree sizes whose roots are wanted."""
    report = Report()
    base = lo or 0
    scan = _Scan(report, _Tree(), [], expected=base, latest=_Latest() if check_state else None)
    latest, tree = scan.latest, scan.tree
    local_sizes = [s - base for s in sizes]
    suspects: list[int] = []
    # The hot loop: local names, a few byte comparisons per entry, no JSON parsing.
    sha, b2a = hashlib.sha256, binascii.b2a_base64
    expected = base
    # Entry lo > 0 follows an entry another process checks: its link is compared when merging.
    prev_b64: bytes | None = b"" if base == 0 else None
    for rows in _entry_rows(check_state, lo, hi):
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
            # When the columns agree with the bytes, the embedded index has been compared already.
            p = raw.rfind(b',"prev":"')
            q = 0 if columns_ok else raw.rfind(b',"index":', 0, p) if p > 0 else -1
            if q < 0:
                suspects.append(index)
            elif not columns_ok and not raw.startswith(b'%d,"object":' % index, q + 9):
                report.add(
                    "moved",
                    f"entry #{index} holds the content of entry #{_embedded_index(raw, q)} "
                    "(entries swapped, moved or inserted)",
                )
            elif prev_b64 is None:
                scan.first_prev = raw[p + 9 : raw.find(b'"', p + 9)]
            elif not (
                raw.startswith(prev_b64, p + 9) and raw.startswith(b'","reason":', p + 9 + len(prev_b64))
            ):
                if index == 0:
                    report.add(
                        "chain", "entry #0 names a previous entry: the start of the ledger was altered"
                    )
                elif not after_gap:
                    report.add("chain", _chain_broken(index))
            if not columns_ok:
                if not altered:  # altered bytes already explain any difference
                    suspects.append(index)
            elif latest is not None and row[6] is not None:
                latest.note(index, raw, row[4], row[5], row[6])
            leaves.append(leaf)
            prev_b64 = b2a(leaf, newline=False)
            expected = index + 1
        if leaves:
            scan.last_leaf = leaves[-1]
        scan.at_sizes += [(s + base, k, rest) for s, k, rest in tree.add(leaves, local_sizes)]
        report.entries_checked += len(leaves)
        if progress is not None:
            progress(report.entries_checked)
    if suspects:
        _describe_columns(report, suspects)
    scan.expected = expected
    return scan


def _chain_broken(index: int) -> str:
    return (
        f"entry #{index} does not follow entry #{index - 1}: the hash chain is broken "
        f"(entry #{index - 1} was altered or replaced, or #{index} was inserted)"
    )


def _scan_in_child(lo: int, hi: int, sizes: list[int], check_state: bool) -> _Scan:
    from django.db import connections

    try:
        return _scan(lo, hi, sizes, check_state)
    finally:
        connections.close_all()


# Below this many entries one process is quicker than starting others.
PARALLEL_FROM = 4 * SUBTREE


def _ranges(workers: int) -> list[tuple[int, int]] | None:
    """Index ranges for parallel workers, on subtree boundaries; None to check in one process.

    Only for a gapless ledger, where an entry's position is its index (a damaged one is checked in
    one process, which also says best what is wrong), and outside a transaction, whose
    uncommitted rows other processes could not see.
    """
    if workers < 2 or connection.in_atomic_block:
        return None
    with connection.cursor() as cur:
        cur.execute('SELECT count(*), min("index"), max("index") FROM ledger_entry')
        n, lo, hi = cur.fetchone()
    if n < PARALLEL_FROM or lo != 0 or hi != n - 1:
        return None
    per = -(-n // workers // SUBTREE) * SUBTREE
    return [(start, min(start + per, n)) for start in range(0, n, per)]


def _scan_all(
    sizes: list[int], check_state: bool, workers: int, progress: Callable[[int], None] | None
) -> _Scan:
    ranges = _ranges(workers)
    if ranges is None:
        return _scan(None, None, sizes, check_state, progress)
    import multiprocessing

    from django.db import connections

    connections.close_all()  # forked children must open their own connections
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(len(ranges)) as pool:
        parts = pool.starmap(
            _scan_in_child, [(lo, hi, [s for s in sizes if lo < s <= hi], check_state) for lo, hi in ranges]
        )
    whole = parts[0]
    for part in parts[1:]:
        # Every range but the last ends on a subtree boundary, so the trees join by their subroots.
        last = whole.last_leaf
        if part.first_prev is not None and last is not None and part.first_prev != base64.b64encode(last):
            whole.report.add("chain", _chain_broken(whole.expected))
        whole.report.merge(part.report)
        before = len(whole.tree.subroots)
        whole.at_sizes += [(s, before + k, rest) for s, k, rest in part.at_sizes]
        whole.tree.subroots += part.tree.subroots
        whole.tree.pending = part.tree.pending
        whole.tree.size += part.tree.size
        whole.last_leaf, whole.expected = part.last_leaf, part.expected
        if whole.latest is not None and part.latest is not None:
            whole.latest.merge(part.latest)
    if progress is not None:
        progress(whole.report.entries_checked)
    return whole


def verify(
    checkpoint_texts: Iterable[str] = (),
    *,
    check_state: bool = True,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> Report:
    """Recompute every leaf, the chain and the root; check checkpoints and the current-state tables.

    Each entry's bytes must hash to its recorded leaf hash and must hold its own index and the
    previous entry's leaf hash, and its searchable columns must say what its bytes say; only an
    entry that fails is parsed to say what is wrong. ``workers`` > 1 checks a large, gapless
    ledger in that many forked processes (for the command line, not inside a threaded server).
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

    scan = _scan_all(sorted(wanted), check_state, workers, progress)
    report.merge(scan.report)
    tree = scan.tree
    for size, k, rest in scan.at_sizes:
        _check_root(report, wanted.pop(size), size, _compose(tree.subroots[:k], rest))
    report.size = tree.size
    report.root = tree.root()
    expected = scan.expected
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
    if scan.latest is not None:
        for problem in _state_problems(scan.latest, report):
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
