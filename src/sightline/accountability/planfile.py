"""Reading a response plan from YAML or CSV into plain specs. No database: checks against agencies and
indicators that exist happen in ``services.do_import_plan``.

Every problem names the file, the line (YAML) or row (CSV, header is row 1) and the field, in the
``file:row:field: reason`` form the extract importer uses. All problems are collected, not just the first.

YAML (see ``plans/rotherham-2014.yaml``)::

    plan: {key, title, inquiry, published_on, summary, illustrative_note}
    indicators: [{key, name, definition, measure, unit, target, direction}]   # optional
    recommendations:
      - {ref, title, text, target_date, indicators: [keys], illustrative,
         actions: [{ref, description, owner: {agency, person, user}, target_date, status}]}
    resources:                                                                 # optional
      funding: [{name, agency, financial_year, amount, note}]
      staffing: [{agency, team, year, staff, note}]
    engagement: [{title, event_on, status, location, organised_by, communities, attendees,
                  issues_raised, notes}]                                       # optional

CSV: one row per action, with the columns in :data:`CSV_COLUMNS`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from sightline.accountability.indicators import Definition, IndicatorDefinitionError, parse_definition

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
IMPORT_STATUSES = ("not_started", "in_progress")
EVENT_STATUSES = ("planned", "held", "cancelled")
MAX_BYTES = 5 * 1024 * 1024

CSV_COLUMNS = (
    "plan_key",
    "plan_title",
    "inquiry",
    "recommendation_ref",
    "recommendation_title",
    "recommendation_text",
    "recommendation_target_date",
    "indicators",
    "illustrative",
    "action_ref",
    "action_description",
    "owner_agency",
    "owner_person",
    "owner_user",
    "action_target_date",
    "action_status",
)
ROW_REQUIRED = (
    "recommendation_ref",
    "action_ref",
    "action_description",
    "owner_agency",
    "action_target_date",
)
CSV_REQUIRED = (
    "plan_key",
    "plan_title",
    "recommendation_ref",
    "recommendation_target_date",
    "action_ref",
    "action_description",
    "owner_agency",
    "action_target_date",
)


class PlanFileError(ValueError):
    """The plan file has problems; ``problems`` lists each as ``file:row:field: reason``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ActionSpec:
    ref: str
    description: str
    owner_agency: str
    owner_name: str
    owner_user: str
    target_date: dt.date
    status: str
    where: str


@dataclass
class RecommendationSpec:
    ref: str
    title: str
    text: str
    target_date: dt.date
    indicators: list[str]
    illustrative: bool
    actions: list[ActionSpec]
    where: str


@dataclass
class FundingSpec:
    name: str
    agency: str
    financial_year: int
    amount: Decimal
    note: str
    where: str


@dataclass
class StaffingSpec:
    agency: str
    team: str
    year: int
    staff: Decimal
    note: str
    where: str


@dataclass
class EngagementSpec:
    title: str
    event_on: dt.date
    status: str
    location: str
    organised_by: str
    communities: list[str]
    attendees: int | None
    issues_raised: str
    notes: str
    where: str


@dataclass
class PlanSpec:
    key: str
    title: str
    inquiry: str = ""
    published_on: dt.date | None = None
    summary: str = ""
    illustrative_note: str = ""
    recommendations: list[RecommendationSpec] = field(default_factory=list)
    indicators: list[Definition] = field(default_factory=list)
    funding: list[FundingSpec] = field(default_factory=list)
    staffing: list[StaffingSpec] = field(default_factory=list)
    engagement: list[EngagementSpec] = field(default_factory=list)


