"""The one write path. Every change to a current-state row, and every read of personal data, is
written here together with its ledger entry in the same database transaction."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from django.db import connection, transaction
from django.db.models import Field
from django.db.models.sql import InsertQuery

from sightline.core.errors import NotFound
from sightline.ledger.canonical import canonical_bytes, jsonable
from sightline.ledger.errors import StaleVersionError
from sightline.ledger.guard import ledger_writes
from sightline.ledger.models import LedgeredModel, PendingEntry, new_id
from sightline.ledger.services import bulk, overlap
from sightline.ledger.services.entries import Actor, entry_body
from sightline.ledger.services.sequencer import (
    LOCK_KEY,
    append_in_transaction,
    background_sequencing,
    driver,
    integrate_after_commit,
    integrate_inline,
)

M = TypeVar("M", bound=LedgeredModel)

# Tables derived from current-state rows and kept outside the ledger (the people search index), by
# the ledger type of the rows they follow: each hook is called with the rows just written (and
# whether they are new), in the same transaction. Domains register theirs in AppConfig.ready().
WriteHook = Callable[[Sequence[LedgeredModel], bool], object]
write_hooks: dict[str, list[WriteHook]] = {}

# A hook's write in statement form, for a create in its own transaction on PostgreSQL: given the new
# object, data-modifying CTEs (``name AS (...)``, comma-separated, ``%s`` placeholders) and their
# parameters, or None when there is nothing to write. The create's own statement then carries them
# (one round trip, not two, for a write that is usually a web request's only one) and the hook is
# not called for it. Registered beside the hook, keyed by it.
StatementForm = Callable[[LedgeredModel], tuple[str, list[Any]] | None]
statement_forms: dict[WriteHook, StatementForm] = {}


def replay(hook: WriteHook, rows: Iterable[LedgeredModel], batch: int = 5000) -> int:
    """Call a write hook over ``rows`` as new ones, ``batch`` at a time: how a derived table is
    rebuilt from the current rows. Returns how many rows it was given."""
    count = 0
    chunk: list[LedgeredModel] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            hook(chunk, True)
            count += len(chunk)
            chunk = []
    if chunk:
        hook(chunk, True)
    return count + len(chunk)


def _written(objs: Sequence[LedgeredModel], created: bool) -> None:
    if objs:
        for hook in write_hooks.get(type(objs[0]).ledger_type(), ()):
            hook(objs, created)


def _enqueue(bodies: Sequence[dict[str, Any]], own_transaction: bool) -> None:
    """Ledger ``bodies`` in the caller's transaction (which must be open). ``own_transaction``: the
    write opened it, so it ends when the write returns."""
    if connection.vendor == "sqlite":
        # BEGIN IMMEDIATE already made this the only writer: sequence now, in the same transaction.
        append_in_transaction(bodies)
        return
    texts = [canonical_bytes(b).decode("utf-8") for b in bodies]
    if len(texts) == 1 and background_sequencing.is_set():
        # A background integrator sequences the queue: just queue (one statement, no lock).
        with connection.cursor() as cur:
            cur.execute("INSERT INTO ledger_pending (body) VALUES (%s)", texts)
        return
    if len(texts) == 1 and own_transaction:
        # This write's own transaction ends next. Queue the entry, unless the integrator lock is
        # free: then hold it until commit and sequence here, saving a second commit (one round trip
        # either way).
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_pending (body) SELECT %s WHERE NOT pg_try_advisory_xact_lock(%s) "
                "RETURNING id",
                [texts[0], LOCK_KEY],
            )
            row = cur.fetchone()
        if row is None:
            integrate_inline(bodies)
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
    transaction.on_commit(functools.partial(integrate_after_commit, last), robust=True)


_batch = threading.local()


@contextmanager
def batched_actions() -> Iterator[None]:
    """Within, :func:`record_action` outside a transaction only collects its entry; all are appended
    in one transaction when the block ends, whether or not it raised. A page that records several
    reads then takes the write lock (SQLite) or commits (PostgreSQL) once, not once each. The web
    wraps each request in this (``ledger.middleware``), so the entries are committed before any of
    the response is sent: if that fails, the response is an error, never data without its entry."""
    if getattr(_batch, "bodies", None) is not None:
        yield  # the outer block appends
        return
    _batch.bodies = []
    try:
        yield
    finally:
        bodies, _batch.bodies = _batch.bodies, None
        if bodies:
            with transaction.atomic():
                _enqueue(bodies, True)


def record_action(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    *,
    data: Any = None,
    reason: str = "",
) -> None:
    """Ledger something that is not a change to a current-state row: a read, a login, an export.

    Inside :func:`batched_actions` and outside a transaction, the entry is appended when the block
    ends; inside a transaction it is written in that transaction, with the change it goes with."""
    own = transaction.get_autocommit()
    body = entry_body(actor, action, object_type, object_id, None, jsonable(data), reason)
    pending = getattr(_batch, "bodies", None)
    if own and pending is not None:
        pending.append(body)
        return
    with transaction.atomic():
        _enqueue([body], own)


def do_create(obj: M, *, actor: Actor, action: str = "create", reason: str = "") -> M:
    """Insert a new object as version 1 and ledger its full content."""
    own = transaction.get_autocommit()
    lone_pg = own and connection.vendor == "postgresql"
    if lone_pg and background_sequencing.is_set() and _all_in_statement(obj):
        # The row, its queued entry and every write hook's rows are one statement: run alone, it
        # is its own transaction, so no BEGIN and COMMIT round trips around it.
        _new_version(obj)
        _pg_create_lone(obj, actor, action, reason)
        return obj
    with transaction.atomic(), ledger_writes():
        _new_version(obj)
        if lone_pg:
            for hook in _pg_create_lone(obj, actor, action, reason):
                hook([obj], True)
        else:
            obj.save(force_insert=True)
            body = entry_body(actor, action, obj.ledger_type(), obj.id, 1, obj.snapshot(), reason)
            _enqueue([body], own)
            _written([obj], True)
    return obj


def _new_version(obj: LedgeredModel) -> None:
    if not obj.id:
        obj.id = new_id(obj.id_prefix)
    obj.version = 1
    obj.full_clean(validate_unique=False, validate_constraints=False)


def _all_in_statement(obj: LedgeredModel) -> bool:
    return all(hook in statement_forms for hook in write_hooks.get(obj.ledger_type(), ()))


# psycopg prepares a statement after this many runs unless told to at once (``prepare=True``).
ONLY_WHEN_ASKED = 2**62

_insert_plans: dict[type[LedgeredModel], tuple[list[Field[Any, Any]], str]] = {}


def _insert_plan(model: type[LedgeredModel]) -> tuple[list[Field[Any, Any]], str]:
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


def _pg_create_lone(obj: LedgeredModel, actor: Actor, action: str, reason: str) -> list[WriteHook]:
    """PostgreSQL, a create in its own transaction: the row, its queued entry and the write hooks'
    statement forms in one statement (a data-modifying WITH runs whatever the outer query does),
    saving a round trip per write. As in ``_enqueue``: if the integrator lock is free, hold it and
    sequence here instead. Returns the hooks still to call (those without a statement form).

    With background sequencing the statement needs no transaction around it (it only queues the
    entry), so the caller may run it in autocommit: then the statement is the whole transaction."""
    model = type(obj)
    fields, plain_sql = _insert_plan(model)
    values = [f.pre_save(obj, True) for f in fields]  # auto_now and friends, as save() does
    if any(hasattr(v, "resolve_expression") for v in values):
        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        [(insert_sql, insert_params)] = query.get_compiler(connection=connection).as_sql()
    else:
        insert_sql = plain_sql
        insert_params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values)]
    rest: list[WriteHook] = []
    with_sql = f"WITH created AS ({insert_sql})"
    params = list(insert_params)
    for hook in write_hooks.get(obj.ledger_type(), ()):
        form = statement_forms.get(hook)
        if form is None:
            rest.append(hook)
            continue
        part = form(obj)
        if part is not None:
            with_sql += f", {part[0]}"
            params += part[1]
    body = entry_body(actor, action, obj.ledger_type(), obj.id, 1, obj.snapshot(), reason)
    text = canonical_bytes(body).decode("utf-8")
    background = background_sequencing.is_set()
    if background:  # someone else sequences the queue: the row and its queued entry, nothing more
        sql = f"{with_sql} INSERT INTO ledger_pending (body) VALUES (%s)"
        params.append(text)
    else:
        sql = (
            f"{with_sql} INSERT INTO ledger_pending (body) "
            "SELECT %s WHERE NOT pg_try_advisory_xact_lock(%s) RETURNING id"
        )
        params += [text, LOCK_KEY]
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's prepared statements off (its own cursors bind on the client);
        # allow them for statements that ask, as this one does, and for no others.
        raw.prepare_threshold = ONLY_WHEN_ASKED
    # Bound on the server and prepared once per connection: the statement's text is the same for
    # every create of a model, and parsing and planning it each time (as Django's client-side
    # binding does) cost as much as running it. Errors as Django's own (IntegrityError and so on).
    with connection.wrap_database_errors, driver().Cursor(raw) as cur:
        cur.execute(sql, params, prepare=insert_sql is plain_sql)
        row = None if background else cur.fetchone()
    obj._state.adding = False
    obj._state.db = connection.alias
    if background:
        return rest
    if row is None:
        integrate_inline([body])
        return rest
    transaction.on_commit(functools.partial(integrate_after_commit, int(row[0])), robust=True)
    return rest


def do_update(obj: M, *, actor: Actor, action: str = "update", reason: str = "") -> M:
    """Write a new version of an existing object. Fails if the row moved on since ``obj`` was read."""
    own = transaction.get_autocommit()
    with transaction.atomic(), ledger_writes():
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
        body = entry_body(actor, action, obj.ledger_type(), obj.id, obj.version, obj.snapshot(), reason)
        _enqueue([body], own)
        _written([obj], False)
    return obj


def do_bulk_create(
    objs: Sequence[M], *, actor: Actor, action: str = "create", reason: str = ""
) -> Sequence[M]:
    """Bulk form of :func:`do_create` for imports: one statement per table, same guarantees."""
    with transaction.atomic(savepoint=overlap.current() is None):
        out = bulk.bulk_create(objs, actor=actor, action=action, reason=reason)
        _written(out, True)
    return out


def do_bulk_update(
    objs: Sequence[M], *, actor: Actor, fields: Sequence[str], action: str = "update", reason: str = ""
) -> Sequence[M]:
    """Bulk new versions. Callers must hold the rows (e.g. a whole import is one transaction)."""
    with transaction.atomic():
        out = bulk.bulk_update(objs, actor=actor, fields=fields, action=action, reason=reason)
        _written(out, False)
    return out


def locked(model: type[M], object_id: str) -> M:
    """The row, locked for this transaction; NotFound if there is none."""
    obj = model._default_manager.select_for_update().filter(pk=object_id).first()
    if obj is None:
        raise NotFound(f"No such {model._meta.verbose_name}")
    return cast(M, obj)  # the guarded manager is typed for the base class


def check_version(obj: LedgeredModel, expected: int | None) -> None:
    """Refuse a write based on an older version than the row's (someone else changed it)."""
    if expected is not None and obj.version != expected:
        raise StaleVersionError(f"{obj.ledger_type()} {obj.pk} is at version {obj.version}, not {expected}")
