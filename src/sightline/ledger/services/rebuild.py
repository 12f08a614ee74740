"""Rebuild: rewrite every current-state table from the ledger's latest versions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import transaction

from sightline.ledger.guard import ledger_writes
from sightline.ledger.models import Entry, LedgeredModel
from sightline.ledger.services.sequencer import integrate

# Called at the end of a rebuild, in its transaction: derived tables rebuilt from the new rows.
rebuild_hooks: list[Callable[[], object]] = []


def ledgered_models() -> list[type[LedgeredModel]]:
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


def rebuild(progress: Callable[[str, int], object] | None = None) -> dict[str, int]:
    """Rewrite every current-state table from the ledger's latest versions."""
    integrate()
    counts: dict[str, int] = {}
    models_ = ledgered_models()
    with transaction.atomic(), ledger_writes():
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
        for hook in rebuild_hooks:
            hook()
    return counts


def _delete_unknown(model: type[LedgeredModel], known: Iterable[str]) -> None:
    known_set = set(known)
    stray = [pk for pk in model._default_manager.values_list("pk", flat=True) if pk not in known_set]
    for i in range(0, len(stray), 1000):
        model._default_manager.filter(pk__in=stray[i : i + 1000]).delete()
