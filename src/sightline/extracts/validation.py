"""Reading and validating one multi-agency-extract/1 extract, folder or ``.zip``, before anything is written.

Every problem is collected, not just the first, as ``file:row:column: reason``. Rows are CSV records
numbered as a spreadsheet shows them (the header is row 1). Row 0 means the file as a whole, and
column ``*`` means no single column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sightline.extracts import encoded
from sightline.extracts.mapping import NO_MAPPING, Mapping, TableMapping, convert_date
from sightline.extracts.reading import (
    MANIFEST,
    MANIFEST_MAX_BYTES,
    READ_ERRORS,
    FolderSource,
    Limits,
    Lines,
    Problem,
    Refused,
    Source,
    ZipSource,
    control_problem,
)

FORMAT = "multi-agency-extract/1"
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
# Deeper manifests are refused: nothing in the format nests, and deep JSON exhausts the stack.
MANIFEST_MAX_DEPTH = 16
MAX_INT = 2**53 - 1  # I-JSON, as the ledger stores numbers
# Outward code, optional space, inward code (whose letters never include C, I, K, M, O or V).
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})$", re.IGNORECASE)
AGENCY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_BOM = b"\xef\xbb\xbf"
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')

__all__ = ["Limits", "ParsedExtract", "Problem", "Progress", "read_extract"]


class Progress(Protocol):
    """Where long steps report how far they are (see ``sightline.core.progress``)."""

    def begin(self, stage: str, total: int) -> None: ...

    def update(self, n: int) -> None: ...


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


# --- CSV -----------------------------------------------------------------------------------------


class _Csv:
    """One CSV file, streamed: its header and rows, checked for encoding, control bytes, shape,
    required columns and the import limits."""

    def __init__(
        self,
        source: Source,
        name: str,
        required: tuple[str, ...],
        mapping: TableMapping,
        problems: list[Problem],
    ) -> None:
        self.label = label = f"{source.label}/{name}"
        self.problems = problems
        self.header: list[str] = []
        self.original: list[str] = []
        self.rows: list[tuple[int, list[str]]] = []
        self.marked: set[int] = set()  # rows holding a control byte or a byte that is not UTF-8
        self.present = False
        try:
            text = source.text(name)
            if text is None:
                return
            self.present = True
            with text:
                lines = Lines(text, label, source.limits)
                first = self._read(lines, source.limits.max_rows)
        except READ_ERRORS as exc:
            problems.append(Problem(label, 0, "*", f"cannot be read{source.where} ({exc})"))
            return
        if not lines.nonblank:
            problems.append(
                Problem(
                    label, 1, "*", f"the file is empty: it needs a header row naming {', '.join(required)}"
                )
            )
            self.rows = []
            return
        if first is not None:
            self._take_header(first, required, mapping)

    def _read(self, lines: Lines, max_rows: int) -> list[str] | None:
        """Every row but the header, which is returned."""
        first: list[str] | None = None
        reader = csv.reader(lines, strict=True)
        row = 1
        try:
            for cells in reader:
                row = lines.row
                if lines.next_record():
                    self.marked.add(row)
                if row > max_rows:
                    raise Refused(
                        Problem(self.label, row, "*", f"the file has more than {max_rows:,} rows "
                                "(SIGHTLINE_IMPORT_MAX_ROWS)")
                    )  # fmt: skip
                if row == 1:
                    first = cells
                elif cells:
                    self.rows.append((row, cells))
        except csv.Error as exc:
            self.problems.append(Problem(self.label, lines.row, "*", f"not valid CSV: {exc}"))
        return first

    def _take_header(self, cells: list[str], required: tuple[str, ...], mapping: TableMapping) -> None:
        self.original = [c.strip() for c in cells]
        self.header = mapping.rename(self.original)
        seen: dict[str, int] = {}
        for i, name in enumerate(self.header):
            reason = control_problem(name) if 1 in self.marked else None
            column = f"#{i + 1}" if not name or reason else name
            if reason:
                self.problems.append(Problem(self.label, 1, column, reason))
            elif not name:
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
            if row_number in self.marked:
                for i, (column, cell) in enumerate(zip(header, cells)):
                    if reason := control_problem(cell):
                        label = column if column and control_problem(column) is None else f"#{i + 1}"
                        self.problems.append(Problem(self.label, row_number, label, reason))
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


def _digest(digests: dict[str, str], mapping: Mapping) -> str:
    """SHA-256 over the files' own SHA-256s (and the mapping), as streamed."""
    h = hashlib.sha256(b"multi-agency-extract digest 1\n")
    for name in sorted(digests):
        h.update(f"{name}\n{digests[name]}\n".encode())
    if not mapping.empty or mapping.text:
        h.update(b"mapping\n" + mapping.text.encode("utf-8"))
    return h.hexdigest()


def _read_manifest(source: Source, problems: list[Problem]) -> bytes | None:
    file = f"{source.label}/{MANIFEST}"
    try:
        stream = source.open(MANIFEST)
        if stream is None:
            return None
        chunks: list[bytes] = []
        size = 0
        with stream:
            while size <= MANIFEST_MAX_BYTES and (data := stream.read(MANIFEST_MAX_BYTES + 1 - size)):
                chunks.append(data)
                size += len(data)
        raw = b"".join(chunks)
    except READ_ERRORS as exc:
        problems.append(Problem(file, 0, "*", f"cannot be read{source.where} ({exc})"))
        return b""
    if len(raw) > MANIFEST_MAX_BYTES:
        problems.append(Problem(file, 0, "*", f"is larger than {MANIFEST_MAX_BYTES:,} bytes"))
        return b""
    return raw


