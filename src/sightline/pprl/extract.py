"""Read a `multi-agency-extract/1` folder or .zip and write its encoded twin (docs/pprl.md).

Reads with the standard library only: this runs on the agency's own machine, before anything
reaches Sightline, so it does not lean on the importer's checks. It refuses what it cannot read
and otherwise encodes what is there; the importer validates the encoded extract as usual.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from .bloom import SCHEME, Encoder, Params
from .chunks import Chunks
from .records import (
    EVENT_FIELDS,
    IDENTIFYING_EVENTS,
    IDENTIFYING_PEOPLE,
    KEPT_EVENTS,
    KEPT_PEOPLE,
    PEOPLE_FIELDS,
)

FORMAT = "multi-agency-extract/1"
Progress = Callable[[str, int, int], None]


class ExtractError(ValueError):
    """The input is not an extract this command can read, or the output cannot be written."""


@dataclass
class Extract:
    manifest: dict[str, Any]
    people_header: list[str]
    people: list[dict[str, str]]
    events_header: list[str]
    events: list[dict[str, str]]


@dataclass
class EncodeSummary:
    out: Path
    people: int
    events: int
    kept_people: list[str] = field(default_factory=list)
    kept_events: list[str] = field(default_factory=list)
    dropped_people: list[str] = field(default_factory=list)
    dropped_events: list[str] = field(default_factory=list)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{name}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc


def _files(path: Path) -> dict[str, str]:
    """manifest.json, people.csv and events.csv (when present) of a folder or zip, as text."""
    wanted = ("manifest.json", "people.csv", "events.csv")
    if path.is_dir():
        return {n: _decode((path / n).read_bytes(), str(path / n)) for n in wanted if (path / n).is_file()}
    if not zipfile.is_zipfile(path):
        raise ExtractError(f"{path}: not a folder or a .zip")
    with zipfile.ZipFile(path) as archive:
        manifests = [PurePosixPath(n) for n in archive.namelist() if PurePosixPath(n).name == "manifest.json"]
        if not manifests:
            raise ExtractError(f"{path}: no manifest.json in the archive")
        top = min(manifests, key=lambda p: len(p.parts)).parent
        names = set(archive.namelist())
        out = {}
        for n in wanted:
            member = str(top / n) if str(top) != "." else n
            if member in names:
                out[n] = _decode(archive.read(member), f"{path}/{member}")
        return out


def _csv(text: str, name: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header or not any(header):
        raise ExtractError(f"{name}: empty file")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise ExtractError(f"{name}:{number}: {len(cells)} cells where the header has {len(header)}")
        rows.append(dict(zip(header, cells)))
    return header, rows


def read_extract(path: Path) -> Extract:
    files = _files(path)
    for required in ("manifest.json", "people.csv"):
        if required not in files:
            raise ExtractError(f"{path}: no {required}")
    try:
        manifest = json.loads(files["manifest.json"])
    except json.JSONDecodeError as exc:
        raise ExtractError(f"{path}/manifest.json: not JSON ({exc.msg})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExtractError(f"{path}/manifest.json: not a {FORMAT} manifest")
    if "encoding" in manifest:
        raise ExtractError(f"{path}: already encoded")
    people_header, people = _csv(files["people.csv"], f"{path}/people.csv")
    if "record_id" not in people_header:
        raise ExtractError(f"{path}/people.csv: no record_id column")
    events_header, events = (
        _csv(files["events.csv"], f"{path}/events.csv") if "events.csv" in files else ([], [])
    )
    return Extract(manifest, people_header, people, events_header, events)


def references(extract: Extract) -> dict[str, date]:
    """The day each record was first seen: what an estimated age was judged against."""
    try:
        default = date.fromisoformat(str(extract.manifest.get("extracted_on", "")))
    except ValueError:
        default = date.today()
    first: dict[str, date] = {}
    for event in extract.events:
        try:
            day = date.fromisoformat(event.get("occurred_on", "")[:10])
        except ValueError:
            continue
        ids = [event.get("record_id", "")] + [o.rsplit(":", 1)[0] for o in event.get("others", "").split(";")]
        for rid in ids:
            if rid and (rid not in first or day < first[rid]):
                first[rid] = day
    return {r["record_id"]: first.get(r["record_id"], default) for r in extract.people}


def _layout(
    header: list[str], kept: tuple[str, ...], identifying: frozenset[str], keep: set[str]
) -> list[str]:
    refused = keep & identifying
    if refused:
        raise ExtractError(f"--keep cannot keep identifying columns: {', '.join(sorted(refused))}")
    return [c for c in header if c in kept or c in keep]


def encoding_manifest(
    encoder: Encoder, kept: dict[str, list[str]], dropped: dict[str, list[str]]
) -> dict[str, Any]:
    p = encoder.params
    fields = {
        part: {
            f.column: {"from": list(f.source), "kind": f.kind, "domain": f.domain, "elements": f.elements}
            | ({"salted_by_year": True} if f.year_salted and p.salted_by_year else {})
            for f in spec
        }
        for part, spec in (("people", PEOPLE_FIELDS), ("events", EVENT_FIELDS))
    }
    return {
        "scheme": SCHEME,
        "salt": p.salt,
        "key_check": encoder.key_check,
        "hardening": p.hardening,
        "names_salted_by_year": p.salted_by_year,
        "filter_bits": p.bits,
        "hash_functions": p.k,
        "hash_functions_text": p.k_text,
        "q": 2,
        "year_spread": {"date_of_birth": p.dob_year_spread, "estimated_age": p.age_year_spread},
        "fields": fields,
        "kept": kept,
        "dropped": dropped,
    }


def _lines(
    handle: Any, chunks: Iterator[tuple[int, str]], total: int, progress: Progress | None, stage: str
) -> None:
    done = 0
    for rows, text in chunks:
        handle.write(text)
        done += rows
        if progress:
            progress(stage, done, total)


def encode_extract(
    source: Path,
    secret: bytes,
    out: Path,
    params: Params,
    keep: set[str] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> EncodeSummary:
    """Encode `source` into the folder (or .zip) `out`. The secret is used in memory only;
    `workers` processes encode chunks of rows (the output is the same for any number)."""
    extract = read_extract(source)
    keep = set(keep or ())
    unknown = keep - set(extract.people_header) - set(extract.events_header)
    if unknown:
        raise ExtractError(f"--keep names columns the extract does not have: {', '.join(sorted(unknown))}")
    people_cols = _layout(extract.people_header, KEPT_PEOPLE, IDENTIFYING_PEOPLE, keep)
    event_cols = (
        _layout(extract.events_header, KEPT_EVENTS, IDENTIFYING_EVENTS, keep) if extract.events else []
    )
    encoder = Encoder.create(secret, params)
    chunks = Chunks(secret, params, workers)
    refs = references(extract)
    kept = {"people": people_cols, "events": event_cols}
    dropped = {
        "people": [c for c in extract.people_header if c not in people_cols],
        "events": [c for c in extract.events_header if c not in event_cols],
    }
    manifest = dict(extract.manifest) | {"encoding": encoding_manifest(encoder, kept, dropped)}
    files: dict[str, Callable[[Any], None]] = {}

    def people(handle: Any) -> None:
        writer = csv.writer(handle)
        writer.writerow(people_cols + [f.column for f in PEOPLE_FIELDS])
        items = [(r, refs[r["record_id"]]) for r in extract.people]
        _lines(handle, chunks.csv("people", items, people_cols), len(items), progress, "people")

    def events(handle: Any) -> None:
        writer = csv.writer(handle)
        writer.writerow(event_cols + [f.column for f in EVENT_FIELDS])
        encoded = chunks.csv("events", extract.events, event_cols)
        _lines(handle, encoded, len(extract.events), progress, "events")

    files["people.csv"] = people
    if extract.events_header:
        files["events.csv"] = events
    with chunks:
        _write(out, json.dumps(manifest, indent=2) + "\n", files)
    return EncodeSummary(
        out,
        len(extract.people),
        len(extract.events),
        people_cols,
        event_cols,
        dropped["people"],
        dropped["events"],
    )


def _write(out: Path, manifest: str, files: dict[str, Callable[[Any], None]]) -> None:
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise ExtractError(f"{out} already exists; choose a new folder")
    if out.suffix == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        folder = out.stem
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{folder}/manifest.json", manifest)
            for name, write in files.items():
                buffer = io.StringIO(newline="")
                write(buffer)
                archive.writestr(f"{folder}/{name}", buffer.getvalue())
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    for name, write in files.items():
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            write(handle)
