"""What an analysis run hands back."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

ALERT_KINDS = ("child_at_risk", "adult_of_concern", "place_of_concern", "vehicle_of_concern", "group")
NETWORK_COLUMNS = ["network_id", "member_type", "member_id", "role"]
ALERT_EXPORT_COLUMNS = ["alert_id", "person_id", "kind", "score", "reasons"]
NAME_COLUMNS = ["network_id", "name", "name_without_person", "named_person"]


def alert_key(kind: str, subject_id: str) -> str:
    """The same subject and kind get the same key on every run (the ledger keys on it)."""
    return "A-" + hashlib.sha256(f"{kind}\x1f{subject_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Tie:
    """Someone or something the analysis ties to an alert's subject: ``node`` is a person id or a
    ``place:``/``vehicle:``/``phone:`` key, ``how`` says how in practitioners' words (without event
    keys), ``events`` are the events that tie them."""

    node: str
    kind: str  # person, place, vehicle or phone
    label: str
    score: float
    how: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    alert_key: str
    kind: str
    subject_id: str
    score: float
    reasons: str
    record_keys: tuple[str, ...]
    event_keys: tuple[str, ...]
    label: str = ""
    ties: tuple[Tie, ...] = ()
    confidence: str = ""  # child alerts: how firmly the records point at exploitation (evidence.py)


@dataclass
class AnalysisResult:
    """Alerts (ranked, highest score first), groups, canonical places and vehicles, scores
    for every subject, and the graph.

    ``groups`` names each group (``naming.NAME_COLUMNS``: network_id, name,
    name_without_person, named_person).

    ``nodes`` has one row per node (id, type, label, role, group, score, record_keys) and
    ``edge_events`` one row per edge per event (source, target, type, weight, concerning,
    event_key, agency, kind, occurred), so that a view filtered by time or kind is built
    from the events in range rather than from totals. :meth:`cytoscape` draws from them.
    """

    alerts: list[Alert]
    networks: pd.DataFrame
    places: pd.DataFrame
    vehicles: pd.DataFrame
    scores: pd.DataFrame
    nodes: pd.DataFrame
    edge_events: pd.DataFrame
    groups: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NAME_COLUMNS))
    timings: dict[str, float] = field(default_factory=dict)

    def alerts_frame(self) -> pd.DataFrame:
        """The ``export alerts`` CSV contract: alert_id, person_id, kind, score, reasons."""
        return pd.DataFrame(
            [(a.alert_key, a.subject_id, a.kind, round(a.score, 4), a.reasons) for a in self.alerts],
            columns=ALERT_EXPORT_COLUMNS,
        )

    def alerts_of(self, kind: str) -> list[Alert]:
        return [a for a in self.alerts if a.kind == kind]

    def cytoscape(
        self,
        *,
        groups: Collection[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        kinds: Collection[str] | None = None,
        node_types: Collection[str] | None = None,
        concerning_only: bool = False,
        max_nodes: int | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Elements for cytoscape.js: ``{"nodes": [{"data": {...}}], "edges": [...]}``.

        Filters: network ids, an inclusive date range, event kinds, node types
        (person/place/vehicle/phone) and concerning contact only. Nodes are kept when
        they are in the groups asked for and touch an edge that survives the filters;
        with ``max_nodes`` the highest-scoring nodes are kept.
        """
        nodes = self.nodes
        if groups is not None:
            nodes = nodes[nodes["group"].isin(set(groups))]
        if node_types is not None:
            nodes = nodes[nodes["type"].isin(set(node_types))]
        if max_nodes is not None and len(nodes) > max_nodes:
            nodes = nodes.nlargest(max_nodes, "score")
        keep = set(nodes["id"])
        ev = self.edge_events
        ev = ev[ev["source"].isin(keep) & ev["target"].isin(keep)]
        if since is not None:
            ev = ev[ev["occurred"].isna() | (ev["occurred"] >= pd.Timestamp(since))]
        if until is not None:
            ev = ev[ev["occurred"].isna() | (ev["occurred"] <= pd.Timestamp(until))]
        if kinds is not None:
            ev = ev[ev["kind"].isin(set(kinds)) | (ev["type"] == "plate")]
        if concerning_only:
            ev = ev[ev["concerning"] | (ev["type"] == "plate")]
        edges: list[dict[str, Any]] = []
        for (source, target, etype), rows in ev.groupby(["source", "target", "type"], sort=True):
            occurred = rows["occurred"].dropna()
            edges.append(
                {
                    "data": {
                        "id": f"{source}|{target}|{etype}",
                        "source": source,
                        "target": target,
                        "type": etype,
                        "weight": round(float(rows["weight"].sum()), 4),
                        "concerning": bool(rows["concerning"].any()),
                        "kinds": sorted(set(rows["kind"]) - {""}),
                        "agencies": sorted(set(rows["agency"]) - {""}),
                        "events": sorted(set(rows["event_key"]) - {""}),
                        "first_seen": occurred.min().date().isoformat() if len(occurred) else None,
                        "last_seen": occurred.max().date().isoformat() if len(occurred) else None,
                    }
                }
            )
        touched = {e["data"]["source"] for e in edges} | {e["data"]["target"] for e in edges}
        out_nodes = [
            {
                "data": {
                    "id": row.id,
                    "type": row.type,
                    "label": row.label,
                    "role": row.role,
                    "group": row.group,
                    "score": round(float(row.score), 4),
                    "record_keys": list(row.record_keys),
                    "first_seen": row.first_seen,
                    "last_seen": row.last_seen,
                }
            }
            for row in nodes.itertuples(index=False)
            if row.id in touched
        ]
        return {"nodes": out_nodes, "edges": edges}
