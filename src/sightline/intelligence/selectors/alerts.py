"""Alerts as one viewer may see them: the ranked list and one alert with its evidence and history.

An alert about a person the viewer may not open keeps its place, score and status but loses the
person's name and the reasons (which name them): ``restricted``. What is shown is ledgered:

* a list page: one ``read_list`` entry naming the people whose alerts the page shows;
* an alert: one ``read_list`` entry naming the people its evidence links to, and, when the alert is
  about a person the viewer may open, a ``read`` of that person (``require_person_access``, purpose
  ``alert <id>``), so the person's access history shows who looked at alerts about them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sightline.access.permissions import Cap
from sightline.core.errors import NotFound
from sightline.intelligence.models import Alert, Network
from sightline.intelligence.selectors.evidence import (
    EvidenceEvent,
    EvidenceRecord,
    StatusChange,
    alert_evidence,
    alert_history,
)
from sightline.intelligence.selectors.networks import group_name, groups_by_id
from sightline.intelligence.selectors.viewer import Listing, ledger_shown, viewer_actor
from sightline.people import need_to_know as access
from sightline.people.need_to_know import visible_among

PERSON_KINDS = (Alert.Kind.CHILD_AT_RISK, Alert.Kind.ADULT_OF_CONCERN)
# What an alert list shows unless asked otherwise: dismissed alerts are done with.
OPEN_STATUSES = (Alert.Status.NEW, Alert.Status.UNDER_REVIEW, Alert.Status.ACTIONED)


@dataclass(frozen=True)
class AlertView:
    """An alert as the viewer sees it. ``restricted``: about a person outside the viewer's access,
    so ``subject_label`` and ``reasons`` are blank (break-glass opens the person)."""

    id: str
    kind: str
    subject_id: str
    subject_label: str
    score: float
    reasons: str
    record_keys: list[str]
    event_keys: list[str]
    status: str
    status_reason: str
    status_by: str
    status_at: dt.datetime | None
    first_raised_at: dt.datetime
    version: int
    restricted: bool
    confidence: str = ""

    @property
    def kind_label(self) -> str:
        return str(Alert.Kind(self.kind).label) if self.kind in Alert.Kind.values else self.kind

    @property
    def status_label(self) -> str:
        return str(Alert.Status(self.status).label) if self.status in Alert.Status.values else self.status


@dataclass(frozen=True)
class AlertDetail:
    """One alert with what lies behind it. ``person_id``: the person it is about, when the viewer
    may open them; ``network_id``: the current group a group alert is about. Evidence linked to
    people outside the viewer's access comes back ``restricted``, without the person or name."""

    alert: AlertView
    person_id: str | None
    network_id: str | None
    records: list[EvidenceRecord]
    events: list[EvidenceEvent]
    history: list[StatusChange]


def reason_lines(text: str) -> list[str]:
    """An alert's reasons as the sentences the engine wrote (each ends with its evidence)."""
    out: list[str] = []
    for part in text.replace("]. ", "].\n").split("\n"):
        part = part.strip()
        if part:
            out.extend(s.strip() for s in split_sentences(part) if s.strip())
    return out


_SPLIT_TOKENS = re.compile(r"[\[\]()]|\. (?=(.))")


def split_sentences(text: str) -> list[str]:
    # Split on ". " followed by a capital, but never inside [evidence lists] or (ids). Only brackets
    # and full stops are visited: a character loop over long evidence lists was most of the alerts page.
    out, depth, start = [], 0, 0
    for found in _SPLIT_TOKENS.finditer(text):
        mark = found.group()
        if mark in "[(":
            depth += 1
        elif mark in "])":
            depth = max(depth - 1, 0)
        elif depth == 0 and found.group(1).isupper():
            out.append(text[start : found.start() + 1])
            start = found.end()
    out.append(text[start:])
    return out


_EVIDENCE = re.compile(r" ?\[[^\]]*\]")
TOP_REASONS = 3


