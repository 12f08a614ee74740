"""Reading person records straight from extract folders (bench and tests; in the
application the records come from the database)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .prepare import INPUT_COLUMNS


def _first_seen(events_path: Path) -> dict[str, str]:
    """record_id -> date of the earliest event naming it (as subject or in `others`)."""
    if not events_path.is_file():
        return {}
    events = pd.read_csv(events_path, dtype=str, keep_default_na=False)
    if events.empty:
        return {}
    day = events["occurred_on"].str.slice(0, 10)
    named = [events["record_id"]]
    if "others" in events.columns:
        others = events["others"].str.split(";").explode()
        others = others[others.str.len() > 0].str.split(":").str[0]
        named.append(others)
    frame = pd.concat(
        [pd.DataFrame({"record_id": ids.to_numpy(), "day": day.loc[ids.index].to_numpy()}) for ids in named]
    )
    first: dict[str, str] = frame.groupby("record_id")["day"].min().to_dict()
    return first


def records_from_extracts(root: Path) -> pd.DataFrame:
    """All people.csv rows under `root` (folders holding manifest.json), as linkage
    input: record_key "<agency>:<record_id>". reference_date (what an estimated age
    refers to) is the record's first event, else the extract date."""
    frames = []
    for manifest_path in sorted(Path(root).rglob("manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        people = manifest_path.parent / "people.csv"
        if not people.is_file():
            continue
        frame = pd.read_csv(people, dtype=str, keep_default_na=False)
        agency = manifest["agency"]
        frame["agency"] = agency
        frame["record_key"] = agency + ":" + frame["record_id"]
        first = _first_seen(manifest_path.parent / "events.csv")
        extracted = manifest.get("extracted_on", "")
        frame["reference_date"] = [first.get(r, extracted) for r in frame["record_id"]]
        frames.append(frame[[c for c in INPUT_COLUMNS if c in frame.columns]])
    if not frames:
        raise FileNotFoundError(f"no extracts (manifest.json + people.csv) under {root}")
    return pd.concat(frames, ignore_index=True)
