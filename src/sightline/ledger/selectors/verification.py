"""Full verification: every entry's hash, position, chain link and columns, the root, the
checkpoints, and (optionally) every current-state row."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, connections

from sightline.core import child
from sightline.ledger import merkle, note
from sightline.ledger.canonical import canonical_bytes
from sightline.ledger.models import SUBTREE_MIN_LEVEL, Checkpoint, TreeHead
from sightline.ledger.selectors.proofs import b64
from sightline.ledger.selectors.report import MAX_PER_KIND, Report
from sightline.ledger.selectors.rows import column_differences, entry_rows, full_sql, raw_cursor, sql
from sightline.ledger.selectors.state import LatestVersions, problems_against
from sightline.ledger.services import integrate, public_key
from sightline.ledger.services.sequencer import in_transaction

# Below this many entries one process is quicker than starting others.
PARALLEL_FROM = 65_536


def _checkpoints(extra: Iterable[str], upto: int) -> list[tuple[str, str]]:
    stored = Checkpoint.objects.filter(id__lte=upto)
    items = [(f"stored checkpoint {c.id} (size {c.size})", c.note) for c in stored]
    items += [(f"checkpoint file {i + 1}", text) for i, text in enumerate(extra)]
    return items


def _embedded_index(raw: bytes, at: int) -> str:
    end = raw.find(b",", at + 9)
    return raw[at + 9 : end].decode("ascii", "replace") if at >= 0 and end > 0 else "?"


def _describe_columns(report: Report, indexes: list[int]) -> None:
    """Say which searchable columns of these entries disagree with their (unaltered) bytes."""
    cur = raw_cursor()
    try:
        for index in indexes[: MAX_PER_KIND * 2]:
            cur.execute(full_sql('"index" = %s'), [index])
            row = cur.fetchone()
            differences = column_differences(row)
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
class _Scan:
    """What one pass over a run of entries found (a process of its own when verifying in parallel)."""

    report: Report
    tree: merkle.CompactRange  # the leaves seen
    at_sizes: list[merkle.CompactRange] = field(default_factory=list)  # the tree at each wanted size
    first_prev: bytes | None = None
    last_leaf: bytes | None = None
    expected: int = 0
    latest: LatestVersions | None = None
    subtrees: list[tuple[int, int, bytes]] = field(default_factory=list)  # those the leaves complete


def stored_subtrees(lo: int) -> dict[tuple[int, int], bytes]:
    """The stored subtrees that end after entry ``lo``, by (level, number)."""
    out: dict[tuple[int, int], bytes] = {}
    cur = raw_cursor()
    try:
        for level in range(SUBTREE_MIN_LEVEL, 63):
            # Subtree n of this level ends at (n + 1) * 2**level.
            cur.execute(
                sql("SELECT number, hash FROM ledger_subtree WHERE level = %s AND number >= %s"),
                [level, lo >> level],
            )
            out.update(((level, int(n)), bytes(h)) for n, h in cur.fetchall())
    finally:
        cur.close()
    return out


def check_subtrees(report: Report, computed: Iterable[tuple[int, int, bytes]], lo: int, hi: int) -> None:
    """The stored hashes of the subtrees that entries [lo, hi) complete against those computed from
    the entries. Proofs are made from them, so a wrong one would give proofs that fail. Rows that
    end past the tree head are reported too; those between ``hi`` and it are another run's."""
    if "ledger_subtree" not in connection.introspection.table_names():
        return  # a backup from before the table, checked before it is migrated (which fills it)
    stored = stored_subtrees(lo)
    # Read after the rows: a row is written with the head that reaches it.
    head = TreeHead.objects.filter(id=1).values_list("size", flat=True).first() or 0
    for level, number, h in computed:
        found = stored.pop((level, number), None)
        first, last = number << level, ((number + 1) << level) - 1
        if found is None:
            report.add("subtree", f"the stored hash of entries #{first} to #{last} is missing")
        elif found != h:
            report.add(
                "subtree",
                f"the stored hash of entries #{first} to #{last} does not match them "
                "(ledger_subtree was altered)",
            )
    for level, number in sorted(stored):
        first, last = number << level, ((number + 1) << level) - 1
        if last >= max(head, hi):
            report.add("subtree", f"a stored hash claims entries #{first} to #{last}, beyond the ledger")
        elif last < hi:
            report.add("subtree", f"a stored hash of entries #{first} to #{last} is not one of their own")


def _grow(
    tree: merkle.CompactRange, leaves: list[bytes], wanted: list[int], found: list[merkle.CompactRange]
) -> None:
    """Append ``leaves``, keeping a copy of the tree as it stands at each of the ``wanted`` sizes
    (ascending) that they reach."""
    i = 0
    while wanted and wanted[0] <= tree.size + len(leaves) - i:
        k = wanted.pop(0) - tree.size
        tree.extend(leaves[i : i + k])
        i += k
        found.append(tree.copy())
    tree.extend(leaves[i:] if i else leaves)


