"""A plan from YAML (see ``plans/rotherham-2014.yaml``); problems name the line each mapping starts on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from sightline.accountability.indicators import IndicatorDefinitionError, parse_definition
from sightline.accountability.planfile.fields import (
    Problems,
    check_action,
    check_ref,
    duplicates,
    read_bool,
    read_date,
    read_decimal,
    read_int,
    read_text,
)
from sightline.accountability.planfile.specs import (
    EVENT_STATUSES,
    SLUG,
    ActionSpec,
    EngagementSpec,
    FundingSpec,
    PlanSpec,
    RecommendationSpec,
    StaffingSpec,
)

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """Safe YAML that remembers the line each mapping starts on, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _head(data: Any, p: Problems) -> PlanSpec:
    if not isinstance(data, dict):
        p.add(1, "plan", "the file must be a YAML mapping with plan: and recommendations:")
        p.raise_if_any()
    head = data.get("plan")
    if not isinstance(head, dict):
        p.add(data.get(LINE, 1), "plan", "a plan: mapping with key and title is required")
        p.raise_if_any()
    line = head.get(LINE, 1)
    spec = PlanSpec(
        key=read_text(head, "key"),
        title=read_text(head, "title"),
        inquiry=read_text(head, "inquiry"),
        published_on=read_date(head.get("published_on"), p, line, "plan.published_on", required=False),
        summary=str(head.get("summary") or "").strip(),
        illustrative_note=str(head.get("illustrative_note") or "").strip(),
    )
    if not SLUG.match(spec.key):
        p.add(line, "plan.key", f"{spec.key!r} must be lower-case letters, digits and dashes")
    if not spec.title:
        p.add(line, "plan.title", "this is required")
    return spec


def _action(act: dict[str, Any], rec: dict[str, Any], p: Problems) -> ActionSpec:
    al = act[LINE]
    owner = act.get("owner") or {}
    if not isinstance(owner, dict):
        p.add(al, "owner", "owner must be a mapping with agency, person and user")
        owner = {}
    spec = ActionSpec(
        ref=read_text(act, "ref"),
        description=read_text(act, "description"),
        owner_agency=read_text(owner, "agency"),
        owner_name=read_text(owner, "person"),
        owner_user=read_text(owner, "user"),
        target_date=read_date(act.get("target_date", rec.get("target_date")), p, al, "target_date")
        or dt.date.min,
        status=read_text(act, "status") or "not_started",
        where=str(al),
    )
    check_action(spec, p, al, "")
    return spec


def _recommendation(raw: dict[str, Any], p: Problems) -> RecommendationSpec:
    rl = raw[LINE]
    rec = RecommendationSpec(
        ref=check_ref(read_text(raw, "ref"), p, rl, "ref"),
        title=read_text(raw, "title"),
        text=read_text(raw, "text"),
        target_date=read_date(raw.get("target_date"), p, rl, "target_date") or dt.date.min,
        indicators=[str(k).strip() for k in (raw.get("indicators") or [])],
        illustrative=read_bool(raw.get("illustrative"), p, rl, "illustrative"),
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
        if isinstance(act, dict):
            rec.actions.append(_action(act, raw, p))
        else:
            p.add(rl, f"actions[{j}]", "each action must be a mapping")
    return rec


def _funding(raw: dict[str, Any], line: int, p: Problems) -> FundingSpec | None:
    fl = raw.get(LINE, line)
    year = read_int(raw.get("financial_year"), p, fl, "financial_year", 1990, 2100)
    amount = read_decimal(raw.get("amount"), p, fl, "amount")
    name = read_text(raw, "name")
    if not name:
        p.add(fl, "name", "this is required")
    if year is None or amount is None:
        return None
    return FundingSpec(name, read_text(raw, "agency"), year, amount, read_text(raw, "note"), str(fl))


def _staffing(raw: dict[str, Any], line: int, p: Problems) -> StaffingSpec | None:
    sl = raw.get(LINE, line)
    year = read_int(raw.get("year"), p, sl, "year", 1990, 2100)
    staff = read_decimal(raw.get("staff"), p, sl, "staff")
    agency, team = read_text(raw, "agency"), read_text(raw, "team")
    if not agency:
        p.add(sl, "agency", "this is required")
    if not team:
        p.add(sl, "team", "this is required")
    if year is None or staff is None:
        return None
    return StaffingSpec(agency, team, year, staff, read_text(raw, "note"), str(sl))


def _event(raw: dict[str, Any], line: int, p: Problems) -> EngagementSpec:
    el = raw.get(LINE, line)
    status = read_text(raw, "status") or "planned"
    if status not in EVENT_STATUSES:
        p.add(el, "status", f"{status!r} must be one of {', '.join(EVENT_STATUSES)}")
    attendees = raw.get("attendees")
    count = read_int(attendees, p, el, "attendees", 0, 1_000_000) if attendees not in (None, "") else None
    title = read_text(raw, "title")
    if not title:
        p.add(el, "title", "this is required")
    organiser = read_text(raw, "organised_by")
    if not organiser:
        p.add(el, "organised_by", "this is required (an agency code)")
    return EngagementSpec(
        title=title,
        event_on=read_date(raw.get("event_on"), p, el, "event_on") or dt.date.min,
        status=status,
        location=read_text(raw, "location"),
        organised_by=organiser,
        communities=[" ".join(str(c).split()) for c in raw.get("communities") or []],
        attendees=count,
        issues_raised=str(raw.get("issues_raised") or "").strip(),
        notes=str(raw.get("notes") or "").strip(),
        where=str(el),
    )


def _yaml_plan(data: Any, p: Problems) -> PlanSpec:
    spec = _head(data, p)
    line = data["plan"].get(LINE, 1)
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
        if isinstance(raw, dict):
            spec.recommendations.append(_recommendation(raw, p))
        else:
            p.add(line, f"recommendations[{i}]", "each recommendation must be a mapping")
    resources = data.get("resources") or {}
    spec.funding = [f for f in (_funding(raw, line, p) for raw in resources.get("funding") or []) if f]
    spec.staffing = [s for s in (_staffing(raw, line, p) for raw in resources.get("staffing") or []) if s]
    spec.engagement = [_event(raw, line, p) for raw in data.get("engagement") or []]
    return spec


def parse_yaml(content: bytes, name: str) -> PlanSpec:
    p = Problems(name)
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
    duplicates(spec.recommendations, p)
    p.raise_if_any()
    return spec
