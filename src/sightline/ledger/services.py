"""The one write path. Every change to a current-state row, and every read of personal data, is
written here together with its ledger entry in the same database transaction.

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

import base64
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sightline.ledger import merkle, note
from sightline.ledger.canonical import canonical_bytes, jsonable
from sightline.ledger.models import Checkpoint, Entry, LedgeredModel, PendingEntry, new_id

M = TypeVar("M", bound=LedgeredModel)

INTEGRATE_BATCH = 20_000

log = logging.getLogger(__name__)
_sha256 = hashlib.sha256


@dataclass(frozen=True)
class Actor:
    """Who did something: a user (or system process), their agency and their role."""

    user: str
    agency: str
    role: str

    def as_json(self) -> dict[str, str]:
        return {"agency": self.agency, "role": self.role, "user": self.user}


SYSTEM = Actor(user="system", agency="sightline", role="system")


class StaleVersionError(Exception):
    """Someone else changed the object since it was read; the caller must reload and retry."""


class LedgerError(Exception):
    pass


def _now() -> str:
    return timezone.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _body(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    version: int | None,
    data: Any,
    reason: str,
) -> dict[str, Any]:
    """An entry without its index and prev (those are given when it is sequenced)."""
    return {
        "action": action,
        "actor": actor.as_json(),
        "data": data,
        "object": {"id": object_id, "type": object_type, "version": version},
        "reason": reason,
        "time": _now(),
    }


def _enqueue(bodies: Sequence[dict[str, Any]]) -> None:
    """Ledger ``bodies`` in the caller's transaction (which must be open)."""
    if connection.vendor == "sqlite":
        # BEGIN IMMEDIATE already made this the only writer: sequence now, in the same transaction.
        _append(bodies)
        return
    texts = [canonical_bytes(b).decode("utf-8") for b in bodies]
    if len(texts) == 1 and _integrator.is_set():
        # A background integrator sequences the queue: just queue (one statement, no lock).
        with connection.cursor() as cur:
            cur.execute("INSERT INTO ledger_pending (body) VALUES (%s)", texts)
        return
    if len(texts) == 1 and len(connection.atomic_blocks) == 1:
        # This write's own transaction ends next. Queue the entry, unless the integrator lock is
        # free: then hold it until commit and sequence here, saving a second commit (one round trip
        # either way).
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_pending (body) SELECT %s WHERE NOT pg_try_advisory_xact_lock(%s) "
                "RETURNING id",
                [texts[0], _LOCK_KEY],
            )
            row = cur.fetchone()
        if row is None:
            _integrate_inline(bodies)
            return
        last = int(row[0])
    elif len(texts) == 1:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO ledger_pending (body) VALUES (%s) RETURNING id", texts)
            last = int(cur.fetchone()[0])
    else:
        rows = PendingEntry.objects.bulk_create([PendingEntry(body=t) for t in texts], batch_size=5000)
        last = max(int(r.pk) for r in rows)
    # robust: the write has committed by then; a failed integration leaves the entry queued, not lost.
    transaction.on_commit(functools.partial(_integrate_after_commit, last), robust=True)


def record_action(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    *,
    data: Any = None,
    reason: str = "",
) -> None:
    """Ledger something that is not a change to a current-state row: a read, a login, an export."""
    with transaction.atomic():
        _enqueue([_body(actor, action, object_type, object_id, None, jsonable(data), reason)])


def do_create(obj: M, *, actor: Actor, action: str = "create", reason: str = "") -> M:
    """Insert a new object as version 1 and ledger its full content."""
    with transaction.atomic():
        if not obj.id:
            obj.id = new_id(obj.id_prefix)
        obj.version = 1
        obj.full_clean(validate_unique=False, validate_constraints=False)
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            _pg_create_lone(obj, actor, action, reason)
        else:
            obj.save(force_insert=True)
            _enqueue([_body(actor, action, obj.ledger_type(), obj.id, 1, obj.snapshot(), reason)])
    return obj


