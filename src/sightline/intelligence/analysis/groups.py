"""Finding groups with Leiden.

Modularity has a resolution limit: in a town-sized graph it cannot see a group of seven
people and a car, and merges it into something bigger. The Constant Potts Model (CPM)
has no such limit: a set of nodes is a group when the weight inside it is more than
``resolution`` per pair of members. bench/bench_analysis.py compares both on the
synthetic town (docs/analysis.md has the figures).
"""

from __future__ import annotations

import hashlib
import random
from typing import Literal

import igraph as ig
import leidenalg
import numpy as np
import pandas as pd

Method = Literal["cpm", "modularity", "rb"]

# Weight of ordinary (not concerning) contact in the graph used for grouping.
ORDINARY_SHARE = 0.3
DEFAULT_METHOD: Method = "cpm"
DEFAULT_RESOLUTION = 0.1


def detection_edges(edge_events: pd.DataFrame) -> pd.DataFrame:
    """Undirected weighted edges (source, target, w) for grouping, from the edge events.

    Concerning contact counts in full, ordinary contact (school, club, family) at
    ORDINARY_SHARE: it still holds families and classes together, but weakly.
    """
    if edge_events.empty:
        return pd.DataFrame(columns=["source", "target", "w"])
    share = np.where(edge_events["concerning"].to_numpy(dtype=bool), 1.0, ORDINARY_SHARE)
    share = np.where(edge_events["type"] == "plate", 1.0, share)
    edges = pd.DataFrame(
        {
            "source": edge_events["source"].to_numpy(),
            "target": edge_events["target"].to_numpy(),
            "w": edge_events["weight"].to_numpy(dtype=float) * share,
        }
    )
    return edges.groupby(["source", "target"], as_index=False, sort=False)["w"].sum()


def detect_groups(
    edges: pd.DataFrame,
    method: Method = DEFAULT_METHOD,
    resolution: float = DEFAULT_RESOLUTION,
    seed: int = 20140701,
) -> pd.Series:
    """Group number for every node that has an edge (a Series indexed by node id).

    CPM and modularity run igraph's own Leiden (``Graph.community_leiden``), which its
    author recommends over leidenalg for speed: on the synthetic town it is about twenty
    times faster. leidenalg is used for the RB configuration model, which igraph lacks.
    Edges are sorted first so that the same data gives the same groups whatever the row
    order, and the random generator is seeded.
    """
    if edges.empty:
        return pd.Series(dtype="int64")
    edges = edges.sort_values(["source", "target"], kind="stable")
    names = pd.Index(np.unique(np.concatenate([edges["source"].to_numpy(), edges["target"].to_numpy()])))
    src = names.get_indexer(edges["source"].to_numpy())
    dst = names.get_indexer(edges["target"].to_numpy())
    graph = ig.Graph(n=len(names), edges=np.column_stack([src, dst]).tolist(), directed=False)
    weights = edges["w"].to_numpy(dtype=float).tolist()
    if method == "rb":
        partition = leidenalg.find_partition(
            graph,
            leidenalg.RBConfigurationVertexPartition,
            weights=weights,
            resolution_parameter=resolution,
            seed=seed,
        )
        membership = partition.membership
    else:
        ig.set_random_number_generator(random.Random(seed))
        try:
            clusters = graph.community_leiden(
                objective_function="CPM" if method == "cpm" else "modularity",
                weights=weights,
                resolution=resolution if method == "cpm" else 1.0,
                n_iterations=2,
            )
        finally:
            ig.set_random_number_generator(random)
        membership = clusters.membership
    return pd.Series(np.asarray(membership, dtype="int64"), index=names)


def network_id(members: list[str]) -> str:
    """A group's id, from its first person (or node) in sorted order.

    Leiden numbers groups differently on every run; naming a group after a member keeps
    its id (and so its alert) stable while that member stays in it.
    """
    people = sorted(m for m in members if not m.startswith(("place:", "vehicle:", "phone:")))
    anchor = (people or sorted(members))[0]
    return "N-" + hashlib.sha256(anchor.encode()).hexdigest()[:12]
