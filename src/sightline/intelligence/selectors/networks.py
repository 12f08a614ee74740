"""Groups found by the analysis, as one viewer may see them.

A group's people outside the viewer's access stay in it (the links still matter) but lose their
name: ``restricted``. A group's name mentions its most central person only to viewers who may open
that person's record (:func:`group_name`). Showing a group ledgers one ``read_list`` entry naming
the people shown (after the filters), the same for the web page and the API; the list of groups
ledgers the people its names mention.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sightline.access.permissions import Cap
from sightline.core.errors import NotFound
from sightline.intelligence.analysis.layout import layout
from sightline.intelligence.models import Network, NetworkMember
from sightline.intelligence.selectors.evidence import split_keys
from sightline.intelligence.selectors.viewer import Listing, ledger_shown, viewer_actor
from sightline.people.models import SourceEvent
from sightline.people.need_to_know import visible_among


@dataclass(frozen=True)
class NetworkSummary:
    id: str
    label: str
    size: int
    children: int
    adults: int
    score: float


@dataclass(frozen=True)
class MemberView:
    """A member of a group. ``restricted``: a person outside the viewer's access (``label`` blank)."""

    member_id: str
    member_type: str
    label: str
    role: str
    restricted: bool


@dataclass(frozen=True)
class NetworkView:
    """A group filtered by time, event kind and member type. ``links`` rows are ``Network.links``
    items, with ``events`` narrowed to the events that passed the filters. ``positions``: where
    to draw each member (``analysis.layout``: the same members and links, the same picture)."""

    network: NetworkSummary
    members: list[MemberView]
    links: list[dict[str, Any]]
    filtered: bool
    positions: dict[str, tuple[float, float]]


# --- without an access check: for the checked reads below and for exports -----------------------


def network_members() -> QuerySet[NetworkMember]:
    """Current members of current networks, in network, type and id order."""
    return NetworkMember.objects.filter(active=True, network__active=True).order_by(
        "network_id", "member_type", "member_id"
    )


def network_by_id(network_id: str) -> Network:
    """A network, current or not. Raises NotFound."""
    network = Network.objects.filter(pk=network_id).first()
    if network is None:
        raise NotFound(f"no network {network_id!r}")
    return network


def _current(network_id: str) -> Network:
    network = Network.objects.filter(pk=network_id, active=True).first()
    if network is None:
        raise NotFound("No such group")
    return network


def _event_facts(links: Iterable[dict[str, Any]]) -> dict[str, tuple[str, dt.date]]:
    """Kind and date of every event the links rest on, by ``agency:event_id``."""
    keys = {k for link in links for k in link.get("events", [])}
    facts: dict[str, tuple[str, dt.date]] = {}
    for agency, local in split_keys(keys).items():
        rows = SourceEvent.objects.filter(agency_id=agency, event_id__in=local)
        for eid, kind, occurred in rows.values_list("event_id", "kind", "occurred_on"):
            facts[f"{agency}:{eid}"] = (kind, occurred)
    return facts


def _members_and_links(
    network: Network, member_types: Collection[str] = ()
) -> tuple[list[NetworkMember], list[dict[str, Any]]]:
    members = list(network.members.filter(active=True).order_by("member_type", "label", "member_id"))
    if member_types:
        members = [m for m in members if m.member_type in set(member_types)]
    ids = {m.member_id for m in members}
    links = [dict(link) for link in network.links or [] if link["source"] in ids and link["target"] in ids]
    return members, links


def _filter_links(
    links: list[dict[str, Any]],
    facts: dict[str, tuple[str, dt.date]],
    *,
    since: dt.date | None,
    until: dt.date | None,
    kinds: Collection[str],
) -> list[dict[str, Any]]:
    """Links with an event that passes the filters, narrowed to those events. Links that rest on no
    event (a partial registration that may be a full one) stay."""
    kept: list[dict[str, Any]] = []
    for link in links:
        events = list(link.get("events", []))
        if events:
            events = [
                k
                for k in events
                if k in facts
                and (not kinds or facts[k][0] in kinds)
                and (since is None or facts[k][1] >= since)
                and (until is None or facts[k][1] <= until)
            ]
            if not events:
                continue
            dates = sorted(facts[k][1] for k in events)
            link.update(
                events=events,
                kinds=sorted({facts[k][0] for k in events}),
                first_seen=dates[0].isoformat(),
                last_seen=dates[-1].isoformat(),
            )
        kept.append(link)
    return kept


# --- for a viewer --------------------------------------------------------------------------------


def group_name(network: Network, visible: Collection[str]) -> str:
    """The group's name for a viewer who may open the people in ``visible``: it mentions its most
    central person only if the viewer may open their record."""
    if network.named_person and network.named_person not in visible:
        return network.name_without_person or network.id
    return network.label or network.id


def groups_by_id(network_ids: Iterable[str]) -> dict[str, Network]:
    """Networks by id, current or not, for naming them (no access check: callers decide)."""
    return {n.pk: n for n in Network.objects.filter(pk__in=set(network_ids))}


def _summary(n: Network, visible: Collection[str]) -> NetworkSummary:
    return NetworkSummary(n.id, group_name(n, visible), n.size, n.children, n.adults, n.score)


def networks(user: Any) -> Listing[NetworkSummary]:
    """Groups found by the latest analysis, highest score first. Each page taken from it ledgers
    the people its names mention."""
    actor = viewer_actor(user, Cap.VIEW_INTELLIGENCE)

    def show(rows: list[Network]) -> list[NetworkSummary]:
        visible = visible_among(user, [n.named_person for n in rows])
        ledger_shown(actor, "networks", visible)
        return [_summary(n, visible) for n in rows]

    return Listing(Network.objects.filter(active=True).order_by("-score", "id"), show)


def network_event_kinds(user: Any, network_id: str) -> list[str]:
    """The kinds of event behind a current group's links (the choices of its kind filter). Raises
    NotFound. Names no member, so ledgers nothing."""
    viewer_actor(user, Cap.VIEW_INTELLIGENCE)
    _members, links = _members_and_links(_current(network_id))
    return sorted({kind for kind, _day in _event_facts(links).values()})


def network_view(
    user: Any,
    network_id: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kinds: Collection[str] = (),
    member_types: Collection[str] = (),
) -> NetworkView:
    """A current group filtered by time (events on or between the dates), event kind and member type.
    With a time or kind filter only members touching a remaining link are kept. Ledgers the people
    shown. Raises NotFound."""
    actor = viewer_actor(user, Cap.VIEW_INTELLIGENCE)
    network = _current(network_id)
    members, links = _members_and_links(network, member_types)
    by_event = bool(since or until or kinds)
    if by_event:
        links = _filter_links(links, _event_facts(links), since=since, until=until, kinds=kinds)
        touched = {link["source"] for link in links} | {link["target"] for link in links}
        members = [m for m in members if m.member_id in touched]
    people = [m.member_id for m in members if m.member_type == "person"]
    visible = visible_among(user, [*people, network.named_person])
    ledger_shown(actor, f"network {network.id}", visible)
    shown = []
    for m in members:
        restricted = m.member_type == "person" and m.member_id not in visible
        label = "" if restricted else (m.label or m.member_id)
        shown.append(MemberView(m.member_id, m.member_type, label, m.role or "", restricted))
    positions = layout(
        [m.member_id for m in members],
        [(k["source"], k["target"], float(k.get("weight", 0)), bool(k.get("concerning"))) for k in links],
    )
    return NetworkView(_summary(network, visible), shown, links, by_event or bool(member_types), positions)