_PERSON_ID = re.compile(r" \(P-[0-9A-F]{12}\)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_AGENCY_KEY = re.compile(r"(?<=[\[ ])([a-z_]+):(?=\S)")


def _date_words(found: re.Match[str]) -> str:
    try:
        day = dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return found[0]
    return f"{day.day} {day:%b %Y}"


def plain_reason(line: str, agencies: dict[str, str] | None = None) -> str:
    """One reason in a practitioner's words: dates as "23 Sep 2026", and in the evidence list each
    record's agency by name ("Police OCC-0001057", not "police:OCC-0001057")."""
    line = _ISO_DATE.sub(_date_words, line)
    if agencies:
        line = _EVIDENCE.sub(lambda m: _AGENCY_KEY.sub(lambda k: f"{agencies.get(k[1], k[1])} ", m[0]), line)
    return line


def top_reasons(text: str, n: int = TOP_REASONS) -> list[str]:
    """The first ``n`` reasons (the engine writes the strongest first), in plain words, without their
    evidence keys or people's ids: what a list shows of each alert."""
    return [plain_reason(_PERSON_ID.sub("", _EVIDENCE.sub("", line))) for line in reason_lines(text)[:n]]


def ranked_alerts(*, kind: str = "", statuses: Collection[str] = ()) -> QuerySet[Alert]:
    """Alerts raised by the latest run, highest score first (ties by id, so the order is stable), of a
    kind and statuses (any if blank). No access check: for the checked reads below and exports."""
    qs = Alert.objects.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    return qs.order_by("-score", "id")


def _about_person(alert: Alert) -> str | None:
    return alert.subject_id if alert.kind in PERSON_KINDS else None


def _subject_label(alert: Alert, visible: set[str], groups: dict[str, Network]) -> str:
    group = groups.get(alert.subject_id) if alert.kind == Alert.Kind.GROUP else None
    return group_name(group, visible) if group is not None else alert.subject_label


def named_groups(alerts: Iterable[Alert]) -> dict[str, Network]:
    """The groups that group alerts are about, for naming them as the viewer may see."""
    return groups_by_id(a.subject_id for a in alerts if a.kind == Alert.Kind.GROUP)


def alert_view(alert: Alert, visible: set[str], groups: dict[str, Network]) -> AlertView:
    """The alert as a viewer who may open ``visible`` people sees it (``groups``: see named_groups)."""
    restricted = alert.kind in PERSON_KINDS and alert.subject_id not in visible
    return AlertView(
        id=alert.id,
        kind=alert.kind,
        subject_id=alert.subject_id,
        subject_label="" if restricted else _subject_label(alert, visible, groups),
        score=alert.score,
        reasons="" if restricted else alert.reasons,
        record_keys=list(alert.record_keys),
        event_keys=list(alert.event_keys),
        status=alert.status,
        status_reason=alert.status_reason,
        status_by=alert.status_by,
        status_at=alert.status_at,
        first_raised_at=alert.first_raised_at,
        version=alert.version,
        restricted=restricted,
        confidence=alert.confidence,
    )


def alert_list(user: Any, *, kind: str = "", statuses: Collection[str] = ()) -> Listing[AlertView]:
    """The ranked alerts of a kind and statuses (any if blank; ``OPEN_STATUSES`` leaves out the
    dismissed). Each page taken from it ledgers the people whose alerts it shows."""
    actor = viewer_actor(user, Cap.VIEW_INTELLIGENCE)

    def show(rows: list[Alert]) -> list[AlertView]:
        groups = named_groups(rows)
        visible = visible_among(
            user, [*(_about_person(a) for a in rows), *(g.named_person for g in groups.values())]
        )
        ledger_shown(actor, "alerts", visible)
        return [alert_view(a, visible, groups) for a in rows]

    return Listing(ranked_alerts(kind=kind, statuses=statuses), show)


def _get(alert_id: str) -> Alert:
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("No such alert")
    return alert


def alert_status(user: Any, alert_id: str) -> str:
    """The alert's current status, for the form that changes it. Shows no one, so ledgers nothing."""
    viewer_actor(user, Cap.VIEW_INTELLIGENCE)
    return _get(alert_id).status


def _record_shown(r: EvidenceRecord, visible: set[str]) -> EvidenceRecord:
    if r.person_id in visible:
        return r
    # Outside the viewer's access (or not linked yet): neither the person nor the name.
    return dataclasses.replace(r, person_id=None, name="", restricted=bool(r.person_id))


def _event_shown(e: EvidenceEvent, visible: set[str]) -> EvidenceEvent:
    if not e.person_id or e.person_id in visible:
        return e
    return dataclasses.replace(e, person_id=None, restricted=True)


def _people(items: Iterable[EvidenceRecord | EvidenceEvent]) -> set[str]:
    return {i.person_id for i in items if i.person_id}


def alert_detail(user: Any, alert_id: str) -> AlertDetail:
    """One alert, its evidence and its status history, as the viewer may see them (see the module's
    docstring for what is ledgered). Raises NotFound."""
    actor = viewer_actor(user, Cap.VIEW_INTELLIGENCE)
    alert = _get(alert_id)
    records, events = alert_evidence(alert)
    subject = _about_person(alert)
    groups = named_groups([alert])
    named = {g.named_person for g in groups.values() if g.named_person}
    evidence_people = _people(records) | _people(events)
    visible = visible_among(user, [*evidence_people, subject, *named])
    purpose = f"alert {alert.id}"
    ledger_shown(actor, purpose, (evidence_people | named) & visible)
    person_id = subject if subject in visible else None
    if person_id:
        access.require_person_access(user, person_id, purpose)
    network_id = None
    if alert.kind == Alert.Kind.GROUP and Network.objects.filter(pk=alert.subject_id, active=True).exists():
        network_id = alert.subject_id
    return AlertDetail(
        alert=alert_view(alert, visible, groups),
        person_id=person_id,
        network_id=network_id,
        records=[_record_shown(r, visible) for r in records],
        events=[_event_shown(e, visible) for e in events],
        history=alert_history(alert.id),
    )
