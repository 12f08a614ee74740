"""Groups: the list, and one group as a graph (cytoscape.js, drawn by ``sightline/network.js`` from a
JSON data block) and as tables. What the user may see and what is ledgered is decided by
``sightline.intelligence.selectors``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.access.decorators import signed_in
from sightline.intelligence import selectors as intel
from sightline.web.navigation import person_url
from sightline.web.views.intelligence.break_glass import break_glass_url
from sightline.web.views.intelligence.forms import MEMBER_TYPES, NetworkFilterForm

Rows = list[dict[str, Any]]


@signed_in
def networks(request: HttpRequest) -> HttpResponse:
    """Groups found by the latest analysis, highest score first."""
    return render(request, "web/intelligence/networks.html", {"networks": intel.networks(request.user)})


def _member_type_label(member_type: str, role: str) -> str:
    if member_type == "person":
        return {"child": "Child", "adult": "Adult"}.get(role, "Person")
    return dict(MEMBER_TYPES).get(member_type, member_type).removesuffix("s")


def _graph_elements(request: HttpRequest, view: intel.NetworkView) -> tuple[dict[str, Rows], Rows, Rows]:
    """cytoscape.js elements, and the rows of the table alternative. People the user may not open
    are shown without their name, with the way to break-glass."""
    label_of: dict[str, str] = {}
    nodes, members = [], []
    for m in view.members:
        label = "Restricted person" if m.restricted else m.label
        label_of[m.member_id] = label
        data = {
            "id": m.member_id,
            "label": label,
            "type": m.member_type,
            "role": m.role,
            "href": person_url(m.member_id) if m.member_type == "person" and not m.restricted else "",
            "restricted": m.restricted,
            "breakGlass": break_glass_url(request.user, m.member_id) if m.restricted else "",
        }
        nodes.append({"data": data})
        members.append({**data, "type_label": _member_type_label(m.member_type, m.role)})
    edges, links = [], []
    for link in view.links:
        data = {
            "id": f"{link['source']}|{link['target']}|{link['type']}",
            "source": link["source"],
            "target": link["target"],
            "type": link["type"],
            "weight": link.get("weight", 0),
            "concerning": bool(link.get("concerning")),
        }
        edges.append({"data": data})
        links.append(
            {
                **link,
                "source_label": label_of.get(link["source"], link["source"]),
                "target_label": label_of.get(link["target"], link["target"]),
                "n_events": len(link.get("events", [])),
            }
        )
    return {"nodes": nodes, "edges": edges}, members, links


@signed_in
def network(request: HttpRequest, network_id: str) -> HttpResponse:
    """A group as a graph and as tables, filtered by group, time, kind of event and member type."""
    kinds = intel.network_event_kinds(request.user, network_id)
    groups = [(n.id, f"{n.label} ({n.size} members)") for n in intel.networks(request.user)]
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
    elements, members, links = _graph_elements(request, view)
    return render(
        request,
        "web/intelligence/network.html",
        {
            "network": view.network,
            "form": form,
            "elements": elements,
            "members": members,
            "links": links,
            "filtered": view.filtered,
        },
    )
