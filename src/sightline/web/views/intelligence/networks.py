"""Groups: the list, and one group as a picture (drawn on a canvas by ``sightline/network.js`` from
a JSON data block, at the positions the server laid out) and as tables. What the user may see and
what is ledgered is decided by ``sightline.intelligence.selectors``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import signed_in
from sightline.intelligence import selectors as intel
from sightline.intelligence.analysis import place_title
from sightline.web.navigation import person_url
from sightline.web.views.intelligence.break_glass import break_glass_url
from sightline.web.views.intelligence.forms import NetworkFilterForm

Rows = list[dict[str, Any]]
NETWORKS_PER_PAGE = 25
# Every kind of member the picture can hold, in the order of its key: (key, label).
MEMBER_KINDS = [
    ("child", "Child"),
    ("adult", "Adult"),
    ("person", "Person, age unknown"),
    ("place", "Place"),
    ("vehicle", "Vehicle"),
    ("phone", "Phone"),
    ("restricted", "Person outside your access"),
]
LINK_TYPES = {
    "contact": "Contact",
    "place": "At a place",
    "vehicle": "With a vehicle",
    "phone": "By phone",
    "plate": "Partial registration",
}


@signed_in
def networks(request: HttpRequest) -> HttpResponse:
    """Groups found by the latest analysis, highest score first, a page at a time."""
    page = Paginator(intel.networks(request.user), NETWORKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/intelligence/networks.html", {"page": page})


def member_kind(member: intel.MemberView) -> str:
    """The key of the legend a member is drawn as."""
    if member.restricted:
        return "restricted"
    if member.member_type == "person":
        return member.role if member.role in ("child", "adult") else "person"
    return member.member_type


def _word(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


def _graph(request: HttpRequest, view: intel.NetworkView) -> tuple[dict[str, Rows], Rows, Rows]:
    """The picture's elements (cytoscape.js's format, with positions), and the rows of the tables.
    People the user may not open are shown without their name, with the way to break-glass."""
    label_of: dict[str, str] = {}
    degree = Counter(k["source"] for k in view.links) + Counter(k["target"] for k in view.links)
    kind_labels = dict(MEMBER_KINDS)
    nodes: Rows = []
    members: Rows = []
    for m in view.members:
        label = "Person outside your access" if m.restricted else m.label
        if m.member_type == "place":
            label = place_title(label)
        label_of[m.member_id] = label
        kind = member_kind(m)
        x, y = view.positions.get(m.member_id, (0.5, 0.5))
        data: dict[str, Any] = {
            "id": m.member_id,
            "label": label,
            "type": m.member_type,
            "role": m.role,
            "kind": kind,
            "kindLabel": kind_labels[kind],
            "href": person_url(m.member_id) if m.member_type == "person" and not m.restricted else "",
            "restricted": m.restricted,
            "breakGlass": break_glass_url(request.user, m.member_id) if m.restricted else "",
        }
        nodes.append({"data": data, "position": {"x": x, "y": y}})
        members.append({**data, "links": degree[m.member_id]})
    edges: Rows = []
    links: Rows = []
    for link in view.links:
        kinds = [_word(k) for k in link.get("kinds", [])]
        data = {
            "id": f"{link['source']}|{link['target']}|{link['type']}",
            "source": link["source"],
            "target": link["target"],
            "type": link["type"],
            "how": LINK_TYPES.get(link["type"], _word(link["type"])),
            "weight": link.get("weight", 0),
            "concerning": bool(link.get("concerning")),
            "kinds": kinds,
            "agencies": [_word(a) for a in link.get("agencies", [])],
            "events": list(link.get("events", [])),
            "first_seen": link.get("first_seen"),
            "last_seen": link.get("last_seen"),
        }
        edges.append({"data": data})
        links.append(
            {
                **data,
                "source_label": label_of.get(link["source"], link["source"]),
                "target_label": label_of.get(link["target"], link["target"]),
                "n_events": len(data["events"]),
            }
        )
    members.sort(key=lambda r: ([k for k, _ in MEMBER_KINDS].index(r["kind"]), -r["links"], r["label"]))
    links.sort(key=lambda r: (not r["concerning"], -r["n_events"], r["source_label"], r["target_label"]))
    return {"nodes": nodes, "edges": edges}, members, links


@signed_in
def network(request: HttpRequest, network_id: str) -> HttpResponse:
    """A group as a picture and as tables, filtered by group, time, kind of event and member type."""
    kinds = intel.network_event_kinds(request.user, network_id)
    groups = [(n.id, n.label) for n in intel.networks(request.user)]
    form = NetworkFilterForm(request.GET or None, groups=groups, kinds=kinds, initial={"group": network_id})
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get("group")
        if chosen and chosen != network_id:
            url = reverse("web:network", kwargs={"network_id": chosen})
            query = request.GET.copy()
            query.pop("group", None)
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        filters = {
            "since": form.cleaned_data.get("since"),
            "until": form.cleaned_data.get("until"),
            "kinds": form.cleaned_data.get("kinds") or (),
            "member_types": form.cleaned_data.get("types") or (),
        }
    view = intel.network_view(request.user, network_id, **filters)
    elements, members, links = _graph(request, view)
    present = {m["kind"] for m in members}
    return render(
        request,
        "web/intelligence/network.html",
        {
            "network": view.network,
            "form": form,
            "elements": elements,
            "members": members,
            "links": links,
            "concerning": sum(1 for link in links if link["concerning"]),
            "filtered": view.filtered,
            "legend": [(key, label, key in present) for key, label in MEMBER_KINDS],
        },
    )
