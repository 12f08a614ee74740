"""Importing agency extracts: all or nothing per extract, idempotent, every change ledgered.

An extract is read and checked in full first (``validation.read_extract``); only an extract with no
problem at all is written, in one transaction, through the ledger's bulk write path. Re-importing
the same extract changes nothing: its digest is known, and failing that every row is compared with
the version held. A later extract from the same agency writes new versions of the rows it changes.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sightline.access.models import Agency
from sightline.extracts.encoded import agreement_of, split_record
from sightline.extracts.mapping import NO_MAPPING, Mapping
from sightline.extracts.validation import (
    ParsedExtract,
    Problem,
    Progress,
    normalise_postcode,
    parse_when,
    partial_date_problem,
    read_extract,
)
from sightline.ledger.models import new_id
from sightline.ledger.services import (
    SYSTEM,
    Actor,
    do_bulk_create,
    do_bulk_update,
    do_create,
    instances,
    overlapped,
)
from sightline.people import nhs
from sightline.people.models import Extract, SourceEvent, SourceRecord
from sightline.people.news import announce_import
from sightline.people.pprl.models import EncodedRecord

# Rows per bulk write. On PostgreSQL a batch is stored while the next is encoded, so smaller batches
# let the server start sooner and leave less to wait for at the end.
BATCH = 1000
RECORD_FIELDS = ["extract", "row_number", "data", "given_name", "family_name", "date_of_birth", "postcode"]
EVENT_FIELDS = ["extract", "row_number", "record", "kind", "occurred_on", "ended_on", "data"]


@dataclass
class ImportResult:
    path: str
    status: str  # imported, unchanged or rejected
    agency: str = ""
    extract_id: str = ""
    records_created: int = 0
    records_updated: int = 0
    records_unchanged: int = 0
    records_superseded: int = 0
    events_created: int = 0
    events_updated: int = 0
    events_unchanged: int = 0
    rows: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        if self.status == "rejected":
            return f"{self.path}: rejected, {len(self.problems)} problems; nothing was written"
        if self.status == "unchanged":
            return f"{self.path}: already imported ({self.agency}); nothing changed"
        return (
            f"{self.path}: imported as {self.extract_id} ({self.agency}): records "
            f"{self.records_created} new, {self.records_updated} updated, {self.records_unchanged} unchanged"
            + (f", {self.records_superseded} older than held" if self.records_superseded else "")
            + f"; events {self.events_created} new, {self.events_updated} updated, "
            f"{self.events_unchanged} unchanged ({self.rows_per_second:,.0f} rows/s)"
        )


def registered_agencies() -> set[str]:
    return set(Agency.objects.filter(active=True).values_list("pk", flat=True))


@lru_cache(maxsize=65_536)
def _dob_column(dob: str) -> str:
    return dob if dob and partial_date_problem(dob) is None else ""


@lru_cache(maxsize=65_536)
def _postcode_column(postcode: str) -> str:
    return normalise_postcode(postcode)[:10]


def _search_columns(data: dict[str, Any]) -> dict[str, str]:
    # Dates of birth and postcodes repeat across a town's rows: each is checked once (cached).
    get = data.get
    return {
        "given_name": str(get("given_name") or "").strip()[:200],
        "family_name": str(get("family_name") or "").strip()[:200],
        "date_of_birth": _dob_column(str(get("date_of_birth") or "").strip()[:10]),
        "postcode": _postcode_column(str(get("postcode") or "").strip()[:20]),
    }


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: an import allocates hundreds of thousands of objects and
    no reference cycles, and the collections that allocation triggers cost a sixth of its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def do_import_extract(
    path: str | Path,
    *,
    actor: Actor = SYSTEM,
    mapping: Mapping = NO_MAPPING,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Check one extract in full and, only if it has no problem, write it in one transaction.

    ``now`` is when Sightline received it (default: now); the demo replays months of monthly extracts.
    """
    started = time.perf_counter()
    with _gc_paused():
        parsed = read_extract(path, mapping, known_agencies=registered_agencies(), progress=progress)
        if not parsed.ok:
            return ImportResult(
                path=str(path), status="rejected", agency=parsed.agency, problems=parsed.problems
            )
        result = _write(parsed, actor, progress, now)
    result.seconds = time.perf_counter() - started
    return result


def read_for_import(
    path: str | Path, mapping: Mapping = NO_MAPPING, progress: Progress | None = None
) -> ParsedExtract:
    """Read and check one extract, as ``do_import_extract`` does first (for ordering several)."""
    with _gc_paused():
        return read_extract(path, mapping, known_agencies=registered_agencies(), progress=progress)