def _scan(
    lo: int | None,
    hi: int | None,
    sizes: list[int],
    check_state: bool,
    progress: Callable[[int], None] | None = None,
    keep_leaves: list[bytes] | None = None,
) -> _Scan:
    """Check the entries with index in [lo, hi) (all when None): their hashes, positions, chain and
    columns. Entries are numbered from ``lo``; ``sizes`` are tree sizes whose roots are wanted.
    ``keep_leaves`` collects the leaf hashes, in order."""
    report = Report()
    base = lo or 0
    scan = _Scan(report, merkle.CompactRange(base, (), base), expected=base)
    scan.subtrees = scan.tree.record(SUBTREE_MIN_LEVEL)
    if check_state:
        scan.latest = LatestVersions()
    latest, tree = scan.latest, scan.tree
    wanted = sorted(s for s in sizes if s > base)
    suspects: list[int] = []
    # The hot loop: local names, a few byte comparisons per entry, no JSON parsing.
    sha, b2a = hashlib.sha256, binascii.b2a_base64
    expected = base
    # Entry lo > 0 follows an entry another process checks: its link is compared when merging.
    prev_b64: bytes | None = b"" if base == 0 else None
    for rows in entry_rows(check_state, lo, hi):
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
            if keep_leaves is not None:
                keep_leaves.extend(leaves)
        _grow(tree, leaves, wanted, scan.at_sizes)
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
    try:
        return _scan(lo, hi, sizes, check_state)
    finally:
        connections.close_all()


def _ranges(workers: int) -> list[tuple[int, int]] | None:
    """Index ranges for parallel workers; None to check in one process.

    Only for a gapless ledger, where an entry's position is its index (a damaged one is checked in
    one process, which also says best what is wrong), and outside a transaction, whose
    uncommitted rows other processes could not see.
    """
    if workers < 2 or in_transaction():
        return None
    with connection.cursor() as cur:
        cur.execute('SELECT count(*), min("index"), max("index") FROM ledger_entry')
        n, lo, hi = cur.fetchone()
    if n < PARALLEL_FROM or lo != 0 or hi != n - 1:
        return None
    per = -(-n // workers)
    return [(start, min(start + per, n)) for start in range(0, n, per)]


def _scan_all(
    sizes: list[int], check_state: bool, workers: int, progress: Callable[[int], None] | None
) -> tuple[_Scan, dict[int, bytes]]:
    """Every entry checked, in one process or several: what was found, and the root at each of
    ``sizes`` the ledger reaches."""
    ranges = _ranges(workers)
    if ranges is None:
        parts = [_scan(None, None, sizes, check_state, progress)]
    else:
        with child.pool(len(ranges)) as pool:
            parts = pool.starmap(
                _scan_in_child,
                [(lo, hi, [s for s in sizes if lo < s <= hi], check_state) for lo, hi in ranges],
            )
    whole = _Scan(Report(), merkle.CompactRange(), latest=LatestVersions() if check_state else None)
    joined = whole.tree.record(SUBTREE_MIN_LEVEL)  # subtrees across the parts' edges
    roots: dict[int, bytes] = {}
    for part in parts:
        whole.subtrees += part.subtrees
        last = whole.last_leaf
        if part.first_prev is not None and last is not None and part.first_prev != base64.b64encode(last):
            whole.report.add("chain", _chain_broken(whole.expected))
        for at in part.at_sizes:
            tree = whole.tree.copy()
            tree.join(at)
            roots[tree.size] = tree.root()
        whole.tree.join(part.tree)
        whole.report.merge(part.report)
        whole.last_leaf, whole.expected = part.last_leaf, part.expected
        if whole.latest is not None and part.latest is not None:
            whole.latest.merge(part.latest)
    whole.subtrees += joined
    if progress is not None and ranges is not None:
        progress(whole.report.entries_checked)
    return whole, roots


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
    ledger in that many worker processes (for the command line, not inside a threaded server).
    """
    integrate()
    report = Report()
    vkey = public_key()
    wanted: dict[int, list[tuple[str, bytes]]] = {}
    report.checkpoint_id = Checkpoint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for label, text in _checkpoints(checkpoint_texts, report.checkpoint_id):
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

    scan, roots = _scan_all(sorted(wanted), check_state, workers, progress)
    report.merge(scan.report)
    for size, root in roots.items():
        _check_root(report, wanted.pop(size), size, root)
    report.size = scan.tree.size
    report.root = scan.tree.root()
    report.frontier = scan.tree.to_bytes()
    report.last_leaf = scan.last_leaf or b""
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
            f"tree head says {head_row.size} entries with root {b64(bytes(head_row.root))}, "
            f"the entries give {report.size} with root {b64(report.root)} (entries were altered, "
            "added or removed)",
        )
    check_subtrees(report, scan.subtrees, 0, report.size)
    if scan.latest is not None:
        for problem in problems_against(scan.latest, report):
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
