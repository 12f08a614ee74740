"""Exports: links, alerts and networks exactly as docs/cli.md says, a person's chronology as
XLSX, and a network as an i2 Analyst's Notebook link CSV. Every export is ledgered (``export``),
with the number of rows and the SHA-256 of the file written.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sightline.cases.selectors import ChronologyEntry, chronology_for, record_chronology
from sightline.core.errors import NotFound
from sightline.intelligence.selectors import OPEN_STATUSES, network_by_id, network_members, ranked_alerts
from sightline.ledger.services import SYSTEM, Actor, record_action
from sightline.people.models import Person, SourceRecord
from sightline.people.selectors import linked_records, resolve_person_id

LINK_COLUMNS = ["agency", "record_id", "person_id", "match_probability"]
ALERT_COLUMNS = ["alert_id", "person_id", "kind", "score", "reasons"]
NETWORK_COLUMNS = ["network_id", "member_type", "member_id", "role", "network_name"]
# The chronology page's lines, one per row, with where each came from.
CHRONOLOGY_COLUMNS = [
    "date", "time", "agency", "kind", "what", "detail", "named_as", "source", "recorded_by",
    "recorded_by_agency", "ledger_entry", "reference", "extract", "row",
]  # fmt: skip
# i2 Analyst's Notebook imports one link per row, two entities and the link between them.
I2_COLUMNS = [
    "Entity1 Identity", "Entity1 Type", "Entity1 Label", "Entity2 Identity", "Entity2 Type", "Entity2 Label",
    "Link Type", "Link Label", "Link Strength", "Date First", "Date Last", "Agencies", "Events",
]  # fmt: skip
I2_TYPES = {"person": "Person", "place": "Location", "vehicle": "Vehicle", "phone": "Telephone"}


class ExportError(ValueError):
    pass


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cells(row: Iterable[Any]) -> list[Any]:
    """The row with every text cell a spreadsheet would run as a formula made inert: OWASP's CSV
    injection defence, a leading single quote. Agency data reaches these cells unchecked."""
    return ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _write_csv(
    path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> int:
    n = 0
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(safe_cells(header))
        for row in rows:
            writer.writerow(safe_cells(row))
            n += 1
    return n


def _ledger(
    actor: Actor, what: str, object_type: str, object_id: str, out: str | Path, rows: int, reason: str = ""
) -> None:
    record_action(
        actor, "export", object_type, object_id,
        data={"export": what, "file": Path(out).name, "rows": rows, "sha256": _sha256(out)}, reason=reason,
    )  # fmt: skip


def _probability(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def export_links(out: str | Path, *, actor: Actor = SYSTEM) -> int:
    """One row per imported person record. A record not yet linked is its own person (its record id)."""
    qs = SourceRecord.objects.order_by("agency_id", "record_id").values_list(
        "agency_id", "record_id", "person_id", "match_probability", "id"
    )
    rows = (
        (agency, rid, person or pk, _probability(p))
        for agency, rid, person, p, pk in qs.iterator(chunk_size=5000)
    )
    n = _write_csv(out, LINK_COLUMNS, rows)
    _ledger(actor, "links", "people.sourcerecord", "*", out, n)
    return n


def _score(value: float) -> str:
    return f"{value:.4f}"


def export_alerts(out: str | Path, *, actor: Actor = SYSTEM, include_dismissed: bool = False) -> int:
    qs = ranked_alerts(statuses=() if include_dismissed else OPEN_STATUSES).values_list(
        "id", "subject_id", "kind", "score", "reasons"
    )
    n = _write_csv(
        out, ALERT_COLUMNS, ((a, s, k, _score(sc), r) for a, s, k, sc, r in qs.iterator(chunk_size=5000))
    )
    _ledger(actor, "alerts", "intelligence.alert", "*", out, n)
    return n


def export_networks(out: str | Path, *, actor: Actor = SYSTEM) -> int:
    qs = network_members().values_list("network_id", "member_type", "member_id", "role", "network__label")
    n = _write_csv(out, NETWORK_COLUMNS, qs.iterator(chunk_size=5000))
    _ledger(actor, "networks", "intelligence.network", "*", out, n)
    return n


def _person_chronology(person: str) -> tuple[str, list[ChronologyEntry], list[SourceRecord]]:
    """The person id, their chronology (the one the page shows) and their source records. ``person``
    is a person id (a merged one stands for the person it was merged into), ``agency:record_id``, or
    the id of a record not linked to anyone yet."""
    if ":" in person and not Person.objects.filter(pk=person).exists():
        agency, _, rid = person.partition(":")
        rec = SourceRecord.objects.filter(agency_id=agency, record_id=rid).first()
        if rec is None:
            raise ExportError(f"no person or record {person!r}")
        if rec.person_id is None:
            return rec.pk, record_chronology(rec), [rec]
        person = rec.person_id
    if Person.objects.filter(pk=person).exists():
        person_id = resolve_person_id(person)
        return person_id, chronology_for(person_id), linked_records(person_id)
    rec = SourceRecord.objects.filter(pk=person).first()
    if rec is None:
        raise ExportError(f"no person or record {person!r}")
    return rec.pk, record_chronology(rec), [rec]


def _chronology_row(e: ChronologyEntry) -> list[Any]:
    local = timezone.localtime(e.at) if e.has_time else e.at
    return [
        e.date.isoformat(), f"{local:%H:%M}" if e.has_time else "", e.agency_name, e.kind_label, e.title,
        e.detail, e.named_as, "agency extract" if e.source == "extract" else "Sightline", e.recorded_by,
        e.recorded_by_agency, e.ledger_index if e.ledger_index is not None else "", e.reference, e.extract,
        e.row if e.row is not None else "",
    ]  # fmt: skip


def export_chronology(person: str, out: str | Path, *, actor: Actor = SYSTEM, reason: str = "") -> int:
    """The person's chronology exactly as the page shows it (every agency's events that name them and
    everything recorded in Sightline), newest first, as an XLSX workbook with their source records."""
    person_id, entries, records = _person_chronology(person)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Chronology"
    ws.append(CHRONOLOGY_COLUMNS)
    for e in entries:
        ws.append(safe_cells(_chronology_row(e)))
    n = len(entries)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, width in enumerate([12, 6, 22, 22, 50, 60, 12, 14, 16, 16, 10, 24, 28, 6], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    rs = wb.create_sheet("Records")
    columns = sorted({k for r in records for k in r.data if k != "_received"})
    rs.append(safe_cells(["record", "agency", "extract", "row", *columns]))
    for r in sorted(records, key=lambda r: (r.agency_id, r.record_id)):
        head = [f"{r.agency_id}:{r.record_id}", r.agency_id, r.extract.source_name, r.row_number]
        rs.append(safe_cells([*head, *[str(r.data.get(c, "")) for c in columns]]))
    for cell in rs[1]:
        cell.font = Font(bold=True)
    wb.save(out)
    # Exporting a person's record is a read of personal data: the person is named in the ledger.
    _ledger(actor, "chronology", "people.person", person_id, out, n, reason)
    return n


def export_i2(network_id: str, out: str | Path, *, actor: Actor = SYSTEM) -> int:
    """A network's links for i2 Analyst's Notebook: one row per pair of linked members."""
    try:
        network = network_by_id(network_id)
    except NotFound as exc:
        raise ExportError(str(exc)) from None
    members = {m.member_id: m for m in network.members.filter(active=True)}

    def entity(mid: str) -> list[str]:
        m = members.get(mid)
        mtype = m.member_type if m is not None else ("phone" if mid[:1].isdigit() else "person")
        return [mid, I2_TYPES.get(mtype, "Entity"), (m.label if m is not None and m.label else mid)]

    rows = []
    for link in network.links:
        if link["type"] == "plate":
            strength = "Tentative"  # a partial registration that may be this vehicle
        elif len(link.get("agencies", [])) > 1:
            strength = "Confirmed"  # corroborated by more than one agency
        else:
            strength = "Unconfirmed"
        label = ", ".join(link.get("kinds", [])) or link["type"]
        rows.append(
            [*entity(link["source"]), *entity(link["target"]), link["type"], label, strength,
             link.get("first_seen") or "", link.get("last_seen") or "", ";".join(link.get("agencies", [])),
             ";".join(link.get("events", []))]
        )  # fmt: skip
    n = _write_csv(out, I2_COLUMNS, rows, bom=True)
    _ledger(actor, "i2", "intelligence.network", network_id, out, n)
    return n
