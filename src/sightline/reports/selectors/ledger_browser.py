"""The ledger, for the independent reviewer's pages: entries with filters, and the signed checkpoints
with their signatures checked. The pages check ``Cap.VIEW_LEDGER`` and ledger every look."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sightline.ledger import note
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.services import integrate, public_key
from sightline.reports.selectors.periods import midnight


@dataclass(frozen=True)
class EntryFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def as_data(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items() if v}


def ledger_entries(filters: EntryFilter = EntryFilter()) -> QuerySet[Entry]:
    """Ledger entries matching every given filter, newest first. ``actor`` matches the user exactly;
    ``object_type`` matches exactly; ``action`` and ``object_id`` too; dates are local days."""
    integrate()
    qs = Entry.objects.defer("canonical", "leaf_hash").order_by("-index")
    if filters.actor:
        qs = qs.filter(actor_user=filters.actor.strip())
    if filters.action:
        qs = qs.filter(action=filters.action.strip())
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.since:
        qs = qs.filter(time__gte=midnight(filters.since))
    if filters.until:
        qs = qs.filter(time__lt=midnight(filters.until + dt.timedelta(days=1)))
    return qs


def distinct_values(column: str, limit: int = 200) -> list[str]:
    """The values seen in a searchable column (for filter choices): actions or object types."""
    if column not in {"action", "object_type"}:
        raise ValueError(f"no choices for {column}")
    values = Entry.objects.order_by(column).values_list(column, flat=True).distinct()[:limit]
    return list(values)


def get_entry(index: int) -> Entry | None:
    integrate()
    return Entry.objects.filter(index=index).first()


@dataclass(frozen=True)
class CheckpointView:
    checkpoint: Checkpoint
    valid: bool
    problem: str = ""

    @property
    def root_b64(self) -> str:
        return base64.b64encode(bytes(self.checkpoint.root)).decode("ascii")


def checkpoints() -> list[CheckpointView]:
    """Every stored checkpoint, newest first, with its signature checked against the signing key."""
    key = public_key()
    out = []
    for cp in Checkpoint.objects.order_by("-id"):
        try:
            parsed = note.verify_checkpoint(cp.note, key)
        except note.NoteError as exc:
            out.append(CheckpointView(cp, False, str(exc)))
            continue
        if parsed.size != cp.size or parsed.root != bytes(cp.root):
            out.append(CheckpointView(cp, False, "the signed note does not match the stored size and root"))
        else:
            out.append(CheckpointView(cp, True))
    return out


def get_checkpoint(checkpoint_id: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(pk=checkpoint_id).first()


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-id").first()