def _depth_at(text: str, limit: int) -> int | None:
    """Where (a character offset) the JSON first nests deeper than ``limit``, or None."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return m.start()
        elif token in ("]", "}"):
            depth -= 1
    return None


def _manifest_values(manifest: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(top-level key, value) for every key and value inside the manifest, without recursion."""
    for top, value in manifest.items():
        stack: list[Any] = [top, value]
        while stack:
            item = stack.pop()
            yield top, item
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return control_problem(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > MAX_INT:
        return f"the number {value} is outside the range the ledger stores (\u00b1{MAX_INT})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    return None


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
    except RecursionError:
        manifest = None  # too deep to parse: the depth check below says where
    deep = _depth_at(text, MANIFEST_MAX_DEPTH)
    if deep is not None:
        row = text.count("\n", 0, deep) + 1
        problems.append(Problem(file, row, "*", f"nests deeper than {MANIFEST_MAX_DEPTH} levels"))
        return {}
    if not isinstance(manifest, dict):
        problems.append(Problem(file, 1, "*", "must be a JSON object"))
        return {}

    def row_of(key: str) -> int:
        at = text.find(f'"{key}"')
        return text.count("\n", 0, at) + 1 if at >= 0 else 1

    def bad(key: str, reason: str) -> None:
        problems.append(Problem(file, row_of(key), key, reason))

    before = len(problems)
    for top, value in _manifest_values(manifest):
        if reason := _value_problem(value):
            bad(top if top and control_problem(top) is None else "*", reason)
    if len(problems) > before:
        return {}  # a value no table or ledger entry can hold

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


def _check_own_id(
    at: Problem, data: dict[str, Any], seen: dict[str, int], add: Callable[[Problem], None]
) -> None:
    """A row's own id (``at`` names the file, row and column, e.g. ``event_id``): present, unique within
    the extract and not too long. ``seen`` maps the ids so far to their rows."""
    value = str(data.get(at.column, "")).strip()
    what = at.column.removesuffix("_id")
    if not value:
        add(at._replace(reason="required value is blank"))
    elif value in seen:
        reason = f"{value!r} is also on row {seen[value]}: {what} ids are unique within an extract"
        add(at._replace(reason=reason))
    elif len(value) > MAX_ID_LENGTH:
        add(at._replace(reason=f"is longer than {MAX_ID_LENGTH} characters"))
    else:
        seen[value] = at.row


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
        if has_id:
            _check_own_id(Problem(label, row, "record_id", ""), data, seen, add)
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
        if has["event_id"]:
            _check_own_id(Problem(label, row, "event_id", ""), data, seen, add)
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


def _open(path: str | Path, limits: Limits, problems: list[Problem]) -> Source | None:
    p = Path(path)
    if p.is_dir():
        return FolderSource(p, limits)
    if p.is_file():
        return ZipSource.open_zip(p, limits, problems)
    problems.append(Problem(str(path).rstrip("/"), 0, "*", "no such extract folder or .zip file"))
    return None


def read_extract(
    path: str | Path,
    mapping: Mapping = NO_MAPPING,
    *,
    known_agencies: Collection[str] | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ParsedExtract:
    """Read and check everything in one extract. Nothing is written; ``problems`` lists every fault.

    A limit reached (``limits``, by default from the settings) stops the reading at once."""
    parsed = ParsedExtract(path=str(path), label=str(path).rstrip("/"))
    source = _open(path, limits or Limits.from_settings(), parsed.problems)
    if source is None:
        return parsed
    try:
        _read(parsed, source, mapping, known_agencies, progress)
    except Refused as exc:
        parsed.problems.append(exc.problem)
    finally:
        source.close()
    return parsed


def _read(
    parsed: ParsedExtract,
    source: Source,
    mapping: Mapping,
    known_agencies: Collection[str] | None,
    progress: Progress | None,
) -> None:
    problems = parsed.problems
    parsed.label = source.label
    parsed.manifest = _check_manifest(
        parsed.label, _read_manifest(source, problems), known_agencies, problems
    )
    people_csv = _Csv(source, mapping.people_file, PEOPLE_REQUIRED, mapping.people, problems)
    parsed.people = people_csv.records(mapping.people)
    events_csv = _Csv(source, mapping.events_file, EVENTS_REQUIRED, mapping.events, problems)
    parsed.events = events_csv.records(mapping.events)
    parsed.digest = _digest(source.digests, mapping)
    if progress:
        progress.begin("checking", len(parsed.people) + len(parsed.events))

    # None: the people file is unusable, so references into it cannot be checked.
    record_ids: dict[str, int] | None = None
    if not people_csv.present:
        problems.append(
            Problem(people_csv.label, 0, "*", f"missing: every extract needs {mapping.people_file}")
        )
    elif people_csv.header:
        ids = _check_people(people_csv.label, people_csv.header, parsed.people, problems, progress)
        record_ids = ids if "record_id" in people_csv.header else None
    if events_csv.header:
        _check_events(
            events_csv.label,
            events_csv.header,
            parsed.events,
            record_ids,
            mapping.people_file,
            problems,
            progress,
        )
    if "encoding" in parsed.manifest:
        nbytes = encoded.check_manifest(parsed.manifest["encoding"], f"{parsed.label}/{MANIFEST}", problems)
        if nbytes is not None:
            encoded.check_rows(people_csv.label, people_csv.header, parsed.people, nbytes,
                               encoded.PLAIN_PEOPLE, problems)  # fmt: skip
            encoded.check_rows(events_csv.label, events_csv.header, parsed.events, nbytes,
                               encoded.PLAIN_EVENTS, problems)  # fmt: skip
