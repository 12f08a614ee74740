"""The fast bulk path (``sightline.ledger.bulk``): entries byte-for-byte what the one-object path
would write, rows equal to the ledger's versions, queued entries kept in order, and no gap when
bulk and single writers run at once. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from sightline.access.services import ensure_standard_agencies
from sightline.ledger.models import Entry, PendingEntry
from sightline.ledger.selectors import verify
from sightline.ledger.services import (
    SYSTEM,
    Actor,
    do_bulk_create,
    do_bulk_update,
    do_create,
    entry_bytes,
    integrate,
)
from sightline.people.models import Extract, Person

MANIFESTS: list[Any] = [
    {"format": "multi-agency-extract/1", "agency": "police", "n": 3},
    {"b": "x", "a": 1.5, "when": "2024-01-01"},  # a float: the entry holds "1.5", the column 1.5
    {"emoji 😀": "v", "é": ["x", 2, None, True], "nested": {"z": {"y": "ü"}}},  # beyond the BMP
    {"sneaky": "\\u0000sightline-json-0"},  # text like the splice marker: the slow path
    {'quote"and\\slash': "line\nbreak\ttab\u2028"},
    [],
    "just text",
]


def _extracts() -> list[Extract]:
    now = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    return [
        Extract(
            agency_id="police",
            source_name=f"extract {i} ✓",
            digest=f"{i:064d}",
            extracted_on=dt.date(2024, 1, 1 + i),
            period_start=None if i % 2 else dt.date(2023, 1, 1),
            manifest=m,
            record_count=i,
            imported_at=now,
        )
        for i, m in enumerate(MANIFESTS)
    ]


def _slow_path_bytes(entry: Entry, obj: Any) -> bytes:
    """What the one-object path (``_body`` + ``entry_bytes``) gives for this object and entry."""
    stored = json.loads(bytes(entry.canonical))
    body = {
        "action": entry.action,
        "actor": {"agency": entry.actor_agency, "role": entry.actor_role, "user": entry.actor_user},
        "data": obj.snapshot(),
        "object": {"id": obj.id, "type": obj.ledger_type(), "version": obj.version},
        "reason": entry.reason,
        "time": stored["time"],
    }
    return entry_bytes(body, entry.index, base64_prev(stored))


def base64_prev(stored: dict[str, Any]) -> bytes:
    return base64.b64decode(stored["prev"])


@pytest.mark.django_db
def test_bulk_entries_are_the_canonical_bytes_and_rows_keep_their_values() -> None:
    ensure_standard_agencies()
    start = integrate()
    objs = do_bulk_create(_extracts(), actor=SYSTEM, action="import", reason="bulk ✓")
    assert integrate() == start + len(objs)
    for i, obj in enumerate(objs):
        entry = Entry.objects.get(index=start + i)
        assert bytes(entry.canonical) == _slow_path_bytes(entry, obj)
        assert (entry.object_id, entry.version, entry.action) == (obj.id, 1, "import")
        row = Extract.objects.get(pk=obj.pk)
        assert row.manifest == MANIFESTS[i]  # the column keeps the value, float and all
        assert row.snapshot() == obj.snapshot() == json.loads(bytes(entry.canonical))["data"]
    assert json.loads(bytes(Entry.objects.get(index=start + 1).canonical))["data"]["manifest"]["a"] == "1.5"

    for obj in objs:
        obj.manifest = {"v": 2, "was": obj.source_name}
        obj.record_count += 10
    do_bulk_update(objs, actor=SYSTEM, fields=["manifest", "record_count"], reason="again")
    size = integrate()
    assert size == start + 2 * len(objs)
    for i, obj in enumerate(objs):
        row = Extract.objects.get(pk=obj.pk)
        assert (row.version, row.record_count, row.manifest) == (2, i + 10, obj.manifest)
    report = verify()
    assert report.ok, report.problems[:5]


@pytest.mark.django_db
def test_a_large_bulk_update_keeps_every_value() -> None:
    """More rows than one statement's worth: on PostgreSQL they go by COPY and one UPDATE ... FROM."""
    ensure_standard_agencies()
    many = [o for _ in range(6) for o in _extracts()]
    objs = do_bulk_create(many, actor=SYSTEM, action="import", reason="")
    untouched = do_bulk_create(_extracts(), actor=SYSTEM, action="import", reason="")
    assert len(objs) > 32
    for i, obj in enumerate(objs):
        obj.manifest = MANIFESTS[(i + 1) % len(MANIFESTS)]
        obj.period_start = None if i % 3 else dt.date(2020, 1, 1 + i % 28)
        obj.record_count = 1000 + i
    do_bulk_update(objs, actor=SYSTEM, fields=["manifest", "period_start", "record_count"], reason="all")
    integrate()
    for i, obj in enumerate(objs):
        row = Extract.objects.get(pk=obj.pk)
        assert (row.version, row.record_count, row.period_start) == (2, 1000 + i, obj.period_start)
        assert row.manifest == MANIFESTS[(i + 1) % len(MANIFESTS)]
        entry = Entry.objects.filter(object_id=obj.pk, version=2).get()
        assert row.snapshot() == json.loads(bytes(entry.canonical))["data"]
    assert all(Extract.objects.get(pk=o.pk).version == 1 for o in untouched)
    report = verify()
    assert report.ok, report.problems[:5]


@pytest.mark.django_db
def test_queued_entries_of_the_same_transaction_are_sequenced_first() -> None:
    start = integrate()
    with transaction.atomic():
        first = do_create(Person(given_name="Queued", family_name="First"), actor=SYSTEM)
        people = do_bulk_create([Person(given_name=f"B{i}") for i in range(5)], actor=SYSTEM)
    assert integrate() == start + 6
    order = list(Entry.objects.filter(index__gte=start).order_by("index").values_list("object_id", flat=True))
    assert order == [first.id, *(p.id for p in people)]
    assert not PendingEntry.objects.exists()
    assert verify().ok


@pytest.mark.django_db
def test_a_failed_bulk_write_leaves_nothing() -> None:
    start = integrate()
    good = Person(given_name="Good")
    with pytest.raises(IntegrityError), transaction.atomic():
        do_bulk_create([good], actor=SYSTEM)
        clash = Person(id=good.id, given_name="Same id")
        do_bulk_create([clash], actor=SYSTEM)
    assert integrate() == start
    assert not Person.objects.filter(pk=good.id).exists()
    assert verify().ok


def _bulk_writer(tag: str, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        barrier.wait(timeout=60)
        actor = Actor(user=f"bulk-{tag}", agency="police", role="system")
        for round_ in range(3):
            with transaction.atomic():
                do_create(Person(given_name=f"{tag}-{round_}", family_name="Single"), actor=actor)
                do_bulk_create(
                    [Person(given_name=f"{tag}-{round_}-{i}", family_name="Bulk") for i in range(40)],
                    actor=actor,
                )
            do_create(Person(given_name=f"{tag}-{round_}", family_name="Alone"), actor=actor)
    except BaseException as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.usefixtures("committed")
def test_bulk_and_single_writers_at_once_leave_no_gap() -> None:
    ensure_standard_agencies()
    before = integrate()
    writers = 2 if connection.vendor == "sqlite" else 4
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_bulk_writer, args=(str(i), barrier, errors)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    size = integrate()
    assert size == before + writers * 3 * 42
    assert list(Entry.objects.order_by("index").values_list("index", flat=True)) == list(range(size))
    assert not PendingEntry.objects.exists()
    assert Person.objects.count() == writers * 3 * 42
    report = verify()
    assert report.ok, report.problems[:5]
