"""Fast bulk writes for imports and batch jobs: the body of ``do_bulk_create`` / ``do_bulk_update``.

Same guarantees as the single-object path, less work per row:

* each object's snapshot is built once and its entry's canonical bytes are encoded once; a JSON
  column's text is encoded once and spliced into the entry, and is also what the column stores;
* the entries are sequenced straight into ``ledger_entry`` inside the caller's transaction, so they
  never take the ``ledger_pending`` round trip (encode, store, decode, encode again). On PostgreSQL
  this takes the integrator's lock (a transaction-scoped advisory lock with the integrator's key)
  and first sequences whatever is already queued; the lock is held until the caller commits, and the
  queue is looked at again after commit, as the sequencer does. On SQLite the write
  transaction (BEGIN IMMEDIATE) already excludes every other writer;
* current-state rows go in with one prepared statement (SQLite ``executemany``) or ``COPY``
  (PostgreSQL), adapted by each field's ``get_db_prep_save`` unless the value needs none.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

from sightline.ledger.canonical import MAX_INT, encode_text, jsonable
from sightline.ledger.errors import LedgerError
from sightline.ledger.guard import ledger_writes
from sightline.ledger.models import LedgeredModel, new_id
from sightline.ledger.services import overlap
from sightline.ledger.services.entries import Actor, entry_body, entry_bytes
from sightline.ledger.services.sequencer import (
    ENTRY_COLUMNS,
    SET_HEAD,
    VALUES_ROWS,
    Head,
    db_time,
    drain,
    extend_head,
    lock_in_transaction,
    look_again,
    read_head,
    write_entries,
    write_subtrees,
)

M = TypeVar("M", bound=LedgeredModel)

_encode = encode_text
_sha256 = hashlib.sha256
_b64 = base64.b64encode
# Characters beyond the BMP: canonical_bytes hands such text to the rfc8785 reference encoder.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_STR_ONLY = frozenset({str})
_SENTINEL = "\x00sightline-json-{}\x00"
_SENTINEL_JSON = '"\\u0000sightline-json-{}\\u0000"'

# Field values that need no adapting when already of this type (everything else, including None
# where it matters, goes through get_db_prep_save).
_PLAIN_TYPES: tuple[tuple[type[models.Field[Any, Any]], tuple[type, ...]], ...] = (
    (models.BooleanField, (bool,)),
    (models.CharField, (str,)),
    (models.TextField, (str,)),
    (models.IntegerField, (int,)),
)


@dataclass(frozen=True)
class _Col:
    field: models.Field[Any, Any]
    attname: str
    column: str
    kind: str  # "plain", "json" or "prep"
    plain: tuple[type, ...]


@dataclass(frozen=True)
class _Plan:
    table: str
    cols: tuple[_Col, ...]  # every concrete field, in model order
    snap: tuple[_Col, ...]  # the snapshot's fields (all but version)
    json_cols: tuple[_Col, ...]
    auto: tuple[models.Field[Any, Any], ...]  # fields whose pre_save sets a value (auto_now...)
    fast_rows: bool  # False: leave the state rows to Django's bulk_create / bulk_update
    own_snapshot: bool  # the model overrides snapshot(): call it


_plans: dict[type[LedgeredModel], _Plan] = {}


def _plan(model: type[LedgeredModel]) -> _Plan:
    plan = _plans.get(model)
    if plan is not None:
        return plan
    cols = []
    fast = not model._meta.parents
    for f in model._meta.concrete_fields:
        if getattr(f, "generated", False) or f.has_db_default():
            fast = False
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        plain: tuple[type, ...] = ()
        for cls, types in _PLAIN_TYPES:
            if isinstance(target, cls):
                plain = types
                break
        if isinstance(f, models.JSONField) and f.encoder is None:
            kind = "json"
        else:
            kind = "plain" if plain else "prep"
        cols.append(_Col(f, f.attname, str(f.column), kind, plain))
    auto = tuple(
        c.field
        for c in cols
        if getattr(c.field, "auto_now", False) or getattr(c.field, "auto_now_add", False)
    )
    snap = tuple(c for c in cols if c.field.name != "version")
    plan = _Plan(
        model._meta.db_table,
        tuple(cols),
        snap,
        tuple(c for c in snap if c.kind == "json"),
        auto,
        fast,
        model.snapshot is not LedgeredModel.snapshot,
    )
    _plans[model] = plan
    return plan


def _jsonable(value: Any) -> Any:
    t = type(value)
    if value is None or t is str or t is bool:
        return value
    if t is int and -MAX_INT <= value <= MAX_INT:
        return value
    if (
        t is dict
        and _STR_ONLY.issuperset(map(type, value.values()))
        and _STR_ONLY.issuperset(map(type, value))
    ):
        return value  # a CSV row: already what the ledger stores
    return jsonable(value)


def _db_value(col: _Col, value: Any) -> Any:
    if value is None or (col.plain and type(value) in col.plain):
        return value
    return col.field.get_db_prep_save(value, connection)


# --- sequencing ----------------------------------------------------------------------------------


def _lock_and_read_head() -> Head:
    """Become the only sequencer until the caller's transaction ends, and read the head."""
    if connection.vendor == "postgresql":
        lock_in_transaction()
        # Entries queued before ours (our own transaction's included) keep their place in the order.
        drain()
        # Writers that found the lock held while we had it leave their entries queued for us. One
        # hook per batch: after the first, the others find the queue empty in one round trip each.
        transaction.on_commit(look_again, robust=True)
    return read_head()


