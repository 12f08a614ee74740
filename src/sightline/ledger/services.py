"""The one write path. Every change to a current-state row, and every read of personal data, is
written here together with its ledger entry in the same database transaction.

Sequencing follows Trillian and Tessera: a writer's transaction only appends to a queue
(``ledger_pending``); after commit, an integrator takes a short lock on the tree head, gives the
queued entries gapless indexes in one batch, chains and hashes them, and advances the compact range.
Many writers therefore commit in parallel and share one integration.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sightline.ledger import merkle, note
from sightline.ledger.canonical import canonical_bytes, jsonable
from sightline.ledger.models import Checkpoint, Entry, LedgeredModel, PendingEntry, TreeHead, new_id

M = TypeVar("M", bound=LedgeredModel)

INTEGRATE_BATCH = 20_000


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
) -> str:
    body = {
        "action": action,
        "actor": actor.as_json(),
        "data": data,
        "object": {"id": object_id, "type": object_type, "version": version},
        "reason": reason,
        "time": _now(),
    }
    return canonical_bytes(body).decode("utf-8")


def _enqueue(bodies: Sequence[str]) -> None:
    if len(bodies) == 1:
        PendingEntry.objects.create(body=bodies[0])
    else:
        PendingEntry.objects.bulk_create([PendingEntry(body=b) for b in bodies], batch_size=5000)
    transaction.on_commit(integrate)


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
        obj.save(force_insert=True)
        _enqueue([_body(actor, action, obj.ledger_type(), obj.id, 1, obj.snapshot(), reason)])
    return obj


def do_update(obj: M, *, actor: Actor, action: str = "update", reason: str = "") -> M:
    """Write a new version of an existing object. Fails if the row moved on since ``obj`` was read."""
    with transaction.atomic():
        model = type(obj)
        current = model.objects.select_for_update().only("version").get(pk=obj.pk)
        if current.version != obj.version:
            raise StaleVersionError(
                f"{obj.ledger_type()} {obj.pk} is at version {current.version}, not {obj.version}"
            )
        obj.version += 1
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save(force_update=True)
        _enqueue(
            [_body(actor, action, obj.ledger_type(), obj.id, obj.version, obj.snapshot(), reason)]
        )
    return obj


def do_bulk_create(
    objs: Sequence[M], *, actor: Actor, action: str = "create", reason: str = ""
) -> Sequence[M]:
    """Bulk form of :func:`do_create` for imports: one statement per table, same guarantees."""
    if not objs:
        return objs
    model = type(objs[0])
    with transaction.atomic():
        for obj in objs:
            if not obj.id:
                obj.id = new_id(obj.id_prefix)
            obj.version = 1
        model.objects.bulk_create(objs, batch_size=2000)
        lt = model.ledger_type()
        _enqueue([_body(actor, action, lt, o.id, 1, o.snapshot(), reason) for o in objs])
    return objs


def do_bulk_update(
    objs: Sequence[M], *, actor: Actor, fields: Sequence[str], action: str = "update", reason: str = ""
) -> Sequence[M]:
    """Bulk new versions. Callers must hold the rows (e.g. a whole import is one transaction)."""
    if not objs:
        return objs
    model = type(objs[0])
    with transaction.atomic():
        for obj in objs:
            obj.version += 1
        model.objects.bulk_update(objs, [*fields, "version"], batch_size=2000)
        lt = model.ledger_type()
        _enqueue([_body(actor, action, lt, o.id, o.version, o.snapshot(), reason) for o in objs])
    return objs


# --- sequencing and integration ------------------------------------------------------------------


def _tree_head(lock: bool, wait: bool) -> TreeHead | None:
    qs = TreeHead.objects.all()
    if lock:
        qs = qs.select_for_update(skip_locked=not wait) if connection.vendor != "sqlite" else qs
    head = qs.filter(id=1).first()
    if head is None and lock:
        if TreeHead.objects.filter(id=1).exists():
            return None  # locked by another integrator and we were asked not to wait
        empty = merkle.CompactRange()
        head = TreeHead(id=1, size=0, root=empty.root(), frontier=empty.to_bytes(), last_leaf_hash=b"")
        head.save(force_insert=True)
    return head


def entry_bytes(body: dict[str, Any], index: int, prev: bytes) -> bytes:
    body = dict(body)
    body["index"] = index
    body["prev"] = base64.b64encode(prev).decode("ascii")
    return canonical_bytes(body)


def integrate(wait: bool = True) -> int:
    """Sequence every queued entry. Returns the tree size afterwards.

    Safe to call from any number of processes: the tree-head row lock admits one integrator at a
    time, and the others either wait (``wait=True``) or leave the queue to it.
    """
    while True:
        with transaction.atomic():
            head = _tree_head(lock=True, wait=wait)
            if head is None:
                return -1
            pending = list(PendingEntry.objects.order_by("id")[:INTEGRATE_BATCH])
            if not pending:
                return head.size
            compact = merkle.CompactRange.from_bytes(bytes(head.frontier))
            prev = bytes(head.last_leaf_hash)
            index = head.size
            rows: list[Entry] = []
            for p in pending:
                body = json.loads(p.body)
                raw = entry_bytes(body, index, prev)
                leaf = merkle.leaf_hash(raw)
                obj = body["object"]
                actor = body["actor"]
                rows.append(
                    Entry(
                        index=index,
                        time=dt.datetime.fromisoformat(body["time"]),
                        actor_user=actor["user"],
                        actor_agency=actor["agency"],
                        actor_role=actor["role"],
                        action=body["action"],
                        object_type=obj["type"],
                        object_id=obj["id"],
                        version=obj["version"],
                        reason=body["reason"],
                        canonical=raw,
                        leaf_hash=leaf,
                    )
                )
                compact.append(leaf)
                prev = leaf
                index += 1
            Entry.objects.bulk_create(rows, batch_size=5000)
            PendingEntry.objects.filter(id__lte=pending[-1].id).delete()
            head.size = index
            head.root = compact.root()
            head.frontier = compact.to_bytes()
            head.last_leaf_hash = prev
            head.save()
            if len(pending) < INTEGRATE_BATCH:
                return index


# --- checkpoints ---------------------------------------------------------------------------------


def signing_key() -> Any:
    return note.load_or_create_signing_key(settings.LEDGER_KEY_PATH)


def key_name() -> str:
    return str(settings.LEDGER_ORIGIN)


def public_key() -> str:
    return note.verifier_key(key_name(), signing_key().public_key())


def do_checkpoint(out: Any = None) -> Checkpoint:
    """Sign the current tree head, keep it in the database and write it to the checkpoint folder."""
    integrate()
    with transaction.atomic():
        head = _tree_head(lock=True, wait=True)
        assert head is not None
        text = note.sign_checkpoint(
            str(settings.LEDGER_ORIGIN), head.size, bytes(head.root), signing_key(), key_name()
        )
        cp = Checkpoint.objects.create(size=head.size, root=bytes(head.root), note=text)
    folder = settings.LEDGER_CHECKPOINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"checkpoint-{head.size:012d}-{cp.id}.txt").write_text(text, encoding="utf-8")
    if out is not None:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    return cp


def checkpoint_if_due() -> Checkpoint | None:
    """Periodic checkpoints: one whenever the tree has grown by LEDGER_CHECKPOINT_EVERY entries."""
    size = integrate()
    last = Checkpoint.objects.order_by("-id").first()
    if size > 0 and (last is None or size - last.size >= settings.LEDGER_CHECKPOINT_EVERY):
        return do_checkpoint()
    return None


# --- rebuild -------------------------------------------------------------------------------------


def ledgered_models() -> list[type[LedgeredModel]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, LedgeredModel)]


def latest_versions(model: type[LedgeredModel]) -> dict[str, tuple[int, int, dict[str, Any]]]:
    """object id -> (version, entry index, data) of the latest version in the ledger."""
    out: dict[str, tuple[int, int, dict[str, Any]]] = {}
    rows = (
        Entry.objects.filter(object_type=model.ledger_type(), version__isnull=False)
        .order_by("index")
        .values_list("object_id", "version", "index", "canonical")
        .iterator(chunk_size=5000)
    )
    for object_id, version, index, raw in rows:
        seen = out.get(object_id)
        if seen is None or version > seen[0]:
            out[object_id] = (version, index, json.loads(bytes(raw))["data"])
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
            existing = set(model.objects.values_list("pk", flat=True))
            new = [o for o in objs if o.pk not in existing]
            old = [o for o in objs if o.pk in existing]
            model.objects.bulk_create(new, batch_size=2000)
            fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            if old:
                model.objects.bulk_update(old, fields, batch_size=2000)
            counts[model.ledger_type()] = len(objs)
            if progress:
                progress(model.ledger_type(), len(objs))
    return counts


def _delete_unknown(model: type[LedgeredModel], known: Iterable[str]) -> None:
    known_set = set(known)
    stray = [pk for pk in model.objects.values_list("pk", flat=True) if pk not in known_set]
    for i in range(0, len(stray), 1000):
        model.objects.filter(pk__in=stray[i : i + 1000]).delete()