# --- YAML with line numbers ----------------------------------------------------------------------

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """Safe YAML that remembers the line each mapping starts on, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Problems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, row: int | str, fld: str, reason: str) -> None:
        self.items.append(f"{self.name}:{row}:{fld}: {reason}")

    def raise_if_any(self) -> None:
        if self.items:
            raise PlanFileError(self.items)


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else " ".join(str(value).split()) if key != "text" else str(value).strip()


def _date(value: Any, p: _Problems, row: int | str, fld: str, required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            p.add(row, fld, "this is required (a date, YYYY-MM-DD)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        p.add(row, fld, f"{value!r} is not a date (use YYYY-MM-DD)")
        return None
    if not 1900 <= day.year <= 2100:
        p.add(row, fld, f"{value!r} is outside 1900-2100")
        return None
    return day


def _bool(value: Any, p: _Problems, row: int | str, fld: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "no", "false", "n", "0"):
        return False
    if text in ("yes", "true", "y", "1"):
        return True
    p.add(row, fld, f"{value!r} is not yes or no")
    return False


def _int(value: Any, p: _Problems, row: int | str, fld: str, lo: int, hi: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        p.add(row, fld, f"{value!r} is not a whole number")
        return None
    if not lo <= number <= hi:
        p.add(row, fld, f"{number} is outside {lo}-{hi}")
        return None
    return number


def _decimal(value: Any, p: _Problems, row: int | str, fld: str) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except (InvalidOperation, ValueError):
        p.add(row, fld, f"{value!r} is not a number")
        return None
    if not number.is_finite() or number < 0:
        p.add(row, fld, f"{value!r} must be zero or more")
        return None
    return number


def _ref(value: str, p: _Problems, row: int | str, fld: str) -> str:
    if not value:
        p.add(row, fld, "this is required")
    elif not REF.match(value):
        p.add(row, fld, f"{value!r} must be up to 20 letters, digits, dots, dashes or underscores")
    return value


def _check_action(spec: ActionSpec, p: _Problems, row: int | str, prefix: str) -> None:
    if not prefix:  # YAML; CSV checks its required columns row by row
        _ref(spec.ref, p, row, "ref")
        if not spec.description:
            p.add(row, "description", "this is required")
        if not spec.owner_agency:
            p.add(row, "owner.agency", "this is required (an agency code, e.g. police)")
    if spec.status not in IMPORT_STATUSES:
        p.add(
            row,
            f"{prefix}status",
            f"{spec.status!r} cannot be imported: use not_started or in_progress "
            "(complete needs evidence and a second person's sign-off, in Sightline)",
        )


def _duplicates(
    recs: list[RecommendationSpec], p: _Problems, rec_field: str = "ref", act_field: str = "ref"
) -> None:
    seen: dict[str, str] = {}
    for rec in recs:
        if rec.ref in seen:
            p.add(rec.where, rec_field, f"recommendation {rec.ref} appears twice (first at {seen[rec.ref]})")
        seen[rec.ref] = rec.where
        acts: dict[str, str] = {}
        for act in rec.actions:
            if act.ref in acts:
                p.add(act.where, act_field, f"action {act.ref} appears twice in {rec.ref}")
            acts[act.ref] = act.where


# --- YAML ----------------------------------------------------------------------------------------


def _yaml_plan(data: Any, p: _Problems) -> PlanSpec:
    if not isinstance(data, dict):
        p.add(1, "plan", "the file must be a YAML mapping with plan: and recommendations:")
        p.raise_if_any()
    head = data.get("plan")
    if not isinstance(head, dict):
        p.add(data.get(LINE, 1), "plan", "a plan: mapping with key and title is required")
        p.raise_if_any()
    line = head.get(LINE, 1)
    spec = PlanSpec(
        key=_text(head, "key"),
        title=_text(head, "title"),
        inquiry=_text(head, "inquiry"),
        published_on=_date(head.get("published_on"), p, line, "plan.published_on", required=False),
        summary=str(head.get("summary") or "").strip(),
        illustrative_note=str(head.get("illustrative_note") or "").strip(),
    )
    if not SLUG.match(spec.key):
        p.add(line, "plan.key", f"{spec.key!r} must be lower-case letters, digits and dashes")
    if not spec.title:
        p.add(line, "plan.title", "this is required")
    for raw in data.get("indicators") or []:
        where = raw.get(LINE, line) if isinstance(raw, dict) else line
        try:
            spec.indicators.append(parse_definition(raw, f"{p.name}:{where}"))
        except IndicatorDefinitionError as exc:
            p.items.append(str(exc))
    recs = data.get("recommendations")
    if not isinstance(recs, list) or not recs:
        p.add(data.get(LINE, 1), "recommendations", "a list of recommendations is required")
        recs = []
    for i, raw in enumerate(recs):
        if not isinstance(raw, dict):
            p.add(line, f"recommendations[{i}]", "each recommendation must be a mapping")
            continue
        rl = raw[LINE]
        rec = RecommendationSpec(
            ref=_ref(_text(raw, "ref"), p, rl, "ref"),
            title=_text(raw, "title"),
            text=_text(raw, "text"),
            target_date=_date(raw.get("target_date"), p, rl, "target_date") or dt.date.min,
            indicators=[str(k).strip() for k in (raw.get("indicators") or [])],
            illustrative=_bool(raw.get("illustrative"), p, rl, "illustrative"),
            actions=[],
            where=str(rl),
        )
        if not rec.title:
            p.add(rl, "title", "this is required")
        actions = raw.get("actions")
        if not isinstance(actions, list) or not actions:
            p.add(rl, "actions", f"recommendation {rec.ref} needs at least one action")
            actions = []
        for j, act in enumerate(actions):
            if not isinstance(act, dict):
                p.add(rl, f"actions[{j}]", "each action must be a mapping")
                continue
            al = act[LINE]
            owner = act.get("owner") or {}
            if not isinstance(owner, dict):
                p.add(al, "owner", "owner must be a mapping with agency, person and user")
                owner = {}
            spec_a = ActionSpec(
                ref=_text(act, "ref"),
                description=_text(act, "description"),
                owner_agency=_text(owner, "agency"),
                owner_name=_text(owner, "person"),
                owner_user=_text(owner, "user"),
                target_date=_date(act.get("target_date", raw.get("target_date")), p, al, "target_date")
                or dt.date.min,
                status=_text(act, "status") or "not_started",
                where=str(al),
            )
            _check_action(spec_a, p, al, "")
            rec.actions.append(spec_a)
        spec.recommendations.append(rec)
    resources = data.get("resources") or {}
    for raw in resources.get("funding") or []:
        fl = raw.get(LINE, line)
        year = _int(raw.get("financial_year"), p, fl, "financial_year", 1990, 2100)
        amount = _decimal(raw.get("amount"), p, fl, "amount")
        name = _text(raw, "name")
        if not name:
            p.add(fl, "name", "this is required")
        if year is not None and amount is not None:
            spec.funding.append(
                FundingSpec(name, _text(raw, "agency"), year, amount, _text(raw, "note"), str(fl))
            )
    for raw in resources.get("staffing") or []:
        sl = raw.get(LINE, line)
        year = _int(raw.get("year"), p, sl, "year", 1990, 2100)
        staff = _decimal(raw.get("staff"), p, sl, "staff")
        agency, team = _text(raw, "agency"), _text(raw, "team")
        if not agency:
            p.add(sl, "agency", "this is required")
        if not team:
            p.add(sl, "team", "this is required")
        if year is not None and staff is not None:
            spec.staffing.append(StaffingSpec(agency, team, year, staff, _text(raw, "note"), str(sl)))
    for raw in data.get("engagement") or []:
        el = raw.get(LINE, line)
        status = _text(raw, "status") or "planned"
        if status not in EVENT_STATUSES:
            p.add(el, "status", f"{status!r} must be one of {', '.join(EVENT_STATUSES)}")
        attendees = raw.get("attendees")
        count = _int(attendees, p, el, "attendees", 0, 1_000_000) if attendees not in (None, "") else None
        title = _text(raw, "title")
        if not title:
            p.add(el, "title", "this is required")
        organiser = _text(raw, "organised_by")
        if not organiser:
            p.add(el, "organised_by", "this is required (an agency code)")
        spec.engagement.append(
            EngagementSpec(
                title=title,
                event_on=_date(raw.get("event_on"), p, el, "event_on") or dt.date.min,
                status=status,
                location=_text(raw, "location"),
                organised_by=organiser,
                communities=[" ".join(str(c).split()) for c in raw.get("communities") or []],
                attendees=count,
                issues_raised=str(raw.get("issues_raised") or "").strip(),
                notes=str(raw.get("notes") or "").strip(),
                where=str(el),
            )
        )
    return spec


def parse_yaml(content: bytes, name: str) -> PlanSpec:
    p = _Problems(name)
    try:
        data = yaml.load(content.decode("utf-8"), Loader=_LineLoader)  # noqa: S506  # a SafeLoader subclass
    except UnicodeDecodeError:
        p.add(1, "file", "the file is not UTF-8 text")
        p.raise_if_any()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        p.add(mark.line + 1 if mark else 1, "file", f"not valid YAML: {getattr(exc, 'problem', exc)}")
        p.raise_if_any()
    spec = _yaml_plan(data, p)
    _duplicates(spec.recommendations, p)
    p.raise_if_any()
    return spec


# --- CSV -----------------------------------------------------------------------------------------


def parse_csv(content: bytes, name: str) -> PlanSpec:
    p = _Problems(name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        p.add(1, "file", "the file is not UTF-8 text")
        p.raise_if_any()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        p.add(1, missing[0], f"the header is missing the column(s) {', '.join(missing)}")
        p.raise_if_any()
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        p.add(1, unknown[0], f"unknown column(s) {', '.join(unknown)}; columns are {', '.join(CSV_COLUMNS)}")
    spec: PlanSpec | None = None
    recs: dict[str, RecommendationSpec] = {}
    for n, raw_row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw_row.items() if k}
        if not any(row.values()):
            continue
        for col in ROW_REQUIRED:
            if not row.get(col):
                p.add(n, col, "this is required")
        if spec is None:
            for col in ("plan_key", "plan_title"):
                if not row.get(col):
                    p.add(n, col, "this is required on the first row")
            spec = PlanSpec(
                key=row.get("plan_key", ""), title=row.get("plan_title", ""), inquiry=row.get("inquiry", "")
            )
            if not SLUG.match(spec.key):
                p.add(n, "plan_key", f"{spec.key!r} must be lower-case letters, digits and dashes")
        else:
            for col, have in (("plan_key", spec.key), ("plan_title", spec.title)):
                if row.get(col) and row[col] != have:
                    p.add(n, col, f"{row[col]!r} differs from {have!r} on row 2: one plan per file")
        ref = row.get("recommendation_ref", "")
        if ref:
            _ref(ref, p, n, "recommendation_ref")
        rec = recs.get(ref)
        target = _date(
            row.get("recommendation_target_date"), p, n, "recommendation_target_date", required=rec is None
        )
        if rec is None:
            rec = RecommendationSpec(
                ref=ref,
                title=row.get("recommendation_title", ""),
                text=row.get("recommendation_text", ""),
                target_date=target or dt.date.min,
                indicators=[k.strip() for k in row.get("indicators", "").split(";") if k.strip()],
                illustrative=_bool(row.get("illustrative"), p, n, "illustrative"),
                actions=[],
                where=str(n),
            )
            if not rec.title:
                p.add(n, "recommendation_title", "this is required on a recommendation's first row")
            recs[ref] = rec
        else:
            for col, have in (
                ("recommendation_title", rec.title),
                ("recommendation_text", rec.text),
            ):
                if row.get(col) and row[col] != have:
                    p.add(n, col, f"differs from row {rec.where} for recommendation {ref}")
            if target is not None and target != rec.target_date:
                p.add(
                    n, "recommendation_target_date", f"differs from row {rec.where} for recommendation {ref}"
                )
        if row.get("action_ref"):
            _ref(row["action_ref"], p, n, "action_ref")
        action = ActionSpec(
            ref=row.get("action_ref", ""),
            description=row.get("action_description", ""),
            owner_agency=row.get("owner_agency", ""),
            owner_name=row.get("owner_person", ""),
            owner_user=row.get("owner_user", ""),
            target_date=_date(row.get("action_target_date"), p, n, "action_target_date") or dt.date.min,
            status=row.get("action_status") or "not_started",
            where=str(n),
        )
        _check_action(action, p, n, "action_")
        rec.actions.append(action)
    if spec is None:
        p.add(2, "file", "the file has a header but no rows")
        p.raise_if_any()
    assert spec is not None
    spec.recommendations = list(recs.values())
    _duplicates(spec.recommendations, p, "recommendation_ref", "action_ref")
    p.raise_if_any()
    return spec


def parse_plan(content: bytes, name: str) -> PlanSpec:
    """A plan from a file's bytes; the format follows the name (.yaml/.yml or .csv)."""
    if len(content) > MAX_BYTES:
        raise PlanFileError([f"{name}:1:file: the file is larger than {MAX_BYTES // (1024 * 1024)} MB"])
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(content, name)
    if lower.endswith(".csv"):
        return parse_csv(content, name)
    raise PlanFileError([f"{name}:1:file: a plan must be a .yaml, .yml or .csv file"])
