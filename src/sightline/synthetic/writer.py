"""Writes each agency's extract (docs/extract-format.md) and the ground truth under OUT/truth/."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from . import noise
from .model import Person, Town
from .population import age_on
from .records import EVENT_COLUMNS, PEOPLE_COLUMNS, Book, Event
from .truth import write_kinds

FORMAT = "multi-agency-extract/1"
TRUTH_PERSON_COLUMNS = (
    "true_person_id",
    "kind",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "role",
    "network_id",
    "flagged_by_social_care",
)

Progress = Callable[[str, int, int], None]


@dataclass
class TownSummary:
    """What `generate_town` wrote; `counts` is the same as `counts` in OUT/truth/summary.json."""

    out: Path
    seed: int
    children: int
    adults: int
    victims: int
    hidden_victims: int
    offenders: int
    networks: int
    benign_hubs: int
    missing_not_exploited: int
    records: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    extracts: list[Path] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    variant: str = ""


def _csv(path: Path, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)  # RFC 4180: CRLF line ends, quotes only where needed
        writer.writerow(header)
        writer.writerows(rows)


def _when(day: int, minute: int, with_time: bool, shift: int) -> str:
    text = date.fromordinal(day + shift).isoformat()
    if with_time and minute >= 0:
        return f"{text}T{minute // 60:02d}:{minute % 60:02d}"
    return text


def _record_ids(book: Book, rng: random.Random) -> list[str]:
    """Ids in the agency's own style, in an order that says nothing about who is who."""
    order = list(range(len(book.rows)))
    rng.shuffle(order)
    ids = [""] * len(order)
    number = rng.randint(10_000, 90_000)
    for index in order:
        number += rng.randint(1, 4)
        ids[index] = f"{book.h.record_prefix}{number:07d}"
    return ids


def _estimated_ages(book: Book) -> dict[int, str]:
    """Estimated ages, as the recorder judged them at the record's earliest event."""
    first = dict(enumerate(book.created))
    for event in book.events:
        for index in (event.record, *(o for o, _ in event.others)):
            if index in book.age_error and event.occurred < first[index]:
                first[index] = event.occurred
    ages = {}
    for index, error in book.age_error.items():
        person = book.owners[index]
        floor = 16 if person.kind == "adult" else 0
        ages[index] = str(max(floor, age_on(person.dob, first[index]) + error))
    return ages


def _moved_birth(cell: str, dob: date, shift: int) -> str:
    """A recorded date of birth moved with the town: the same kind of entry (full, partial or with day
    and month transposed) made from the moved true date, so the noise stays the noise it was."""
    if not cell or not shift:
        return cell
    moved = dob + timedelta(days=shift)
    if cell == dob.isoformat()[: len(cell)]:
        return moved.isoformat()[: len(cell)]
    swapped = noise.transposed(dob)
    if swapped is not None and cell == swapped.isoformat():
        return (noise.transposed(moved) or moved).isoformat()
    return (date.fromisoformat(cell) + timedelta(days=shift)).isoformat()


