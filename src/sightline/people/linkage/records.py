"""What a linkage run reads from the database: every source record's linkable fields, the date an
estimated age refers to, and every human decision. Also where the run keeps its state on disk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from sightline.people.linkage.encoded_rows import encoded_row
from sightline.people.linkage.types import HumanDecision
from sightline.people.models import Extract, LinkDecision, SourceEvent, SourceRecord
from sightline.people.pprl.models import EncodedRecord

# What the engine may read of a record. Ethnicity is not among them.
LINK_INPUTS = (
    "given_name", "family_name", "other_names", "date_of_birth", "estimated_age", "sex", "postcode", "phone",
    "email", "nhs_number", "upn", "pnc_id", "address",
)  # fmt: skip
FRAME_COLUMNS = ["record_key", "agency", "record_id", *LINK_INPUTS, "reference_date"]


def linkage_dir() -> Path:
    """SIGHTLINE_HOME/linkage: the trained model and the last run's pairs and clusters."""
    path = Path(settings.HOME) / "linkage"
    path.mkdir(parents=True, exist_ok=True)
    return path


def record_key(agency: str, record_id: str) -> str:
    return f"{agency}:{record_id}"


def _row(key: str, agency: str, record_id: str, data: dict[str, Any]) -> dict[str, str]:
    row = {"record_key": key, "agency": agency, "record_id": record_id}
    for column in LINK_INPUTS:
        row[column] = str(data.get(column) or "").strip()
    return row


@dataclass
class LinkInputs:
    records: pd.DataFrame
    versions: dict[str, int]  # record key -> SourceRecord version
    persons: dict[str, str]  # record key -> current person id
    pk_of: dict[str, str]  # record key -> SourceRecord id
    data: dict[str, dict[str, Any]]
    as_of: dt.date
    # Encoded records by agreement: the manifest's `encoding` and the rows the comparisons read.
    encoded: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=dict)

    @property
    def encoded_keys(self) -> set[str]:
        return {str(r["unique_id"]) for _, rows in self.encoded.values() for r in rows}


def _first_seen(estimated: dict[tuple[str, str], str]) -> dict[str, dt.date]:
    """SourceRecord id -> the earliest event naming it, for records with an estimated age (the
    recorder judged the age then)."""
    out: dict[str, dt.date] = {}
    if not estimated:
        return out
    wanted = set(estimated.values())
    events = SourceEvent.objects.values_list("agency_id", "occurred_on", "data", "record_id")
    for agency, when, data, subject in events.iterator(chunk_size=5000):
        named = [subject] if subject in wanted else []
        for item in str(data.get("others") or "").split(";"):
            other, sep, _role = item.strip().rpartition(":")
            if sep and (agency, other.strip()) in estimated:
                named.append(estimated[(agency, other.strip())])
        for pk in named:
            if pk not in out or when < out[pk]:
                out[pk] = when
    return out


def load_records() -> LinkInputs:
    """Every source record as the engine's input, with what the run needs to write back."""
    rows: list[dict[str, str]] = []
    versions: dict[str, int] = {}
    persons: dict[str, str] = {}
    pk_of: dict[str, str] = {}
    datas: dict[str, dict[str, Any]] = {}
    extracted: dict[str, dt.date] = {}
    estimated: dict[tuple[str, str], str] = {}
    latest: dt.date | None = None
    qs = SourceRecord.objects.values_list(
        "id", "agency_id", "record_id", "data", "person_id", "version", "extract__extracted_on"
    ).order_by("agency_id", "record_id")
    for pk, agency, rid, data, person, version, extracted_on in qs.iterator(chunk_size=5000):
        key = record_key(agency, rid)
        latest = extracted_on if latest is None or extracted_on > latest else latest
        row = _row(key, agency, rid, data)
        if row["estimated_age"] and not row["date_of_birth"]:
            estimated[(agency, rid)] = pk
        rows.append(row)
        extracted[key] = extracted_on
        versions[key] = version
        pk_of[key] = pk
        datas[key] = data
        if person:
            persons[key] = person
    first_seen = _first_seen(estimated)
    for row in rows:
        key = row["record_key"]
        row["reference_date"] = first_seen.get(pk_of[key], extracted[key]).isoformat()
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    return LinkInputs(
        frame, versions, persons, pk_of, datas, latest or timezone.localdate(), load_encoded(datas)
    )


def load_encoded(datas: dict[str, dict[str, Any]]) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every encoded record, grouped by agreement, as :func:`encoded.link_encoded` reads them."""
    out: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    rows = EncodedRecord.objects.values_list("agency_id", "record_id", "agreement", "encoded", "extract_id")
    extracts: dict[str, str] = {}
    for agency, rid, agreement, encoded, extract_id in rows.order_by("agency_id", "record_id").iterator(
        chunk_size=5000
    ):
        key = record_key(agency, rid)
        extracts.setdefault(agreement, extract_id)
        sex = str(datas.get(key, {}).get("sex") or "").strip()
        group = out.setdefault(agreement, ({}, []))
        group[1].append(encoded_row(key, sex, encoded))
    manifests = dict(Extract.objects.filter(pk__in=extracts.values()).values_list("id", "manifest"))
    for agreement, extract_id in extracts.items():
        out[agreement][0].update(manifests[extract_id]["encoding"])
    return out


def human_decisions() -> list[HumanDecision]:
    return [
        HumanDecision(left, right, same)
        for left, right, same in LinkDecision.objects.order_by("record_key_l", "record_key_r").values_list(
            "record_key_l", "record_key_r", "same_person"
        )
    ]


def records_by_key(keys: Iterable[str]) -> dict[str, SourceRecord]:
    """``agency:record_id`` -> the record (with its agency and extract); unknown keys are left out."""
    by_agency: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        agency, sep, rid = key.partition(":")
        if sep:
            by_agency[agency].append(rid)
    out: dict[str, SourceRecord] = {}
    for agency, rids in by_agency.items():
        rows = SourceRecord.objects.filter(agency_id=agency, record_id__in=rids).select_related(
            "agency", "extract"
        )
        out.update({r.key: r for r in rows})
    return out


def input_frame(records: dict[str, SourceRecord]) -> pd.DataFrame:
    """These records as the engine's input, as a run reads them (for explaining a few pairs)."""
    # For estimated ages: the earliest event about the record (the run also reads events naming it).
    first = dict(
        SourceEvent.objects.filter(record_id__in=[r.pk for r in records.values()])
        .values("record_id")
        .annotate(first=Min("occurred_on"))
        .values_list("record_id", "first")
    )
    rows = []
    for key, r in records.items():
        row = _row(key, r.agency_id, r.record_id, r.data)
        row["reference_date"] = (first.get(r.pk) or r.extract.extracted_on).isoformat()
        rows.append(row)
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)
