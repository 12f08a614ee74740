"""Current state against the ledger: each current-state row beside its object's latest version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sightline.ledger.canonical import canonical_bytes, jsonable
from sightline.ledger.models import Entry, LedgeredModel
from sightline.ledger.selectors.report import Report
from sightline.ledger.selectors.rows import CHUNK, entry_rows
from sightline.ledger.services import integrate, ledgered_models


@dataclass
class LatestVersions:
    """Per object: its latest version, that entry's index and a digest of its data."""

    by_type: dict[str, dict[str, tuple[int, int, bytes]]] = field(default_factory=dict)

    def note(self, index: int, raw: bytes, object_type: str, object_id: str, version: int) -> None:
        objs = self.by_type.setdefault(object_type, {})
        seen = objs.get(object_id)
        if seen is None or version > seen[0]:
            start = raw.find(b',"data":') + 8
            end = raw.rfind(b',"index":')
            objs[object_id] = (version, index, hashlib.sha256(raw[start:end]).digest())

    def merge(self, other: LatestVersions) -> None:
        for object_type, theirs in other.by_type.items():
            mine = self.by_type.setdefault(object_type, {})
            for object_id, seen in theirs.items():
                if object_id not in mine or seen[0] > mine[object_id][0]:
                    mine[object_id] = seen


def state_problems(report: Report | None = None) -> list[str]:
    """Compare each current-state row with its object's latest version in the ledger."""
    integrate()
    latest = LatestVersions()
    for rows in entry_rows(with_object=True):
        for row in rows:
            if row[6] is None:
                continue
            raw = bytes(row[1])
            obj = _hashed_object(raw)  # from the bytes, whatever the columns say
            if obj is not None:
                latest.note(row[0], raw, *obj)
    return problems_against(latest, report)


def _hashed_object(raw: bytes) -> tuple[str, str, int] | None:
    try:
        obj = json.loads(raw).get("object") or {}
        return str(obj["type"]), str(obj["id"]), int(obj["version"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _rows(model: type[LedgeredModel], pks: list[str] | None = None) -> Iterator[tuple[str, int, bytes]]:
    """(pk, version, canonical bytes of the row's snapshot) for every row of ``model`` (or those
    with primary key in ``pks``)."""
    if pks is not None:
        for i in range(0, len(pks), 500):
            yield from _rows_of(model, model._default_manager.filter(pk__in=pks[i : i + 500]))
        return
    yield from _rows_of(model, model._default_manager.all())


def _rows_of(model: type[LedgeredModel], qs: Any) -> Iterator[tuple[str, int, bytes]]:
    if model.snapshot is not LedgeredModel.snapshot:
        for obj in qs.iterator(chunk_size=CHUNK):
            yield obj.pk, obj.version, canonical_bytes(obj.snapshot())
        return
    # The fast path builds LedgeredModel.snapshot() from plain values, without model instances.
    pk = model._meta.pk
    assert pk is not None
    names = [f.attname for f in model._meta.concrete_fields if f.name != "version"]
    pk_pos = names.index(pk.attname)
    for values in qs.values_list("version", *names).iterator(chunk_size=CHUNK):
        version, rest = values[0], values[1:]
        # jsonable() only for values that are not already JSON: most columns are text.
        snap = {
            name: value if value is None or type(value) is str else jsonable(value)
            for name, value in zip(names, rest)
        }
        yield rest[pk_pos], version, canonical_bytes(snap)


def problems_against(latest: LatestVersions, report: Report | None) -> list[str]:
    """What differs between the current-state tables and ``latest`` (counting rows in ``report``)."""
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


def problems_of_touched(latest: LatestVersions, report: Report, upto: int) -> list[str]:
    """As :func:`problems_against`, for only the objects that ``latest`` saw (the entries of an
    incremental check, below index ``upto``). A row ahead of them is fine if the ledger holds its
    version at or after ``upto``: written since the check began."""
    problems: list[str] = []
    for model in ledgered_models():
        kind = model.ledger_type()
        known = latest.by_type.get(kind)
        if not known:
            continue
        seen: set[str] = set()
        for pk, version, snap in _rows(model, sorted(known)):
            seen.add(pk)
            report.rows_checked += 1
            l_version, index, digest = known[pk]
            if version > l_version:
                if not Entry.objects.filter(
                    object_type=kind, object_id=pk, version=version, index__gte=upto
                ).exists():
                    problems.append(
                        f"{kind} {pk}: row is at version {version}, which the ledger does not hold "
                        f"(its latest is {l_version}, entry #{index})"
                    )
                continue
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
