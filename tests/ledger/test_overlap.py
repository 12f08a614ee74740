"""Overlapped bulk writes (``ledger.services.overlap``): on PostgreSQL a writer thread stores one
batch while the caller encodes the next, in the same transaction and order; a failure anywhere
leaves nothing. On SQLite the block changes nothing."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from sightline.access.services import ensure_standard_agencies
from sightline.ledger.models import Entry
from sightline.ledger.selectors import verify
from sightline.ledger.services import SYSTEM, do_bulk_create, do_create, integrate, overlap, overlapped
from sightline.people.models import Extract

BATCH = 100  # above the size written as one VALUES statement, so the batch goes by COPY


def _extracts(first: int, n: int) -> list[Extract]:
    return [
        Extract(
            agency_id="police",
            source_name=f"overlap {i}",
            digest=f"{i:064d}",
            extracted_on=dt.date(2024, 1, 1),
            manifest={"n": i},
            record_count=i,
            imported_at=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
        )
        for i in range(first, first + n)
    ]


@pytest.mark.django_db
def test_batches_are_stored_in_order_and_a_query_sees_them() -> None:
    ensure_standard_agencies()
    start = integrate()
    written: list[Extract] = []
    with transaction.atomic(), overlapped():
        for b in range(4):
            written += do_bulk_create(_extracts(b * BATCH, BATCH), actor=SYSTEM, action="import")
        # A statement in the block waits for the writer: it sees every batch handed over.
        assert Extract.objects.filter(source_name__startswith="overlap ").count() == 4 * BATCH
        # A lone write after them takes the next index (the head was stored first).
        last = do_create(_extracts(9999, 1)[0], actor=SYSTEM)
        written += do_bulk_create(_extracts(5000, BATCH), actor=SYSTEM, action="import")
    assert integrate() == start + 5 * BATCH + 1
    order = list(Entry.objects.filter(index__gte=start).order_by("index").values_list("object_id", flat=True))
    assert order == [o.id for o in written[: 4 * BATCH]] + [last.id] + [o.id for o in written[4 * BATCH :]]
    report = verify()
    assert report.ok, report.problems[:5]


@pytest.mark.django_db
def test_the_next_batch_is_encoded_while_the_first_is_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("overlap is for PostgreSQL's COPY; on SQLite the block changes nothing")
    ensure_standard_agencies()
    release = threading.Event()
    stored_by: list[str] = []
    copy_in = overlap.copy_in

    def held(cur: Any, sql: str, values: list[list[Any]]) -> None:
        stored_by.append(threading.current_thread().name)
        if len(stored_by) == 1:
            assert release.wait(10), "the second batch was never encoded while the first waited"
        copy_in(cur, sql, values)

    monkeypatch.setattr(overlap, "copy_in", held)
    with transaction.atomic(), overlapped():
        do_bulk_create(_extracts(0, BATCH), actor=SYSTEM, action="import")
        # The first batch's COPY is held in the writer; this one is encoded meanwhile.
        do_bulk_create(_extracts(BATCH, BATCH), actor=SYSTEM, action="import")
        assert overlap.current() is not None
        release.set()
    assert len(stored_by) == 2
    assert all(name.startswith("sightline-bulk-writer") for name in stored_by)
    assert Extract.objects.filter(source_name__startswith="overlap ").count() == 2 * BATCH
    assert verify().ok


@pytest.mark.django_db
def test_a_failed_batch_raises_djangos_error_and_leaves_nothing() -> None:
    ensure_standard_agencies()
    start = integrate()
    first = _extracts(0, BATCH)
    again = _extracts(BATCH, BATCH)
    with pytest.raises(IntegrityError), transaction.atomic(), overlapped():
        do_bulk_create(first, actor=SYSTEM, action="import")
        again[7].id = first[3].id  # the same primary key: the second batch's COPY fails
        do_bulk_create(again, actor=SYSTEM, action="import")
    assert integrate() == start
    assert not Extract.objects.filter(source_name__startswith="overlap ").exists()
    assert verify().ok


@pytest.mark.django_db
def test_an_error_in_the_block_waits_for_the_writer_and_leaves_nothing() -> None:
    ensure_standard_agencies()
    start = integrate()
    with pytest.raises(RuntimeError, match="caller"), transaction.atomic(), overlapped():
        do_bulk_create(_extracts(0, BATCH), actor=SYSTEM, action="import")
        raise RuntimeError("the caller failed")
    assert integrate() == start
    assert not Extract.objects.filter(source_name__startswith="overlap ").exists()


@pytest.mark.django_db
def test_outside_postgresql_the_block_changes_nothing() -> None:
    with transaction.atomic(), overlapped():
        assert (overlap.current() is not None) == (connection.vendor == "postgresql")
    assert overlap.current() is None
