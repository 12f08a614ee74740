"""Reading and validating one multi-agency-extract/1 extract, folder or ``.zip``, before anything is written.

Every problem is collected, not just the first, as ``file:row:column: reason``. Rows are CSV records
numbered as a spreadsheet shows them (the header is row 1). Row 0 means the file as a whole, and
column ``*`` means no single column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, Protocol

from sightline.extracts.mapping import NO_MAPPING, Mapping, TableMapping, convert_date

FORMAT = "multi-agency-extract/1"
MANIFEST = "manifest.json"
PEOPLE_REQUIRED = ("record_id",)
EVENTS_REQUIRED = ("event_id", "record_id", "kind", "occurred_on")
EVENT_KINDS = frozenset(
    {
        "referral", "assessment", "strategy_meeting", "missing", "absent", "return_interview",
        "placement", "police_incident", "intelligence", "arrest", "charge", "bail", "self_referral",
        "health_attendance", "sexual_health", "school_absence", "exclusion", "outreach_contact",
        "taxi_complaint", "other",
    }
)  # fmt: skip
ROLES = frozenset({"suspect", "associate", "victim", "witness", "parent", "carer", "professional"})
SEXES = frozenset({"F", "M", "U"})
MAX_ESTIMATED_AGE = 120
MAX_ID_LENGTH = 200
# Outward code, optional space, inward code (whose letters never include C, I, K, M, O or V).
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})$", re.IGNORECASE)
AGENCY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_BOM = b"\xef\xbb\xbf"
_MAX_UNZIPPED = 8 * 1024**3


class Progress(Protocol):
    """Where long steps report how far they are (see ``sightline.core.progress``)."""

    def begin(self, stage: str, total: int) -> None: ...

    def update(self, n: int) -> None: ...


class Problem(NamedTuple):
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.reason}"


@dataclass
class ParsedExtract:
    """An extract as read, its rows exactly as received, and every problem found in it."""

    path: str
    label: str
    digest: str = ""
    manifest: dict[str, Any] = field(default_factory=dict)
    people: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def agency(self) -> str:
        return str(self.manifest.get("agency", ""))

    @property
    def extracted_on(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["extracted_on"])

    def period(self, key: str) -> dt.date | None:
        value = self.manifest.get(key)
        return dt.date.fromisoformat(value) if value else None


# --- single values -------------------------------------------------------------------------------


def partial_date_problem(value: str) -> str | None:
    m = _PARTIAL_DATE.match(value)
    if not m:
        return f"{value!r} is not a date: expected YYYY-MM-DD, or YYYY-MM or YYYY when partly known"
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        return f"{value!r} is not a real date ({exc})"
    return None


def parse_when(value: str) -> dt.date | None:
    """The date of a ``YYYY-MM-DD`` or ISO 8601 date-time value; None when it is neither."""
    try:
        if _DATE.match(value):
            return dt.date.fromisoformat(value)
        if _DATETIME.match(value):
            return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None
    return None


def nhs_number_valid(value: str) -> bool:
    digits = value.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def normalise_postcode(value: str) -> str:
    """``s652ab`` -> ``S65 2AB``; unchanged (stripped) when not a well-formed postcode."""
    m = POSTCODE_RE.match(value.strip())
    return f"{m.group(1)} {m.group(2)}".upper() if m else value.strip()


# --- opening folders and zips --------------------------------------------------------------------


def _read_folder(root: Path, names: Collection[str]) -> dict[str, bytes]:
    out = {}
    for name in names:
        p = root / name
        if p.is_file():
            out[name] = p.read_bytes()
    return out


def _read_zip(path: Path, names: Collection[str], problems: list[Problem]) -> tuple[str, dict[str, bytes]]:
    """(label of the extract folder inside the zip, files found)."""
    label = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        problems.append(Problem(label, 0, "*", f"not a readable .zip file ({exc})"))
        return label, {}
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        if sum(i.file_size for i in members) > _MAX_UNZIPPED:
            problems.append(Problem(label, 0, "*", "the zip unpacks to more than 8 GiB"))
            return label, {}
        manifests = sorted(
            (i.filename for i in members if PurePosixPath(i.filename).name == MANIFEST),
            key=lambda n: (n.count("/"), n),
        )
        root = str(PurePosixPath(manifests[0]).parent) if manifests else ""
        root = "" if root == "." else root + "/"
        if root:
            label = f"{path}/{root.rstrip('/')}"
        by_name = {i.filename: i for i in members}
        out: dict[str, bytes] = {}
        for name in names:
            info = by_name.get(root + name)
            if info is None:
                continue
            try:
                out[name] = zf.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                problems.append(Problem(f"{label}/{name}", 0, "*", f"cannot be read from the zip ({exc})"))
                out[name] = b""
    return label, out


# --- CSV -----------------------------------------------------------------------------------------


def _bad_utf8(cell: str) -> str | None:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError as exc:
        raw = cell[exc.start : exc.end].encode("utf-8", "surrogateescape")
        return f"not valid UTF-8 (byte {raw[:4].hex(' ')} at character {exc.start + 1} of the cell)"
    return None


class _Csv:
    """One CSV file: its header and rows, checked for encoding, shape and required columns."""

    def __init__(
        self,
        label: str,
        raw: bytes,
        required: tuple[str, ...],
        mapping: TableMapping,
        problems: list[Problem],
    ) -> None:
        self.label = label
        self.problems = problems
        self.header: list[str] = []
        self.original: list[str] = []
        self.rows: list[tuple[int, list[str]]] = []
        self.bad_encoding = False
        if raw.startswith(_BOM):
            raw = raw[3:]
        if not raw.strip():
            problems.append(
                Problem(
                    label, 1, "*", f"the file is empty: it needs a header row naming {', '.join(required)}"
                )
            )
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "surrogateescape")
            self.bad_encoding = True
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        row_number = 0
        try:
            for cells in reader:
                row_number += 1
                if row_number == 1:
                    self._take_header(cells, required, mapping)
                elif cells:
                    self.rows.append((row_number, cells))
        except csv.Error as exc:
            problems.append(Problem(label, row_number + 1, "*", f"not valid CSV: {exc}"))

    def _take_header(self, cells: list[str], required: tuple[str, ...], mapping: TableMapping) -> None:
        self.original = [c.strip() for c in cells]
        self.header = mapping.rename(self.original)
        seen: dict[str, int] = {}
        for i, name in enumerate(self.header):
            column = name or f"#{i + 1}"
            if self.bad_encoding and (reason := _bad_utf8(name)):
                self.problems.append(Problem(self.label, 1, column, reason))
            if not name:
                self.problems.append(Problem(self.label, 1, column, "the header names no column here"))
            elif name in seen:
                self.problems.append(
                    Problem(
                        self.label,
                        1,
                        column,
                        f"column appears twice (positions {seen[name] + 1} and {i + 1})",
                    )
                )
            seen.setdefault(name, i)
        for name in required:
            if name not in seen:
                self.problems.append(Problem(self.label, 1, name, "required column is missing"))

    def records(self, mapping: TableMapping) -> list[tuple[int, dict[str, Any]]]:
        """(row, cells by column) for every row; mapped codes and dates applied, originals kept."""
        width = len(self.header)
        out: list[tuple[int, dict[str, Any]]] = []
        header = self.header
        recode = mapping.codes.items()
        redate = mapping.dates.items()
        for row_number, cells in self.rows:
            if len(cells) != width:
                self.problems.append(
                    Problem(
                        self.label, row_number, "*", f"row has {len(cells)} cells but the header has {width}"
                    )
                )
                cells = (cells + [""] * width)[:width]
            if self.bad_encoding:
                for column, cell in zip(header, cells):
                    if reason := _bad_utf8(cell):
                        self.problems.append(Problem(self.label, row_number, column, reason))
            data: dict[str, Any] = dict(zip(header, cells))
            if recode or redate:
                data = self._apply(row_number, data, mapping, cells)
            out.append((row_number, data))
        return out

    def _apply(
        self, row_number: int, data: dict[str, Any], mapping: TableMapping, cells: list[str]
    ) -> dict[str, Any]:
        received = dict(zip(self.original, cells))
        for column, codes in mapping.codes.items():
            if column == "role" or column not in data:
                continue
            value = data[column].strip()
            if value in codes:
                data[column] = codes[value]
        if "role" in mapping.codes and data.get("others"):
            data["others"] = _recode_roles(data["others"], mapping.codes["role"])
        for column, formats in mapping.dates.items():
            value = str(data.get(column, "")).strip()
            if not value:
                continue
            converted = convert_date(value, formats)
            if converted is None:
                self.problems.append(
                    Problem(
                        self.label,
                        row_number,
                        column,
                        f"{value!r} matches none of the mapping's formats {', '.join(formats)}",
                    )
                )
            else:
                data[column] = converted
        if any(data.get(k) != v for k, v in received.items() if k in data) or set(received) != set(data):
            data["_received"] = received
        return data


def _recode_roles(cell: str, codes: dict[str, str]) -> str:
    items = []
    for item in cell.split(";"):
        rid, sep, role = item.strip().rpartition(":")
        items.append(f"{rid}:{codes.get(role.strip(), role.strip())}" if sep else item.strip())
    return ";".join(items)


# --- the extract ---------------------------------------------------------------------------------


def _digest(files: dict[str, bytes], mapping: Mapping) -> str:
    h = hashlib.sha256(b"multi-agency-extract digest 1\n")
    for name in sorted(files):
        h.update(f"{name}\n{hashlib.sha256(files[name]).hexdigest()}\n".encode())
    if not mapping.empty or mapping.text:
        h.update(b"mapping\n" + mapping.text.encode("utf-8"))
    return h.hexdigest()


def _check_manifest(
    label: str, raw: bytes | None, known_agencies: Collection[str] | None, problems: list[Problem]
) -> dict[str, Any]:
    file = f"{label}/{MANIFEST}"
    if raw is None:
        problems.append(Problem(file, 0, "*", "missing: every extract needs a manifest.json"))
        return {}
    if raw.startswith(_BOM):
        raw = raw[3:]
    if not raw.strip():
        problems.append(Problem(file, 1, "*", "the file is empty"))
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        problems.append(
            Problem(file, row, "*", f"not valid UTF-8 (byte {raw[exc.start : exc.start + 1].hex()})")
        )
        return {}
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(file, exc.lineno, "*", f"not valid JSON: {exc.msg} (character {exc.colno})"))
        return {}
    if not isinstance(manifest, dict):
        problems.append(Problem(file, 1, "*", "must be a JSON object"))
        return {}

    def row_of(key: str) -> int:
        at = text.find(f'"{key}"')
        return text.count("\n", 0, at) + 1 if at >= 0 else 1

    def bad(key: str, reason: str) -> None:
        problems.append(Problem(file, row_of(key), key, reason))

    if manifest.get("format") != FORMAT:
        bad("format", f"is {manifest.get('format')!r}; this importer reads {FORMAT!r}")
    agency = manifest.get("agency")
    if not isinstance(agency, str) or not AGENCY_RE.match(agency):
        bad("agency", f"{agency!r} is not an agency code (lower-case letters, digits and _)")
    elif known_agencies is not None and agency not in known_agencies:
        bad(
            "agency",
            f"{agency!r} is not registered with this deployment (known: {', '.join(sorted(known_agencies))})",
        )
    dates: dict[str, dt.date] = {}
    for key in ("extracted_on", "period_start", "period_end"):
        value = manifest.get(key)
        if value is None or value == "":
            if key == "extracted_on":
                bad(key, "required: the date the extract was taken, YYYY-MM-DD")
            continue
        try:
            if not isinstance(value, str) or not _DATE.match(value):
                raise ValueError
            dates[key] = dt.date.fromisoformat(value)
        except ValueError:
            bad(key, f"{value!r} is not a date in the form YYYY-MM-DD")
    if "period_start" in dates and "period_end" in dates and dates["period_start"] > dates["period_end"]:
        bad("period_end", "is before period_start")
    if "period_end" in dates and "extracted_on" in dates and dates["period_end"] > dates["extracted_on"]:
        bad("period_end", "is after extracted_on")
    return manifest


def _check_people(
    label: str,
    columns: Collection[str],
    rows: list[tuple[int, dict[str, Any]]],
    problems: list[Problem],
    progress: Progress | None,
) -> dict[str, int]:
    seen: dict[str, int] = {}
    add = problems.append
    has_id = "record_id" in columns
    for i, (row, data) in enumerate(rows):
        rid = str(data.get("record_id", "")).strip()
        if not has_id:
            pass
        elif not rid:
            add(Problem(label, row, "record_id", "required value is blank"))
        elif rid in seen:
            add(
                Problem(
                    label,
                    row,
                    "record_id",
                    f"{rid!r} is also on row {seen[rid]}: record ids are unique within an extract",
                )
            )
        elif len(rid) > MAX_ID_LENGTH:
            add(Problem(label, row, "record_id", f"is longer than {MAX_ID_LENGTH} characters"))
        else:
            seen[rid] = row
        if (v := str(data.get("date_of_birth", "")).strip()) and (reason := partial_date_problem(v)):
            add(Problem(label, row, "date_of_birth", reason))
        if (v := str(data.get("estimated_age", "")).strip()) and (
            not v.isdigit() or int(v) > MAX_ESTIMATED_AGE
        ):
            add(
                Problem(
                    label,
                    row,
                    "estimated_age",
                    f"{v!r} is not a whole number of years (0 to {MAX_ESTIMATED_AGE})",
                )
            )
        if (v := str(data.get("sex", "")).strip()) and v not in SEXES:
            add(Problem(label, row, "sex", f"{v!r} is not F, M or U"))
        if (v := str(data.get("nhs_number", "")).strip()) and not nhs_number_valid(v):
            add(
                Problem(
                    label,
                    row,
                    "nhs_number",
                    f"{v!r} is not a valid NHS number (10 digits with a mod-11 check digit)",
                )
            )
        if (v := str(data.get("postcode", "")).strip()) and not POSTCODE_RE.match(v):
            add(Problem(label, row, "postcode", f"{v!r} is not a well-formed UK postcode"))
        if progress and i % 2000 == 1999:
            progress.update(2000)
    if progress:
        progress.update(len(rows) % 2000)
    return seen


def _check_events(
    label: str,
    columns: Collection[str],
    rows: list[tuple[int, dict[str, Any]]],
    record_ids: Collection[str] | None,
    people_file: str,
    problems: list[Problem],
    progress: Progress | None,
) -> None:
    seen: dict[str, int] = {}
    add = problems.append
    has = {c: c in columns for c in EVENTS_REQUIRED}
    for i, (row, data) in enumerate(rows):
        eid = str(data.get("event_id", "")).strip()
        if not has["event_id"]:
            pass
        elif not eid:
            add(Problem(label, row, "event_id", "required value is blank"))
        elif eid in seen:
            add(
                Problem(
                    label,
                    row,
                    "event_id",
                    f"{eid!r} is also on row {seen[eid]}: event ids are unique within an extract",
                )
            )
        elif len(eid) > MAX_ID_LENGTH:
            add(Problem(label, row, "event_id", f"is longer than {MAX_ID_LENGTH} characters"))
        else:
            seen[eid] = row
        rid = str(data.get("record_id", "")).strip()
        if not has["record_id"]:
            pass
        elif not rid:
            add(Problem(label, row, "record_id", "required value is blank"))
        elif record_ids is not None and rid not in record_ids:
            add(Problem(label, row, "record_id", f"{rid!r} is not a record_id in {people_file}"))
        kind = str(data.get("kind", "")).strip()
        if not has["kind"]:
            pass
        elif not kind:
            add(Problem(label, row, "kind", "required value is blank"))
        elif kind not in EVENT_KINDS:
            add(Problem(label, row, "kind", f"{kind!r} is not a known event kind"))
        occurred = str(data.get("occurred_on", "")).strip()
        start = parse_when(occurred) if occurred else None
        if not has["occurred_on"]:
            pass
        elif not occurred:
            add(Problem(label, row, "occurred_on", "required value is blank"))
        elif start is None:
            add(
                Problem(
                    label,
                    row,
                    "occurred_on",
                    f"{occurred!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time",
                )
            )
        if ended := str(data.get("ended_on", "")).strip():
            end = parse_when(ended)
            if end is None:
                add(
                    Problem(
                        label, row, "ended_on", f"{ended!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time"
                    )
                )
            elif start is not None and end < start:
                add(Problem(label, row, "ended_on", f"{ended!r} is before occurred_on {occurred!r}"))
        if (v := str(data.get("postcode", "")).strip()) and not POSTCODE_RE.match(v):
            add(Problem(label, row, "postcode", f"{v!r} is not a well-formed UK postcode"))
        if others := str(data.get("others", "")).strip():
            for item in others.split(";"):
                item = item.strip()
                if not item:
                    continue
                other, sep, role = item.rpartition(":")
                other, role = other.strip(), role.strip()
                if not sep or not other:
                    add(Problem(label, row, "others", f"{item!r} is not record_id:role"))
                    continue
                if record_ids is not None and other not in record_ids:
                    add(Problem(label, row, "others", f"{other!r} is not a record_id in {people_file}"))
                if role not in ROLES:
                    add(
                        Problem(
                            label, row, "others", f"role {role!r} is not one of {', '.join(sorted(ROLES))}"
                        )
                    )
        if progress and i % 2000 == 1999:
            progress.update(2000)
    if progress:
        progress.update(len(rows) % 2000)


def read_extract(
    path: str | Path,
    mapping: Mapping = NO_MAPPING,
    *,
    known_agencies: Collection[str] | None = None,
    progress: Progress | None = None,
) -> ParsedExtract:
    """Read and check everything in one extract. Nothing is written; ``problems`` lists every fault."""
    p = Path(path)
    parsed = ParsedExtract(path=str(path), label=str(path).rstrip("/"))
    problems = parsed.problems
    names = (MANIFEST, mapping.people_file, mapping.events_file)
    if p.is_dir():
        files = _read_folder(p, names)
    elif p.is_file():
        parsed.label, files = _read_zip(p, names, problems)
        if problems:
            return parsed
    else:
        problems.append(Problem(parsed.label, 0, "*", "no such extract folder or .zip file"))
        return parsed

    parsed.digest = _digest(files, mapping)
    parsed.manifest = _check_manifest(parsed.label, files.get(MANIFEST), known_agencies, problems)

    people_label = f"{parsed.label}/{mapping.people_file}"
    raw_people = files.get(mapping.people_file)
    people_csv = events_csv = None
    if raw_people is not None:
        people_csv = _Csv(people_label, raw_people, PEOPLE_REQUIRED, mapping.people, problems)
        parsed.people = people_csv.records(mapping.people)
    raw_events = files.get(mapping.events_file)
    events_label = f"{parsed.label}/{mapping.events_file}"
    if raw_events is not None:
        events_csv = _Csv(events_label, raw_events, EVENTS_REQUIRED, mapping.events, problems)
        parsed.events = events_csv.records(mapping.events)
    if progress:
        progress.begin("checking", len(parsed.people) + len(parsed.events))

    # None: the people file is unusable, so references into it cannot be checked.
    record_ids: dict[str, int] | None = None
    if raw_people is None:
        problems.append(Problem(people_label, 0, "*", f"missing: every extract needs {mapping.people_file}"))
    elif people_csv is not None and people_csv.header:
        ids = _check_people(people_label, people_csv.header, parsed.people, problems, progress)
        record_ids = ids if "record_id" in people_csv.header else None
    if events_csv is not None and events_csv.header:
        _check_events(
            events_label,
            events_csv.header,
            parsed.events,
            record_ids,
            mapping.people_file,
            problems,
            progress,
        )
    return parsed
