"""Evidence for an action: a document (kept in the evidence file store), a link to a ledger entry, or a
note; and withdrawing evidence added in error, which stays on record with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, has_cap
from sightline.accountability.models import Action, ActionStatus, Evidence, citable_as_evidence
from sightline.accountability.services.evidence_store import store_document
from sightline.accountability.services.validation import now_or, require_progress, required
from sightline.ledger.models import Entry
from sightline.ledger.services import Actor, do_create, do_update, integrate, locked

EVIDENCE_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".rtf",
        ".txt",
        ".csv",
        ".xls",
        ".xlsx",
        ".ods",
        ".ppt",
        ".pptx",
        ".odp",
        ".png",
        ".jpg",
        ".jpeg",
        ".eml",
        ".msg",
    }
)


def _evidence_action(action_id: str, actor: Actor) -> Action:
    action = locked(Action, action_id)
    require_progress(actor, action)
    if action.status == ActionStatus.COMPLETE and action.signed_off_at is not None:
        raise ValidationError({"__all__": "this action is signed off: reopen it before adding evidence"})
    return action


def do_add_document(
    actor: Actor,
    *,
    action_id: str,
    stream: BinaryIO | Iterable[bytes],
    file_name: str,
    title: str = "",
    content_type: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Add an uploaded document as evidence. The store keeps it by its SHA-256, which the ledger
    records, so any later change to the file shows."""
    base = Path(file_name or "").name.strip()
    if not base:
        raise ValidationError({"document": "choose a file"})
    if Path(base).suffix.lower() not in EVIDENCE_EXTENSIONS:
        kinds = ", ".join(sorted(e.lstrip(".") for e in EVIDENCE_EXTENSIONS))
        raise ValidationError({"document": f"the file must be one of: {kinds}"})
    with transaction.atomic():
        action = _evidence_action(action_id, actor)
        sha, size = store_document(stream)
        if size == 0:
            raise ValidationError({"document": "the file is empty"})
        return do_create(
            Evidence(
                action=action,
                kind=Evidence.Kind.DOCUMENT,
                title=(title.strip() or base)[:200],
                note=note.strip(),
                file_name=base[:255],
                content_type=(content_type or "application/octet-stream")[:100],
                size=size,
                sha256=sha,
                added_by=actor.user,
                added_at=now_or(now),
            ),
            actor=actor,
        )


def do_add_ledger_link(
    actor: Actor,
    *,
    action_id: str,
    ledger_index: int,
    title: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Link a ledger entry (for example the record of a training session or a policy change) as evidence."""
    integrate()
    entry = Entry.objects.filter(index=ledger_index).first()
    if entry is None:
        raise ValidationError({"ledger_index": f"there is no ledger entry #{ledger_index}"})
    if not citable_as_evidence(entry.object_type, entry.version):
        raise ValidationError(
            {"ledger_index": f"entry #{ledger_index} is not a record of the partnership's plans or actions"}
        )
    with transaction.atomic():
        action = _evidence_action(action_id, actor)
        return do_create(
            Evidence(
                action=action,
                kind=Evidence.Kind.LEDGER_ENTRY,
                title=(title.strip() or f"Ledger entry #{entry.index}: {entry.action} {entry.object_type}")[
                    :200
                ],
                note=note.strip(),
                ledger_index=entry.index,
                added_by=actor.user,
                added_at=now_or(now),
            ),
            actor=actor,
        )


def do_add_note(
    actor: Actor, *, action_id: str, title: str, note: str, now: dt.datetime | None = None
) -> Evidence:
    required({"title": title, "note": note})
    with transaction.atomic():
        action = _evidence_action(action_id, actor)
        return do_create(
            Evidence(
                action=action,
                kind=Evidence.Kind.NOTE,
                title=title.strip()[:200],
                note=note.strip(),
                added_by=actor.user,
                added_at=now_or(now),
            ),
            actor=actor,
        )


def do_withdraw_evidence(actor: Actor, *, evidence_id: str, reason: str) -> Evidence:
    """Withdraw evidence added in error. It stays on record (and in the store) with the reason."""
    required({"reason": reason})
    with transaction.atomic():
        evidence = locked(Evidence, evidence_id)
        action = Action.objects.select_for_update().get(pk=evidence.action_id)
        if not (has_cap(actor, Cap.MANAGE_RECOMMENDATIONS) or evidence.added_by == actor.user):
            raise PermissionDenied(
                "only whoever added it or someone who manages recommendations may withdraw it"
            )
        if evidence.withdrawn:
            raise ValidationError({"__all__": "this evidence is already withdrawn"})
        if action.status == ActionStatus.COMPLETE:
            raise ValidationError(
                {"__all__": "the action is marked complete: reopen it before withdrawing evidence"}
            )
        evidence.withdrawn = True
        evidence.withdrawn_reason = reason.strip()
        return do_update(evidence, actor=actor, action="withdraw", reason=reason.strip())
