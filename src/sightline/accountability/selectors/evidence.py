"""Evidence for an action, and its documents. Whoever may see the action may see its evidence; every
download, and every document found missing or altered, is ledgered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sightline.access.services import actor_for
from sightline.accountability.models import Action, Evidence
from sightline.accountability.selectors.history import ledger_entry_summary
from sightline.accountability.selectors.plans import viewable_action
from sightline.accountability.services.evidence_store import EvidenceFileError, read_document
from sightline.core.errors import NotFound
from sightline.ledger.models import Entry
from sightline.ledger.services import record_action


def evidence_for(action: Action) -> list[Evidence]:
    return list(Evidence.objects.filter(action=action).order_by("added_at"))


def evidence_with_entries(action: Action) -> list[tuple[Evidence, Entry | None]]:
    """The action's evidence, each linked ledger entry with it (its metadata only, never its content)."""
    return [
        (e, ledger_entry_summary(e.ledger_index) if e.ledger_index is not None else None)
        for e in evidence_for(action)
    ]


def get_evidence(evidence_id: str) -> Evidence:
    evidence = Evidence.objects.select_related("action").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("No such evidence")
    return evidence


@dataclass(frozen=True)
class EvidenceDocument:
    """A document as read from the store: its bytes, or why they cannot be given."""

    evidence: Evidence
    data: bytes | None
    problem: str = ""


def evidence_document(viewer: Any, evidence_id: str) -> EvidenceDocument:
    """The document, for whoever may see its action, checked against the SHA-256 in the ledger."""
    evidence = get_evidence(evidence_id)
    viewable_action(viewer, evidence.action_id)
    if evidence.kind != Evidence.Kind.DOCUMENT:
        raise NotFound("This evidence has no document")
    actor = actor_for(viewer)
    try:
        data = read_document(evidence)
    except EvidenceFileError as exc:
        record_action(actor, "read_failed", Evidence.ledger_type(), evidence.id, data={"problem": str(exc)})
        return EvidenceDocument(evidence, None, str(exc))
    record_action(actor, "read", Evidence.ledger_type(), evidence.id, data={"sha256": evidence.sha256})
    return EvidenceDocument(evidence, data)