_insert_plans: dict[type[LedgeredModel], tuple[list[Any], str]] = {}


def _insert_plan(model: type[LedgeredModel]) -> tuple[list[Any], str]:
    """A model's concrete fields and its INSERT, built once (Django's compiler costs about a tenth
    of a lone write's CPU)."""
    plan = _insert_plans.get(model)
    if plan is None:
        fields = list(model._meta.local_concrete_fields)
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        plan = fields, f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
        _insert_plans[model] = plan
    return plan


def _pg_create_lone(obj: LedgeredModel, actor: Actor, action: str, reason: str) -> None:
    """PostgreSQL, a create in its own transaction: the row and its queued entry in one statement
    (a data-modifying WITH runs whatever the outer query does), saving a round trip per write.
    As in ``_enqueue``: if the integrator lock is free, hold it and sequence here instead."""
    model = type(obj)
    fields, plain_sql = _insert_plan(model)
    values = [f.pre_save(obj, True) for f in fields]  # auto_now and friends, as save() does
    if any(hasattr(v, "resolve_expression") for v in values):
        from django.db.models.sql import InsertQuery

        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        [(insert_sql, insert_params)] = query.get_compiler(connection=connection).as_sql()
    else:
        insert_sql = plain_sql
        insert_params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values)]
    body = _body(actor, action, obj.ledger_type(), obj.id, 1, obj.snapshot(), reason)
    text = canonical_bytes(body).decode("utf-8")
    background = _integrator.is_set()
    with connection.cursor() as cur:
        if background:  # someone else sequences the queue: the row and its queued entry, nothing more
            cur.execute(
                f"WITH created AS ({insert_sql}) INSERT INTO ledger_pending (body) VALUES (%s)",
                [*insert_params, text],
            )
        else:
            cur.execute(
                f"WITH created AS ({insert_sql}) INSERT INTO ledger_pending (body) "
                "SELECT %s WHERE NOT pg_try_advisory_xact_lock(%s) RETURNING id",
                [*insert_params, text, _LOCK_KEY],
            )
        row = None if background else cur.fetchone()
    obj._state.adding = False
    obj._state.db = connection.alias
    if background:
        return
    if row is None:
        _integrate_inline([body])
        return
    transaction.on_commit(functools.partial(_integrate_after_commit, int(row[0])), robust=True)


def do_update(obj: M, *, actor: Actor, action: str = "update", reason: str = "") -> M:
    """Write a new version of an existing object. Fails if the row moved on since ``obj`` was read."""
    with transaction.atomic():
        model = type(obj)
        current = model._default_manager.select_for_update().only("version").get(pk=obj.pk)
        if current.version != obj.version:
            raise StaleVersionError(
                f"{obj.ledger_type()} {obj.pk} is at version {current.version}, not {obj.version}"
            )
        obj.version += 1
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save(force_update=True)
        except Exception:
            obj.version -= 1  # the row did not move; let the caller fix and retry with this object
            raise
        _enqueue([_body(actor, action, obj.ledger_type(), obj.id, obj.version, obj.snapshot(), reason)])
    return obj


def do_bulk_create(
    objs: Sequence[M], *, actor: Actor, action: str = "create", reason: str = ""
) -> Sequence[M]:
    """Bulk form of :func:`do_create` for imports: one statement per table, same guarantees."""
    from sightline.ledger import bulk  # sequences in the caller's transaction; see its docstring

    return bulk.bulk_create(objs, actor=actor, action=action, reason=reason)


def do_bulk_update(
    objs: Sequence[M], *, actor: Actor, fields: Sequence[str], action: str = "update", reason: str = ""
) -> Sequence[M]:
    """Bulk new versions. Callers must hold the rows (e.g. a whole import is one transaction)."""
    from sightline.ledger import bulk

    return bulk.bulk_update(objs, actor=actor, fields=fields, action=action, reason=reason)


