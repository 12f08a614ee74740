"""New events about a person, announced to whoever listens.

Notifications sit above every domain they read, so the domains that bring events (an import, an entry
in case work or outreach) cannot call them. They announce the events here instead, inside their own
transaction, and a listener registered at start-up (``notifications.apps``) does the rest. With no
listener an announcement does nothing.

An import announces only its extract's id: the listener reads that extract's new events itself in one
query, so the import's rows are never walked one by one a second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sightline.ledger.services import Actor


@dataclass(frozen=True)
class Entered:
    """One event entered by hand about a person: a missing episode, a concern, an outreach contact."""

    person_id: str
    kind: str  # an events.csv kind (docs/extract-format.md) or "concern"
    occurred_on: dt.date
    agency: str  # the agency whose worker entered it
    source_type: str  # the ledger type of the row that holds it
    source_id: str


ImportListener = Callable[[Actor, str], None]
EntryListener = Callable[[Actor, Entered], None]
_ON_IMPORT: dict[str, ImportListener] = {}
_ON_ENTRY: dict[str, EntryListener] = {}


def listen(name: str, *, imported: ImportListener, entered: EntryListener) -> None:
    """Register (or replace, by name) what to do when an extract is imported and when an event is
    entered by hand."""
    _ON_IMPORT[name] = imported
    _ON_ENTRY[name] = entered


def announce_import(actor: Actor, *, extract_id: str) -> None:
    """An extract was just written: its new events (``SourceEvent`` version 1) may concern people."""
    for listener in _ON_IMPORT.values():
        listener(actor, extract_id)


def announce_entry(actor: Actor, event: Entered) -> None:
    """An event about a person was just entered by hand."""
    for listener in _ON_ENTRY.values():
        listener(actor, event)