def do_import_parsed(
    parsed: ParsedExtract, *, actor: Actor = SYSTEM, progress: Progress | None = None
) -> ImportResult:
    """Write an extract already read by :func:`read_for_import` (rejected if it has problems)."""
    if not parsed.ok:
        return ImportResult(
            path=parsed.path, status="rejected", agency=parsed.agency, problems=parsed.problems
        )
    started = time.perf_counter()
    with _gc_paused():
        result = _write(parsed, actor, progress)
    result.seconds = time.perf_counter() - started
    return result


def _lock_agency(agency: str) -> None:
    # Two imports for one agency at once would race on record versions: serialise them.
    if connection.vendor != "sqlite":
        list(Agency.objects.select_for_update().filter(pk=agency).values_list("pk", flat=True))


def _write(
    parsed: ParsedExtract, actor: Actor, progress: Progress | None, now: dt.datetime | None = None
) -> ImportResult:
    agency = parsed.agency
    result = ImportResult(path=parsed.path, status="unchanged", agency=agency)
    result.rows = len(parsed.people) + len(parsed.events)
    reason = f"import of {Path(parsed.path).name} ({agency}, extracted {parsed.manifest['extracted_on']})"
    this_date = parsed.extracted_on
    with transaction.atomic(), overlapped():
        _lock_agency(agency)
        if Extract.objects.filter(agency_id=agency, digest=parsed.digest).exists():
            return result

        held: dict[str, tuple[str, dict[str, Any], Any]] = {}
        if SourceRecord.objects.filter(agency_id=agency).exists():
            rows = SourceRecord.objects.filter(agency_id=agency).values_list(
                "record_id", "id", "data", "extract__extracted_on"
            )
            held = {rid: (pk, data, when) for rid, pk, data, when in rows.iterator(chunk_size=5000)}
        new_records: list[tuple[int, dict[str, Any]]] = []
        changed_records: dict[str, tuple[int, dict[str, Any]]] = {}
        record_pk: dict[str, str] = {}
        people, encodings = _split_encoded(parsed)
        for row, data in people:
            rid = data["record_id"].strip()
            old = held.get(rid)
            if old is None:
                new_records.append((row, data))
                continue
            record_pk[rid] = old[0]
            if old[1] == data:
                result.records_unchanged += 1
            elif old[2] > this_date:
                result.records_superseded += 1  # an older extract must not overwrite a newer one
            else:
                changed_records[old[0]] = (row, data)

        held_events: dict[str, tuple[str, dict[str, Any], str, Any]] = {}
        if parsed.events and SourceEvent.objects.filter(agency_id=agency).exists():
            erows = SourceEvent.objects.filter(agency_id=agency).values_list(
                "event_id", "id", "data", "record_id", "extract__extracted_on"
            )
            held_events = {e: (pk, d, r, w) for e, pk, d, r, w in erows.iterator(chunk_size=5000)}
        for _row, data in new_records:
            record_pk[data["record_id"].strip()] = new_id(SourceRecord.id_prefix)
        new_events: list[tuple[int, dict[str, Any]]] = []
        changed_events: dict[str, tuple[int, dict[str, Any]]] = {}
        for row, data in parsed.events:
            old_event = held_events.get(data["event_id"].strip())
            if old_event is None:
                new_events.append((row, data))
            elif old_event[1] == data:
                result.events_unchanged += 1
            elif old_event[3] <= this_date:
                changed_events[old_event[0]] = (row, data)

        # The same rows again, repackaged: nothing to record. An extract with no rows at all is
        # recorded, though: that an agency sent nothing for a period is a fact.
        news = new_records or changed_records or new_events or changed_events
        if not news and (parsed.people or parsed.events):
            return result

        children, with_nhs = nhs.completeness((data for _row, data in parsed.people), this_date)
        extract = do_create(
            Extract(
                agency_id=agency,
                source_name=Path(parsed.path).name[:300],
                digest=parsed.digest,
                extracted_on=this_date,
                period_start=parsed.period("period_start"),
                period_end=parsed.period("period_end"),
                manifest=parsed.manifest,
                record_count=len(parsed.people),
                event_count=len(parsed.events),
                imported_at=now or timezone.now(),
                child_records=children,
                child_records_with_nhs=with_nhs,
            ),
            actor=actor,
            action="import",
            reason=reason,
        )
        if progress:
            progress.begin(
                f"writing {agency}",
                len(new_records) + len(changed_records) + len(new_events) + len(changed_events),
            )
        for chunk in _chunks(new_records):
            objs = instances(
                SourceRecord,
                [
                    {
                        "id": record_pk[data["record_id"].strip()],
                        "agency_id": agency,
                        "record_id": data["record_id"].strip(),
                        "extract_id": extract.id,
                        "row_number": row,
                        "data": data,
                        **_search_columns(data),
                    }
                    for row, data in chunk
                ],
            )
            do_bulk_create(objs, actor=actor, action="import", reason=reason)
            if progress:
                progress.update(len(objs))
        result.records_created = len(new_records)

        for pks in _chunks(sorted(changed_records)):
            objs = list(SourceRecord.objects.select_for_update().filter(pk__in=pks))
            for obj in objs:
                row, data = changed_records[obj.pk]
                obj.extract_id = extract.id
                obj.row_number = row
                obj.data = data
                for key, value in _search_columns(data).items():
                    setattr(obj, key, value)
            do_bulk_update(objs, actor=actor, fields=RECORD_FIELDS, action="import", reason=reason)
            if progress:
                progress.update(len(objs))
        result.records_updated = len(changed_records)
        if encodings:
            _write_encodings(
                parsed,
                encodings,
                record_pk,
                extract.id,
                {r["record_id"].strip() for _, r in new_records},
                {d["record_id"].strip() for _, d in changed_records.values()},
                actor,
                reason,
            )

        for chunk in _chunks(new_events):
            eobjs = instances(
                SourceEvent,
                [
                    {
                        "id": new_id(SourceEvent.id_prefix),
                        "agency_id": agency,
                        "event_id": data["event_id"].strip(),
                        "extract_id": extract.id,
                        "row_number": row,
                        **_event_columns(data, record_pk),
                    }
                    for row, data in chunk
                ],
            )
            do_bulk_create(eobjs, actor=actor, action="import", reason=reason)
            if progress:
                progress.update(len(eobjs))
        result.events_created = len(new_events)

        for pks in _chunks(sorted(changed_events)):
            eobjs = list(SourceEvent.objects.select_for_update().filter(pk__in=pks))
            for eobj in eobjs:
                row, data = changed_events[eobj.pk]
                eobj.extract_id = extract.id
                eobj.row_number = row
                for key, value in _event_columns(data, record_pk).items():
                    setattr(eobj, key, value)
            do_bulk_update(eobjs, actor=actor, fields=EVENT_FIELDS, action="import", reason=reason)
            if progress:
                progress.update(len(eobjs))
        result.events_updated = len(changed_events)
        if new_events:
            announce_import(actor, extract_id=extract.id)  # one query for all of them (people.news)
        result.status = "imported"
        result.extract_id = extract.id
    return result