def _encode_objects(
    objs: Sequence[LedgeredModel],
    plan: _Plan,
    actor: Actor,
    action: str,
    reason: str,
    head: Head,
) -> tuple[Head, list[tuple[Any, ...]], list[dict[str, Any]]]:
    """(new head, ledger_entry rows, per object the DB value of each JSON column)."""
    lt = type(objs[0]).ledger_type()
    now = timezone.now().astimezone(dt.UTC)
    stamp = now.isoformat().replace("+00:00", "Z")
    time_value = now if connection.vendor == "postgresql" else db_time(now)
    actor_json = actor.as_json()
    index = head.size
    prev = head.last_leaf_hash
    leaves: list[bytes] = []
    rows: list[tuple[Any, ...]] = []
    json_db: list[dict[str, Any]] = []
    snap_cols = [(c.attname, c.kind == "json") for c in plan.snap]
    sentinels = [(_SENTINEL.format(i), _SENTINEL_JSON.format(i)) for i in range(len(plan.json_cols))]
    # The entry's keys in canonical (sorted) order: action, actor, data, index, object, prev, reason,
    # time. Everything but data, index, object and prev is the same for the whole batch.
    head_text = f'{{"action":{_encode(action)},"actor":{_encode(actor_json)},"data":'
    tail_text = f'"reason":{_encode(reason)},"time":{_encode(stamp)}}}'
    type_text = f',"type":{_encode(lt)},"version":'
    for obj in objs:
        d = obj.__dict__
        snap: dict[str, Any] = obj.snapshot() if plan.own_snapshot else {}
        texts: list[tuple[str, str]] = []
        real: dict[str, Any] = {}
        dbv: dict[str, Any] = {}
        for attname, is_json in () if plan.own_snapshot else snap_cols:
            value = d[attname] if attname in d else getattr(obj, attname)
            t = type(value)
            if t is str or value is None or t is bool:
                snap[attname] = value
            elif is_json:
                jv = _jsonable(value)
                text = _encode(jv)
                sentinel, sentinel_json = sentinels[len(texts)]
                snap[attname] = sentinel
                texts.append((sentinel_json, text))
                real[attname] = jv
                # The column keeps the value as given; its canonical text is that value unless
                # jsonable had to change something (floats, dates...).
                dbv[attname] = text if (jv is value or jv == value) else None
            else:
                snap[attname] = _jsonable(value)
        version = obj.version
        if type(version) is not int:
            raise LedgerError(f"{lt} {obj.id}: version {version!r} is not an integer")
        raw = "".join(
            (
                head_text, _encode(snap), ',"index":', str(index), ',"object":{"id":', _encode(obj.id),
                type_text, str(version), '},"prev":"', _b64(prev).decode("ascii"), '",', tail_text,
            )
        )  # fmt: skip
        spliced = True
        for sentinel_json, text in texts:
            if raw.count(sentinel_json) != 1 or "sightline-json-" in text:
                spliced = False
                break
            raw = raw.replace(sentinel_json, text, 1)
        if not spliced or (not raw.isascii() and _ASTRAL.search(raw)):
            snap.update(real)
            body = entry_body(actor, action, lt, obj.id, obj.version, snap, reason)
            body["time"] = stamp
            data = entry_bytes(body, index, prev)
        else:
            data = raw.encode("utf-8")
        leaf = _sha256(b"\x00" + data).digest()
        rows.append(
            (
                index, time_value, actor.user, actor.agency, actor.role, action, lt, obj.id, obj.version,
                reason, data, leaf,
            )
        )  # fmt: skip
        json_db.append(dbv)
        leaves.append(leaf)
        prev = leaf
        index += 1
    return extend_head(head, leaves, index, prev), rows, json_db