# --- sequencing and integration ------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    frontier: bytes
    last_leaf_hash: bytes


# Any fixed number: the PostgreSQL advisory lock that admits one integrator at a time.
_LOCK_KEY = 0x51_6C_6467


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _read_head() -> Head:
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
                [empty.root(), empty.to_bytes(), b"", _db_time(timezone.now())],
            )
    raise LedgerError("the ledger's tree head row cannot be created")


def entry_bytes(body: dict[str, Any], index: int, prev: bytes) -> bytes:
    """The canonical bytes of a sequenced entry: its body plus its index and the previous leaf hash."""
    body = dict(body)
    body["index"] = index
    body["prev"] = base64.b64encode(prev).decode("ascii")
    return canonical_bytes(body)


def _sequence(bodies: Iterable[dict[str, Any]], head: Head) -> tuple[Head, list[tuple[Any, ...]]]:
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
    compact = merkle.CompactRange.from_bytes(head.frontier)
    compact.extend(leaves)
    return Head(index, compact.root(), compact.to_bytes(), prev), rows


_ENTRY_COLUMNS = (
    '"index", "time", actor_user, actor_agency, actor_role, action, object_type, object_id, version, '
    "reason, canonical, leaf_hash"
)
_SET_HEAD = (
    "UPDATE ledger_treehead SET size = %s, root = %s, frontier = %s, last_leaf_hash = %s, updated_at = %s"
)


_VALUES_ROWS = 32
_VALUES_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_UNNEST_ARRAYS = (
    "%s::bigint[], %s::timestamptz[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::int[], %s::text[], %s::bytea[], %s::bytea[]"
)


def _write(rows: list[tuple[Any, ...]], new: Head, taken_ids: Sequence[int] = ()) -> None:
    """Insert sequenced entries, remove their queue rows and move the head, atomically."""
    if connection.vendor == "postgresql":
        import psycopg

        # One statement whatever the batch size (so also one transaction in autocommit): the
        # entries inserted, the queue rows deleted, the head moved. Small batches (the usual case)
        # go in as VALUES rows; large ones as column arrays, unnested, which keeps the statement
        # short but costs more per statement to adapt.
        if len(rows) <= _VALUES_ROWS:
            values = ", ".join([_VALUES_ROW] * len(rows))
            params: list[Any] = [v for row in rows for v in row]
            source = f"VALUES {values}"
        else:
            params = [list(c) for c in zip(*rows)]
            source = f"SELECT * FROM unnest({_UNNEST_ARRAYS})"
        sql = (
            f"WITH ins AS (INSERT INTO ledger_entry ({_ENTRY_COLUMNS}) {source}), "
            "del AS (DELETE FROM ledger_pending WHERE id = ANY(%s::bigint[])) "
            f"{_SET_HEAD} WHERE id = 1"
        )
        params += [list(taken_ids), new.size, new.root, new.frontier, new.last_leaf_hash, timezone.now()]
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(sql, params)
        return
    adapt = _db_time
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO ledger_entry ({_ENTRY_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})",
            [(r[0], adapt(r[1]), *r[2:]) for r in rows],
        )
        for i in range(0, len(taken_ids), 500):
            chunk = taken_ids[i : i + 500]
            cur.execute(f"DELETE FROM ledger_pending WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        cur.execute(
            f"{_SET_HEAD} WHERE id = 1",
            [new.size, new.root, new.frontier, new.last_leaf_hash, adapt(timezone.now())],
        )


def _append(bodies: Sequence[dict[str, Any]]) -> None:
    """SQLite: sequence inside the writer's own transaction, which already excludes other writers,
    after anything still queued (normally nothing)."""
    head = _read_head()
    with connection.cursor() as cur:
        cur.execute("SELECT id, body FROM ledger_pending ORDER BY id LIMIT %s", [INTEGRATE_BATCH])
        taken = cur.fetchall()
    new, rows = _sequence([*(json.loads(body) for _id, body in taken), *bodies], head)
    if rows:
        _write(rows, new, [i for i, _body in taken])