def _split_encoded(
    parsed: ParsedExtract,
) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, dict[str, Any]]]:
    """An encoded extract's people rows as ordinary records hold them (nothing identifying), and
    each record's encoded columns by record id; a plain extract's rows as they are."""
    if "encoding" not in parsed.manifest:
        return parsed.people, {}
    people, encodings = [], {}
    for row, data in parsed.people:
        plain, enc = split_record(data)
        people.append((row, plain))
        encodings[plain["record_id"].strip()] = enc
    return people, encodings


def _write_encodings(
    parsed: ParsedExtract,
    encodings: dict[str, dict[str, Any]],
    record_pk: dict[str, str],
    extract_id: str,
    created: set[str],
    changed: set[str],
    actor: Actor,
    reason: str,
) -> None:
    """The encoded columns of the records this import created or changed, beside the records."""
    agency = parsed.agency
    agreement = agreement_of(parsed.manifest["encoding"])
    held = {e.record_id: e for e in EncodedRecord.objects.filter(agency_id=agency, record_id__in=changed)}
    new = [rid for rid in sorted(created | changed) if rid not in held]
    for chunk in _chunks(new):
        objs = instances(
            EncodedRecord,
            [
                {
                    "id": new_id(EncodedRecord.id_prefix),
                    "source_id": record_pk[rid],
                    "agency_id": agency,
                    "record_id": rid,
                    "extract_id": extract_id,
                    "agreement": agreement,
                    "encoded": encodings[rid],
                }
                for rid in chunk
            ],
        )
        do_bulk_create(objs, actor=actor, action="import", reason=reason)
    update = []
    for rid, obj in held.items():
        obj.extract_id, obj.agreement, obj.encoded = extract_id, agreement, encodings[rid]
        update.append(obj)
    for part in _chunks(update):
        do_bulk_update(list(part), actor=actor, fields=["extract", "agreement", "encoded"], action="import",
                       reason=reason)  # fmt: skip


def _event_columns(data: dict[str, Any], record_pk: dict[str, str]) -> dict[str, Any]:
    ended = str(data.get("ended_on") or "").strip()
    return {
        "record_id": record_pk[data["record_id"].strip()],
        "kind": data["kind"].strip(),
        "occurred_on": parse_when(data["occurred_on"].strip()),
        "ended_on": parse_when(ended) if ended else None,
        "data": data,
    }
