"""Histories read from the ledger itself: every version of a recommendation, its actions, their evidence
and every moved date, with what changed between versions. The current rows play no part."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sightline.accountability.models import (
    Action,
    Evidence,
    Recommendation,
    TargetDateChange,
    citable_as_evidence,
)
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate

FIELD_LABELS = {
    "target_date": "Target date",
    "status": "Status",
    "title": "Title",
    "text": "Text",
    "description": "Description",
    "owner_agency_id": "Owner agency",
    "owner_name": "Owner",
    "owner_user": "Owner's account",
    "completed_by": "Marked complete by",
    "signed_off_by": "Signed off by",
    "sign_off_note": "Sign-off note",
    "indicator_keys": "Indicators",
    "withdrawn": "Withdrawn",
    "withdrawn_reason": "Withdrawn because",
}
SUMMARIES = {
    "create": "Created",
    "update": "Changed",
    "move_target_date": "Target date moved",
    "start": "Started",
    "complete": "Marked complete",
    "sign_off": "Signed off",
    "return": "Sign-off refused, sent back",
    "reopen": "Reopened",
    "withdraw": "Withdrawn",
}
_HIDDEN = {"id", "position", "completed_at", "signed_off_at", "recommendation_id", "action_id", "plan_id"}


@dataclass(frozen=True)
class HistoryItem:
    entry: Entry
    what: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)
    summary: str


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
            _show(before.get(name)),
            _show(after.get(name)),
        )
        for name in sorted(set(after) | set(before))
        if name not in _HIDDEN and after.get(name) != before.get(name)
    ]


def _summary(action: str, first: bool) -> str:
    if action == "import":
        return "Imported" if first else "Updated by import"
    return SUMMARIES.get(action, action.replace("_", " ").capitalize())


def history(objects: Iterable[tuple[str, str, str]]) -> list[HistoryItem]:
    """Every ledger entry about the given ``(object_type, object_id, label)`` objects, oldest first, with
    what changed between versions."""
    integrate()
    labels: dict[tuple[str, str], str] = {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for otype, oid, label in objects:
        labels[(otype, oid)] = label
        by_type[otype].append(oid)
    if not by_type:
        return []
    q = Q()
    for otype, ids in by_type.items():
        q |= Q(object_type=otype, object_id__in=ids)
    previous: dict[tuple[str, str], dict[str, Any]] = {}
    out = []
    for entry in Entry.objects.filter(q).order_by("index"):
        key = (entry.object_type, entry.object_id)
        data = json.loads(bytes(entry.canonical)).get("data") or {}
        before = previous.get(key)
        changes = []
        if entry.version is not None and isinstance(data, dict):
            if before is not None:
                changes = _changes(before, data)
            previous[key] = data
        out.append(HistoryItem(entry, labels[key], changes, _summary(entry.action, before is None)))
    return out


def recommendation_history(rec: Recommendation) -> list[HistoryItem]:
    """The recommendation, its actions, their evidence and every moved date, from the ledger."""
    objs: list[tuple[str, str, str]] = [(rec.ledger_type(), rec.id, f"Recommendation {rec.ref}")]
    actions = list(rec.actions.all())
    objs += [(Action.ledger_type(), a.id, f"Action {a.ref}") for a in actions]
    objs += [
        (Evidence.ledger_type(), e.id, f"Evidence for {e.action.ref}: {e.title}")
        for e in Evidence.objects.filter(action__in=actions).select_related("action")
    ]
    objs += [
        (TargetDateChange.ledger_type(), c.id, "Target date change")
        for c in TargetDateChange.objects.filter(Q(recommendation=rec) | Q(action__in=actions))
    ]
    return history(objs)


def action_history(action: Action) -> list[HistoryItem]:
    objs: list[tuple[str, str, str]] = [(Action.ledger_type(), action.id, f"Action {action.ref}")]
    objs += [
        (Evidence.ledger_type(), e.id, f"Evidence: {e.title}") for e in Evidence.objects.filter(action=action)
    ]
    objs += [
        (TargetDateChange.ledger_type(), c.id, "Target date change")
        for c in TargetDateChange.objects.filter(action=action)
    ]
    return history(objs)


def ledger_entry_summary(index: int) -> Entry | None:
    """What a linked ledger entry is (metadata only, never content), when evidence may cite it."""
    integrate()
    entry = (
        Entry.objects.filter(index=index)
        .only(
            "index",
            "time",
            "actor_user",
            "actor_role",
            "actor_agency",
            "action",
            "object_type",
            "object_id",
            "version",
        )
        .first()
    )
    return entry if entry and citable_as_evidence(entry.object_type, entry.version) else None