# The head and the next batch of the queue in one round trip. Rows stay queued until the write
# that sequences them removes them; the integrator lock keeps other integrators off them.
_TAKE_SQL = (
    "SELECT h.size, h.root, h.frontier, h.last_leaf_hash, p.id, p.body FROM ledger_treehead h "
    "LEFT JOIN LATERAL (SELECT id, body FROM ledger_pending ORDER BY id LIMIT %s) p ON true WHERE h.id = 1"
)


def _integrate_batch() -> tuple[int, int]:
    """Sequence up to INTEGRATE_BATCH queued entries. The caller holds the integrator lock (on
    SQLite the write transaction is the lock). Returns (tree size, entries taken)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(_TAKE_SQL, [INTEGRATE_BATCH])
            result = cur.fetchall()
            if not result:  # no head row yet
                _read_head()
                return _integrate_batch()
            size, root, frontier, last = result[0][:4]
            head = Head(int(size), bytes(root), bytes(frontier), bytes(last))
            taken = sorted((r[4], r[5]) for r in result if r[4] is not None)
        else:
            head = _read_head()
            cur.execute("SELECT id, body FROM ledger_pending ORDER BY id LIMIT %s", [INTEGRATE_BATCH])
            taken = list(cur.fetchall())
    if not taken:
        return head.size, 0
    new, rows = _sequence([json.loads(body) for _id, body in taken], head)
    _write(rows, new, [i for i, _body in taken])
    return new.size, len(taken)


def _drain() -> int:
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
    scope = "_xact" if connection.in_atomic_block else ""
    func = f"pg_advisory{scope}_lock" if wait else f"pg_try_advisory{scope}_lock"
    with connection.cursor() as cur:
        if pending_id is not None:
            cur.execute(f"SELECT {func}(%s) FROM ledger_pending WHERE id = %s", [_LOCK_KEY, pending_id])
        elif any_queued:
            cur.execute(
                f"SELECT {func}(%s) FROM (SELECT id FROM ledger_pending ORDER BY id LIMIT 1) q", [_LOCK_KEY]
            )
        else:
            cur.execute(f"SELECT {func}(%s)", [_LOCK_KEY])
        row = cur.fetchone()
    return row is not None and row[0] is not False


def _pg_integrate_locked() -> int:
    """Drain the queue holding the lock, let go, and look again: writers that found the lock busy
    left their entries to the holder."""
    if connection.in_atomic_block:
        # The lock lasts until the caller's transaction ends; look again after it commits.
        size = _drain()
        transaction.on_commit(lambda: integrate(wait=False), robust=True)
        return size
    while True:
        try:
            size = _drain()
        except BaseException:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
            raise
        with connection.cursor() as cur:
            # Let go and, only if something is queued, try again: one round trip. (Either order of
            # the two lock calls is correct: the second result says whether we hold the lock.) The
            # queue is read through its index: its heap is mostly rows deleted since the last vacuum.
            cur.execute(
                "SELECT pg_advisory_unlock(%s), CASE WHEN (SELECT id FROM ledger_pending ORDER BY id "
                "LIMIT 1) IS NOT NULL THEN pg_try_advisory_lock(%s) ELSE false END",
                [_LOCK_KEY, _LOCK_KEY],
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
                return _read_head().size
        return _drain()
    if not _pg_lock(wait):
        return -1
    return _pg_integrate_locked()


def _integrate_inline(bodies: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL, holding the integrator lock until this transaction ends: sequence what is queued
    and then ``bodies``, in this transaction."""
    with connection.cursor() as cur:
        cur.execute(_TAKE_SQL, [INTEGRATE_BATCH])
        result = cur.fetchall()
    if result:
        size, root, frontier, last = result[0][:4]
        head = Head(int(size), bytes(root), bytes(frontier), bytes(last))
        taken = sorted((r[4], r[5]) for r in result if r[4] is not None)
    else:
        head, taken = _read_head(), []
    new, rows = _sequence([*(json.loads(body) for _id, body in taken), *bodies], head)
    _write(rows, new, [i for i, _body in taken])
    transaction.on_commit(_look_again, robust=True)


