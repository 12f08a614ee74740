"""Small extracts written to disk for the import and export tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.apps import apps

from sightline.ledger.models import PendingEntry, TreeHead
from sightline.ledger.services import integrate

PEOPLE = [
    {
        "record_id": "POL-1",
        "given_name": "Jess",
        "family_name": "Walker",
        "date_of_birth": "2000-03-14",
        "sex": "F",
        "postcode": "S65 2AB",
        "nhs_number": "9434765919",
        "hair": "red",
    },
    {
        "record_id": "POL-2",
        "given_name": "Mo",
        "family_name": "",
        "date_of_birth": "",
        "sex": "M",
        "postcode": "",
        "nhs_number": "",
        "hair": "",
    },
    {
        "record_id": "POL-3",
        "given_name": "Amy",
        "family_name": "Hart",
        "date_of_birth": "2001-06",
        "sex": "F",
        "postcode": "s60 1aa",
        "nhs_number": "",
        "hair": "",
    },
]
EVENTS = [
    {
        "event_id": "E1",
        "record_id": "POL-1",
        "kind": "missing",
        "occurred_on": "2013-05-02",
        "ended_on": "2013-05-03",
        "place": "Star Kebab",
        "vehicle": "YX09 A??",
        "others": "POL-2:associate",
        "summary": "Found in car with older male",
    },
    {
        "event_id": "E2",
        "record_id": "POL-3",
        "kind": "police_incident",
        "occurred_on": "2013-06-01T23:15:00",
        "ended_on": "",
        "place": "",
        "vehicle": "",
        "others": "POL-2:suspect;POL-1:witness",
        "summary": "",
    },
]


def manifest(agency: str = "police", **extra: Any) -> dict[str, Any]:
    out = {
        "format": "multi-agency-extract/1",
        "agency": agency,
        "extracted_on": "2014-07-01",
        "period_start": "2011-01-01",
        "period_end": "2014-06-30",
    }
    out.update(extra)
    return out


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_extract(
    root: Path,
    name: str = "police-2014-07-01",
    *,
    agency: str = "police",
    people: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    manifest_extra: dict[str, Any] | None = None,
) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(
        json.dumps(manifest(agency, **(manifest_extra or {}))), encoding="utf-8"
    )
    write_csv(folder / "people.csv", PEOPLE if people is None else people)
    write_csv(folder / "events.csv", EVENTS if events is None else events)
    return folder


def state() -> dict[str, Any]:
    """Everything an import could change: ledger size, root and queue, and every row count."""

    integrate()
    head = TreeHead.objects.filter(id=1).first()
    counts = {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"people", "pprl", "intelligence", "ledger", "extracts"}
    }
    return {
        "size": head.size if head else 0,
        "root": bytes(head.root) if head else b"",
        "pending": PendingEntry.objects.count(),
        "counts": counts,
    }