# Binary COPY types, in the order of ENTRY_COLUMNS.
_ENTRY_TYPES = ["int8", "timestamptz", *["text"] * 6, "int4", "text", "bytea", "bytea"]


def _copy_entries(cur: Any, rows: list[tuple[Any, ...]]) -> None:
    # Binary: the entry bytes and hashes go as they are, not hex-encoded and decoded again.
    with cur.copy(f"COPY ledger_entry ({ENTRY_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_ENTRY_TYPES)
        for row in rows:
            copy.write_row(row)


def _write_entries(rows: list[tuple[Any, ...]], new: Head) -> None:
    if connection.vendor == "postgresql":
        if len(rows) <= VALUES_ROWS:
            write_entries(rows, new)
            return
        # COPY inside the caller's transaction: adapting column arrays for one big statement costs
        # psycopg several times more CPU per entry than streaming rows.
        with connection.wrap_database_errors, connection.connection.cursor() as cur:
            _copy_entries(cur, rows)
            cur.execute(
                f"{SET_HEAD} WHERE id = 1",
                [new.size, new.root, new.frontier, new.last_leaf_hash, timezone.now()],
            )
        write_subtrees(new.subtrees)
        return
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO ledger_entry ({ENTRY_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})", rows)
        cur.execute(
            f"{SET_HEAD} WHERE id = 1",
            [new.size, new.root, new.frontier, new.last_leaf_hash, db_time(timezone.now())],
        )
    write_subtrees(new.subtrees)


# --- current-state rows --------------------------------------------------------------------------


def _column_value(col: _Col, obj: LedgeredModel, json_db: dict[str, Any]) -> Any:
    value = getattr(obj, col.attname)
    if col.kind == "json" and value is not None:
        text = json_db.get(col.attname)
        if text is not None:
            return text
    return _db_value(col, value)


def _insert_rows(
    model: type[LedgeredModel], objs: Sequence[LedgeredModel], plan: _Plan, json_db: list[dict[str, Any]]
) -> None:
    if not plan.fast_rows:
        model._default_manager.bulk_create(objs, batch_size=2000)
        return
    sql, values = _row_values(objs, plan, json_db)
    if connection.vendor == "postgresql":
        # psycopg's own cursor for COPY; its errors mapped to Django's (IntegrityError...).
        with connection.wrap_database_errors, connection.connection.cursor() as cur:
            overlap.copy_in(cur, sql, values)
        return
    with connection.cursor() as cur:
        cur.executemany(sql, values)


class _Adapt:
    """Marks a JSON value whose column text must be made by its field (never a plain type)."""


_ADAPT = _Adapt()


def _plain(col: _Col, value: Any) -> bool:
    if value is None:
        return True
    if col.kind == "json":
        return type(value) is str
    return bool(col.plain) and type(value) in col.plain


def _row_values(
    objs: Sequence[LedgeredModel], plan: _Plan, json_db: list[dict[str, Any]]
) -> tuple[str, list[list[Any]]]:
    """The statement (COPY on PostgreSQL, else INSERT) and each object's column values."""
    qn = connection.ops.quote_name
    cols = plan.cols
    names = ", ".join(qn(c.column) for c in cols)
    values = []
    attnames = [c.attname for c in cols]
    take = itemgetter(*attnames)
    json_at = [(i, c.attname) for i, c in enumerate(cols) if c.kind == "json"]
    # The column types of a row that needs no adapting (JSON columns apart), learnt as met: most
    # rows of a batch share one or two, so each row is one C-level lookup, not a loop over columns.
    plain_rows: set[tuple[type, ...]] = set()
    for obj, jdb in zip(objs, json_db):
        d = obj.__dict__
        try:
            row = list(take(d))
        except KeyError:  # a deferred field
            row = [getattr(obj, a) for a in attnames]
        for i, attname in json_at:
            if row[i] is not None:
                text = jdb.get(attname)  # the column's JSON text, already encoded for the entry
                row[i] = text if text is not None else _ADAPT
        kinds = tuple(map(type, row))
        if kinds not in plain_rows:
            if not all(_plain(c, v) for c, v in zip(cols, row)):
                row = [_column_value(c, obj, jdb) for c in cols]
                values.append(row)
                continue
            plain_rows.add(kinds)
        values.append(row)
    if connection.vendor == "postgresql":
        return f"COPY {qn(plan.table)} ({names}) FROM STDIN", values
    return f"INSERT INTO {qn(plan.table)} ({names}) VALUES ({', '.join(['%s'] * len(cols))})", values


def _update_rows(
    model: type[LedgeredModel],
    objs: Sequence[LedgeredModel],
    plan: _Plan,
    fields: Sequence[str],
    json_db: list[dict[str, Any]],
) -> None:
    names = [*fields, "version"]
    if not plan.fast_rows:
        model._default_manager.bulk_update(objs, names, batch_size=2000)
        return
    by_attname = {c.attname: c for c in plan.cols}
    chosen: list[_Col] = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        col = by_attname[field.attname]
        if col not in chosen:
            chosen.append(col)
    qn = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    sets = ", ".join(f"{qn(c.column)} = %s" + ("::jsonb" if pg and c.kind == "json" else "") for c in chosen)
    pk = model._meta.pk
    assert pk is not None
    params = [[*(_column_value(c, obj, jdb) for c in chosen), obj.pk] for obj, jdb in zip(objs, json_db)]
    if pg and len(params) > VALUES_ROWS:
        _update_by_copy(plan.table, [c.column for c in chosen], str(pk.column), params)
        return
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {qn(plan.table)} SET {sets} WHERE {qn(str(pk.column))} = %s", params)


def _update_by_copy(table: str, columns: list[str], pk: str, params: list[list[Any]]) -> None:
    """Many rows' new values by ``COPY`` into a temporary table, then one ``UPDATE ... FROM``: one
    statement for the server to plan and run instead of one per row (a linkage run at a million
    records rewrites nearly every record)."""
    qn = connection.ops.quote_name
    temp = qn(f"_sl_update_{table}")
    keep = ", ".join(qn(c) for c in [*columns, pk])
    sets = ", ".join(f"{qn(c)} = u.{qn(c)}" for c in columns)
    with connection.wrap_database_errors, connection.connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {keep} FROM {qn(table)} WITH NO DATA")
        overlap.copy_in(cur, f"COPY {temp} ({keep}) FROM STDIN", params)
        cur.execute(f"ANALYZE {temp}")
        cur.execute(f"UPDATE {qn(table)} AS t SET {sets} FROM {temp} AS u WHERE t.{qn(pk)} = u.{qn(pk)}")
        cur.execute(f"DROP TABLE {temp}")


def instances(model: type[M], rows: Sequence[dict[str, Any]]) -> list[M]:
    """New, unsaved instances from values by attname, built without ``Model.__init__``'s per-field
    work: 1.1 µs each instead of 4.4 µs, which would cost an import of person rows about 8%.
    Fields not given take their defaults; unknown names fail.

    The one place the ledger relies on Django's internals (``object.__new__`` and ``ModelState``):
    it does what ``Model.__init__`` of Django 5.2 does for attnames and defaults. A model with
    ``pre_init`` or ``post_init`` receivers is built through ``__init__``, so they run.
    ``tests/ledger/test_internals.py`` fails when ``Model.__init__`` changes
    (docs/decisions/0005-write-path-and-django-internals.md).
    """
    if model._meta.abstract:
        raise TypeError(f"{model.__name__} is abstract and cannot be instantiated")
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return [model(**values) for values in rows]
    attnames = set()
    fixed: dict[str, Any] = {}
    called: list[models.Field[Any, Any]] = []
    for f in model._meta.concrete_fields:
        attnames.add(f.attname)
        if f.has_default() and callable(f.default):
            called.append(f)
        else:
            fixed[f.attname] = f.get_default()
    out: list[M] = []
    new = object.__new__
    for values in rows:
        if not attnames.issuperset(values):
            raise TypeError(f"{model.__name__} has no field {sorted(set(values) - attnames)[0]!r}")
        obj = new(model)
        obj._state = ModelState()
        d = obj.__dict__
        d.update(fixed)
        for f in called:
            if f.attname not in values:
                d[f.attname] = f.get_default()
        d.update(values)
        out.append(obj)
    return out


# --- entry points --------------------------------------------------------------------------------


def bulk_create(objs: Sequence[M], *, actor: Actor, action: str, reason: str) -> Sequence[M]:
    """Insert ``objs`` as version 1 and ledger each, in the caller's transaction (or a new one)."""
    if not objs:
        return objs
    model = type(objs[0])
    plan = _plan(model)
    ahead = overlap.current()
    # Overlapped: no savepoint (its statements would wait for the writer), the block's transaction.
    with transaction.atomic(savepoint=ahead is None), ledger_writes():
        if ahead is not None and not (plan.fast_rows and len(objs) > VALUES_ROWS):
            ahead.flush()  # small or unusual: written here, in order, after everything handed over
            ahead = None
        for obj in objs:
            if not obj.id:
                obj.id = new_id(obj.id_prefix)
            obj.version = 1
            for f in plan.auto:
                f.pre_save(obj, add=True)
        head = (ahead and ahead.head) or _lock_and_read_head()
        new, rows, json_db = _encode_objects(objs, plan, actor, action, reason, head)
        if ahead is not None:
            sql, values = _row_values(objs, plan, json_db)

            def store(raw: Any) -> None:
                with raw.cursor() as cur:
                    overlap.copy_in(cur, sql, values)
                    _copy_entries(cur, rows)

            ahead.submit(store, new)
        else:
            _insert_rows(model, objs, plan, json_db)
            _write_entries(rows, new)
        alias = connection.alias  # once: each use of the proxy looks the connection up again
        for obj in objs:
            obj._state.adding = False
            obj._state.db = alias
    return objs


def bulk_update(
    objs: Sequence[M], *, actor: Actor, fields: Sequence[str], action: str, reason: str
) -> Sequence[M]:
    """Write new versions of ``objs`` (their ``fields``). Callers must hold the rows."""
    if not objs:
        return objs
    model = type(objs[0])
    plan = _plan(model)
    with transaction.atomic(), ledger_writes():
        for obj in objs:
            obj.version += 1
        head = _lock_and_read_head()
        new, rows, json_db = _encode_objects(objs, plan, actor, action, reason, head)
        _update_rows(model, objs, plan, fields, json_db)
        _write_entries(rows, new)
    return objs