def _look_again() -> None:
    # Writers that found the lock held while that transaction had it left their entries queued.
    if _pg_lock(wait=False, any_queued=True):
        _pg_integrate_locked()


def _integrate_after_commit(pending_id: int) -> None:
    # One round trip: gone means an integrator already sequenced it; busy means one will.
    if _pg_lock(wait=False, pending_id=pending_id):
        _pg_integrate_locked()


# --- checkpoints ---------------------------------------------------------------------------------


def signing_key() -> Any:
    return note.load_or_create_signing_key(settings.LEDGER_KEY_PATH)


def key_name() -> str:
    return str(settings.LEDGER_ORIGIN)


def public_key() -> str:
    return note.verifier_key(key_name(), signing_key().public_key())


def _write_file(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so no reader sees half a checkpoint."""
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def do_checkpoint(out: Any = None) -> Checkpoint:
    """Sign the current tree head, keep it in the database and write it to the checkpoint folder."""
    integrate()
    with transaction.atomic():
        head = _read_head()
        origin = str(settings.LEDGER_ORIGIN)
        text = note.sign_checkpoint(origin, head.size, head.root, signing_key(), key_name())
        cp = Checkpoint.objects.create(size=head.size, root=head.root, note=text)
    folder = Path(settings.LEDGER_CHECKPOINT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    _write_file(folder / f"checkpoint-{head.size:012d}-{cp.id}.txt", text)
    if out is not None:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    return cp


def checkpoint_if_due(min_growth: int | None = None) -> Checkpoint | None:
    """Checkpoint when the tree has grown by ``min_growth`` entries (LEDGER_CHECKPOINT_EVERY by default)
    since the last checkpoint. Also sequences anything left in the queue."""
    growth = settings.LEDGER_CHECKPOINT_EVERY if min_growth is None else min_growth
    size = integrate()
    last = Checkpoint.objects.order_by("-id").first()
    if size > 0 and (last is None or size - last.size >= max(growth, 1)):
        return do_checkpoint()
    return None


class _Background(threading.Thread):
    """A daemon thread for ``serve`` that runs until ``stop()``."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._stop_event = threading.Event()

    def stop(self, timeout: float | None = 10) -> None:
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


class Checkpointer(_Background):
    """Background thread for ``serve``: every interval, sequence the queue and checkpoint any growth."""

    def __init__(self, interval_seconds: float) -> None:
        super().__init__("sightline-checkpointer")
        self.interval = interval_seconds

    def run(self) -> None:
        from django.db import connection as conn

        try:
            while not self._stop_event.wait(self.interval):
                try:
                    checkpoint_if_due(min_growth=1)
                except Exception:
                    log.exception("periodic ledger checkpoint failed; will retry")
                    conn.close()  # a broken connection must not poison the next round
        finally:
            conn.close()


# Set while this process runs a background integrator: its writers then only queue their entries
# (PostgreSQL), one round trip and no lock each, and leave sequencing to it, as Trillian's
# frontends leave it to the sequencer.
_integrator = threading.Event()


class Integrator(_Background):
    """Background sequencing for ``serve`` on PostgreSQL: drain the queue whenever it holds entries,
    looking again at once while it does and backing off (up to ``max_wait``) while it is empty.

    It takes the integrator lock only for each drain, so ``integrate()`` and checkpoints elsewhere
    still work, and any number of processes may run one. Entries queued but not yet sequenced when
    it stops stay queued, committed, for the next integrator: nothing is lost.
    """

    def __init__(self, min_wait: float = 0.001, max_wait: float = 0.01) -> None:
        super().__init__("sightline-integrator")
        self.min_wait, self.max_wait = min_wait, max_wait

    def run(self) -> None:
        from django.db import connection as conn

        wait = self.min_wait
        try:
            while not self._stop_event.is_set():
                try:
                    with conn.cursor() as cur:
                        cur.execute("SELECT id FROM ledger_pending ORDER BY id LIMIT 1")
                        queued = cur.fetchone() is not None
                    if queued and integrate(wait=False) >= 0:
                        wait = self.min_wait
                        continue
                except Exception:
                    log.exception("background ledger integration failed; will retry")
                    conn.close()
                self._stop_event.wait(wait)
                wait = min(wait * 2, self.max_wait)
        finally:
            conn.close()

    def stop(self, timeout: float | None = 10) -> None:
        super().stop(timeout)
        _integrator.clear()
        integrate()  # sequence whatever is still queued, as writers would have


def start_integrator() -> Integrator | None:
    """Start background sequencing (PostgreSQL only; SQLite writers sequence in their own
    transaction). Call ``.stop()`` on the result at shutdown."""
    if connection.vendor != "postgresql":
        return None
    thread = Integrator()
    _integrator.set()
    thread.start()
    return thread


def start_checkpointer(interval_seconds: float = 300) -> Checkpointer:
    """Start the periodic checkpointer; call ``.stop()`` on the result at shutdown."""
    if interval_seconds <= 0:
        raise ValueError("checkpoint interval must be positive")
    thread = Checkpointer(interval_seconds)
    thread.start()
    return thread


# --- rebuild -------------------------------------------------------------------------------------


def ledgered_models() -> list[type[LedgeredModel]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, LedgeredModel)]


