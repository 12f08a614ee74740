"""The town's extracts as the agencies would have sent them: one first extract with everything up to
the month the demo's case work begins, then one a month, each received a few days after its month ends.

Sightline judges a screening against what it knew when the screening was done (an event it learns of
later makes a re-screen due), so the demo must not learn three years of agency records in one import
on its last day while its case work is dated across the months before. Each slice is a proper
multi-agency-extract/1 folder; a record appears again in every slice that has an event about it, and
the import keeps it unchanged. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sightline.cases.deadlines import add_months
from sightline.demo.staff import moment

RECEIVED_AFTER_DAYS = 3  # a month's extract arrives on the 3rd of the next


@dataclass(frozen=True)
class Slice:
    folder: Path
    received_at: dt.datetime


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months after ``first``'s, up to ``last`` (slice boundaries)."""
    out, day = [], add_months(first.replace(day=1), 1)
    while day <= last:
        out.append(day)
        day = add_months(day, 1)
    return out


def split_extract(folder: Path, out: Path, since: dt.date, agency_hour: int) -> list[Slice]:
    """One agency's extract cut into the first extract (events before ``since``'s month) and monthly
    ones. The last slice keeps the extract's own date."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    people_header, people = _read(folder / "people.csv")
    event_header, events = _read(folder / "events.csv")
    col = {name: i for i, name in enumerate(event_header)}
    extracted_on = dt.date.fromisoformat(manifest["extracted_on"])
    period_end = dt.date.fromisoformat(manifest["period_end"])
    bounds = [since.replace(day=1), *_month_ends(since, period_end)]
    slices: list[tuple[dt.date, dt.date, list[list[str]]]] = []  # (first day, last day, events)
    starts = [dt.date.fromisoformat(manifest["period_start"]), *bounds]
    for i, start in enumerate(starts):
        end = starts[i + 1] - dt.timedelta(days=1) if i + 1 < len(starts) else period_end
        chosen = [e for e in events if start <= dt.date.fromisoformat(e[col["occurred_on"]][:10]) <= end]
        slices.append((start, end, chosen))
    by_id = {row[0]: row for row in people}
    out_slices = []
    for i, (start, end, chosen) in enumerate(slices):
        if i and not chosen:
            continue  # nothing happened that month that this agency recorded
        last = i == len(slices) - 1
        sent = extracted_on if last else end + dt.timedelta(days=RECEIVED_AFTER_DAYS)
        if i == 0:
            rows = people  # the first extract holds every record the agency has
        else:
            ids = {e[col["record_id"]] for e in chosen}
            for e in chosen:
                ids.update(o.split(":", 1)[0] for o in e[col["others"]].split(";") if o)
            rows = [by_id[rid] for rid in sorted(ids)]
        target = out / f"{manifest['agency']}-{sent.isoformat()}"
        target.mkdir(parents=True, exist_ok=True)
        part = dict(
            manifest,
            extracted_on=sent.isoformat(),
            period_start=start.isoformat(),
            period_end=end.isoformat(),
        )
        (target / "manifest.json").write_text(json.dumps(part, indent=2) + "\n", encoding="utf-8")
        _write(target / "people.csv", people_header, rows)
        _write(target / "events.csv", event_header, chosen)
        out_slices.append(Slice(target, moment(sent, agency_hour)))
    return out_slices


def monthly_extracts(town: Path, since: dt.date, now: dt.datetime) -> list[Slice]:
    """Every agency's extract of the town, cut into monthly slices under ``town/monthly``, in the order
    Sightline received them. Slices already cut are cut again identically."""
    out = town / "monthly"
    slices: list[Slice] = []
    for i, folder in enumerate(sorted(p for p in (town / "extracts").iterdir() if p.is_dir())):
        slices += split_extract(folder, out, since, 8 + i)
    slices = [s if s.received_at < now else Slice(s.folder, now - dt.timedelta(minutes=5)) for s in slices]
    return sorted(slices, key=lambda s: (s.received_at, s.folder.name))