def write_extract(
    root: Path, book: Book, period: tuple[date, date], seed: int, shift: int = 0
) -> tuple[Path, list[str]]:
    rng = random.Random(f"sightline-town/{seed}/{book.agency}/ids")
    extracted_on = book.h.extracted_on + timedelta(days=shift)
    folder = root / f"{book.agency}-{extracted_on.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "agency": book.agency,
        "extracted_on": extracted_on.isoformat(),
        "period_start": period[0].isoformat(),
        "period_end": period[1].isoformat(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    ids = _record_ids(book, rng)
    ages = _estimated_ages(book)
    header = PEOPLE_COLUMNS + book.h.extra_columns
    cells = itemgetter(*header)
    rows = []
    for index in sorted(range(len(ids)), key=ids.__getitem__):
        row = book.rows[index]
        row["record_id"] = ids[index]
        if index in ages and not row["date_of_birth"]:
            row["estimated_age"] = ages[index]
        out = cells(row)
        if shift and row["date_of_birth"]:
            out = tuple(
                _moved_birth(v, book.owners[index].dob, shift) if k == "date_of_birth" else v
                for k, v in zip(header, out, strict=True)
            )
        rows.append(out)
    _csv(folder / "people.csv", header, rows)

    timed = book.h.datetime_events
    keyed = [(e.occurred, e.minute, rng.random(), e) for e in book.events]
    keyed.sort(key=lambda k: (k[0], k[1], k[2]))
    events = []
    for seq, (_, _, _, e) in enumerate(keyed, start=1):
        events.append(_event_row(f"{book.h.event_prefix}{seq:07d}", e, ids, timed, shift))
    # Only an agency that records licences has the last column, `licence`.
    columns = EVENT_COLUMNS if any(e.licence for e in book.events) else EVENT_COLUMNS[:-1]
    _csv(folder / "events.csv", columns, [row[: len(columns)] for row in events])
    return folder, ids


def _event_row(event_id: str, e: Event, ids: list[str], timed: bool, shift: int) -> list[str]:
    ended = ""
    if e.ended:
        end_minute = e.ended_minute
        if e.ended == e.occurred and end_minute <= e.minute:
            end_minute = -1  # keep the end from reading as before the start
        ended = _when(e.ended, end_minute, timed, shift)
    others = ";".join(f"{ids[o]}:{role}" for o, role in e.others)
    return [
        event_id,
        ids[e.record],
        e.kind,
        _when(e.occurred, e.minute, timed, shift),
        ended,
        e.place,
        e.postcode,
        e.vehicle,
        e.phone,
        others,
        e.factors,
        e.summary,
        e.licence,
    ]


def write_town(
    out: Path,
    town: Town,
    books: dict[str, Book],
    seed: int,
    progress: Progress | None = None,
    shift: int = 0,
) -> TownSummary:
    """Write the extracts and the truth. ``shift`` moves every date by that many days as it is written
    (the town itself, and so every random draw, is the same whatever the shift)."""
    extracts_root = out / "extracts"
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    moved = timedelta(days=shift)
    period = (town.period_start + moved, town.period_end + moved)
    record_rows: list[list[str]] = []
    folders = []
    dup_people: dict[str, int] = {}
    per_person: Counter[str] = Counter()
    identified: Counter[str] = Counter()
    for i, (agency, book) in enumerate(books.items()):
        folder, ids = write_extract(extracts_root, book, period, seed, shift)
        folders.append(folder)
        in_agency = Counter(p.pid for p in book.owners)
        dup_people[agency] = sum(1 for n in in_agency.values() if n > 1)
        per_person.update(in_agency)
        identified.update(p.pid for p, row in zip(book.owners, book.rows) if not _bare(row))
        for index in sorted(range(len(ids)), key=ids.__getitem__):
            record_rows.append([agency, ids[index], book.owners[index].pid])
        if progress:
            progress("writing", i + 1, len(books))
    _csv(truth / "records.csv", ("agency", "record_id", "true_person_id"), record_rows)

    people: list[Person] = sorted(town.children + town.adults, key=lambda p: p.pid)
    _csv(truth / "persons.csv", TRUTH_PERSON_COLUMNS, [_truth_person(p, moved) for p in people])

    net_rows = []
    for net in town.networks:
        net_rows += [[net.nid, "person", p.pid, "adult"] for p in net.offenders]
        net_rows += [[net.nid, "person", p.pid, "child"] for p in net.victims]
        net_rows += [[net.nid, "place", p.name, ""] for p in net.places]
        net_rows += [[net.nid, "vehicle", v.reg, ""] for v in net.vehicles]
        net_rows += [[net.nid, "phone", ph, ""] for ph in net.phones]
    _csv(truth / "networks.csv", ("network_id", "member_type", "member_id", "role"), net_rows)

    victims = [c for c in town.children if c.role == "victim"]
    offenders = [a for a in town.adults if a.role == "offender"]
    records = {a: len(b.rows) for a, b in books.items()}
    events = {a: len(b.events) for a, b in books.items()}
    counts: dict[str, Any] = {
        "children": len(town.children),
        "adults": len(town.adults),
        "households": len(town.households),
        "schools": len(town.schools),
        "places": len(town.places),
        "victims": len(victims),
        "flagged_victims": sum(1 for v in victims if v.flagged),
        "hidden_victims": sum(1 for v in victims if not v.flagged),
        "victims_by_visibility": dict(sorted(Counter(v.visibility for v in victims).items())),
        "offenders": len(offenders),
        "networks": len(town.networks),
        "tiny_networks": sum(1 for n in town.networks if n.tiny),
        "benign_hubs": len(town.hubs),
        "benign_hubs_by_type": dict(sorted(Counter(h.hub_type for h in town.hubs).items())),
        "missing_not_exploited": sum(1 for c in town.children if c.role == "missing_not_exploited"),
        "flagged_not_victims": sum(1 for c in town.children if c.flagged and c.role != "victim"),
        "twin_pairs": len(town.twins),
        "namesake_pairs": len(town.namesakes),
        "taxi_drivers": sum(1 for a in town.adults if a.taxi_driver),
        "records": records,
        "events": events,
        "people_with_duplicate_records": dup_people,
        # Pairs of records of the same person; a "bare" record has only a first name or nickname, an
        # estimated age or birth year and a description: a ceiling on what linkage can hope to recall.
        "true_record_pairs": sum(n * (n - 1) // 2 for n in per_person.values()),
        "true_record_pairs_with_a_bare_record": sum(
            n * (n - 1) // 2 - identified[pid] * (identified[pid] - 1) // 2 for pid, n in per_person.items()
        ),
        "noise": {a: dict(sorted(b.noise.items())) for a, b in books.items()},
    }
    parameters: dict[str, Any] = {
        "children": len(town.children),
        "seed": seed,
        "period_start": period[0].isoformat(),
        "period_end": period[1].isoformat(),
    }
    if shift:  # the default town's summary stays as it always was
        parameters["shifted_by_days"] = shift
    summary: dict[str, Any] = {
        "format": "sightline-synthetic-town/1",
        "parameters": parameters,
        "seed": seed,
        "counts": counts,
    }
    if town.variant is not None:  # the default town's files stay as they always were
        kinds = write_kinds(truth / "kinds.csv", town)
        parameters["variant"] = town.variant.name
        summary["variant"] = {"name": town.variant.name, "settings": town.variant.settings()}
        counts["kinds"] = kinds
    (truth / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return TownSummary(
        out=out,
        seed=seed,
        variant=town.variant.name if town.variant is not None else "",
        children=len(town.children),
        adults=len(town.adults),
        victims=len(victims),
        hidden_victims=counts["hidden_victims"],
        offenders=len(offenders),
        networks=len(town.networks),
        benign_hubs=len(town.hubs),
        missing_not_exploited=counts["missing_not_exploited"],
        records=records,
        events=events,
        extracts=folders,
        counts=counts,
    )


def _bare(row: dict[str, str]) -> bool:
    keys = ("family_name", "phone", "postcode", "nhs_number", "upn", "pnc_id", "address", "email")
    return len(row["date_of_birth"]) < 7 and not any(row[k] for k in keys)


def _truth_person(p: Person, moved: timedelta) -> list[str]:
    return [
        p.pid,
        p.kind,
        p.given,
        p.family,
        (p.dob + moved).isoformat(),
        p.sex,
        p.ethnicity,
        p.role,
        p.network.nid if p.network is not None else "",
        "1" if p.flagged else "0",
    ]