def latest_versions(model: type[LedgeredModel]) -> dict[str, tuple[int, int, dict[str, Any]]]:
    """object id -> (version, entry index, data) of the latest version in the ledger.

    Read from the hashed bytes, not the entry's searchable columns, which nothing protects.
    """
    kind = model.ledger_type()
    out: dict[str, tuple[int, int, dict[str, Any]]] = {}
    rows = (
        Entry.objects.filter(object_type=kind, version__isnull=False)
        .order_by("index")
        .values_list("index", "canonical")
        .iterator(chunk_size=5000)
    )
    for index, raw in rows:
        entry = json.loads(bytes(raw))
        obj = entry.get("object") or {}
        version = obj.get("version")
        if obj.get("type") != kind or not isinstance(version, int):
            continue
        seen = out.get(obj["id"])
        if seen is None or version > seen[0]:
            out[obj["id"]] = (version, index, entry["data"])
    return out


def rebuild(progress: Any = None) -> dict[str, int]:
    """Rewrite every current-state table from the ledger's latest versions."""
    integrate()
    counts: dict[str, int] = {}
    models_ = ledgered_models()
    with transaction.atomic():
        latest = {m: latest_versions(m) for m in models_}
        # Rows with no ledger history were forged: remove them, children before parents.
        for model in reversed(models_):
            _delete_unknown(model, latest[model])
        for model in models_:
            objs = [model.from_snapshot(d, v) for v, _i, d in latest[model].values()]
            existing = set(model._default_manager.values_list("pk", flat=True))
            new = [o for o in objs if o.pk not in existing]
            old = [o for o in objs if o.pk in existing]
            model._default_manager.bulk_create(new, batch_size=2000)
            fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            if old:
                model._default_manager.bulk_update(old, fields, batch_size=2000)
            counts[model.ledger_type()] = len(objs)
            if progress:
                progress(model.ledger_type(), len(objs))
    return counts


def _delete_unknown(model: type[LedgeredModel], known: Iterable[str]) -> None:
    known_set = set(known)
    stray = [pk for pk in model._default_manager.values_list("pk", flat=True) if pk not in known_set]
    for i in range(0, len(stray), 1000):
        model._default_manager.filter(pk__in=stray[i : i + 1000]).delete()
