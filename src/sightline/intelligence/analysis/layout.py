"""Where to draw each member of a group: the same group gives the same picture on every load.

Kamada-Kawai (igraph) places members so that distances on the page follow distances in the
graph; strongly linked members (concerning contact, counted in full) sit closer than members
joined only by ordinary contact (school, family). It starts from a circle in sorted id order and
uses no randomness, so the result depends only on the members and links, never on their order.
Each connected part is laid out on its own and the parts are set side by side, largest first.
Last, members closer than a minimum distance are pushed apart so that none hides another.
Positions keep the picture's proportions, between 0 and 1 along its longer side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import igraph as ig
import numpy as np

Link = tuple[str, str, float, bool]
ORDINARY_SHARE = 0.3  # as in grouping: ordinary contact holds people together, but weakly
_ITERATIONS = 60


def _strengths(nodes: Sequence[str], links: Iterable[Link]) -> dict[tuple[str, str], float]:
    known = set(nodes)
    strength: dict[tuple[str, str], float] = {}
    for source, target, weight, concerning in links:
        if source == target or source not in known or target not in known:
            continue
        pair = (source, target) if source < target else (target, source)
        share = 1.0 if concerning else ORDINARY_SHARE
        strength[pair] = strength.get(pair, 0.0) + max(float(weight), 0.0) * share
    return strength


def _component(ids: list[str], strength: dict[tuple[str, str], float]) -> np.ndarray:
    """Kamada-Kawai positions of one connected part, scaled so that its span grows with its size."""
    n = len(ids)
    if n == 1:
        return np.zeros((1, 2))
    index = {m: i for i, m in enumerate(ids)}
    pairs = sorted(p for p in strength if p[0] in index)
    graph = ig.Graph(n=n, edges=[(index[a], index[b]) for a, b in pairs])
    # Edge length: a strong link is short, a weak one long (1 / (1 + strength), between 0 and 1).
    lengths = [1.0 / (1.0 + strength[p]) for p in pairs]
    circle = [[math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)] for i in range(n)]
    coords = np.asarray(graph.layout_kamada_kawai(seed=circle, weights=lengths).coords, dtype=float)
    coords -= coords.mean(axis=0)
    span = float(np.abs(coords).max()) or 1.0
    return coords / span * math.sqrt(n)


def _components(nodes: list[str], strength: dict[tuple[str, str], float]) -> list[list[str]]:
    parent = {m: m for m in nodes}

    def root(m: str) -> str:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for a, b in sorted(strength):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    parts: dict[str, list[str]] = {}
    for m in nodes:
        parts.setdefault(root(m), []).append(m)
    return sorted(parts.values(), key=lambda part: (-len(part), part[0]))


def _pack(parts: list[np.ndarray]) -> list[np.ndarray]:
    """Set the parts left to right in rows about as wide as the largest part is tall, plus room."""
    sizes = [p.max(axis=0) - p.min(axis=0) + 1.5 for p in parts]
    row_width = max(float(sizes[0][0]) * 1.6, math.sqrt(sum(float(s[0] * s[1]) for s in sizes)))
    placed, x, y, row_height = [], 0.0, 0.0, 0.0
    for part, size in zip(parts, sizes, strict=True):
        if x > 0 and x + size[0] > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        placed.append(part - part.min(axis=0) + np.array([x, y]))
        x += float(size[0])
        row_height = max(row_height, float(size[1]))
    return placed


def _spread(coords: np.ndarray, gap: float) -> np.ndarray:
    """Push apart members closer than ``gap`` (a few passes, in a fixed order)."""
    for _ in range(_ITERATIONS):
        delta = coords[:, None, :] - coords[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        close = dist < gap
        if not close.any():
            break
        # Members on the very same spot move apart along a fixed direction.
        same = dist < 1e-9
        delta[same] = np.array([1e-3, 0.0])
        dist = np.where(same, 1e-3, dist)
        safe = np.where(close, dist, 1.0)
        push = np.where(close, (gap - safe) / 2 / safe, 0.0)
        coords = coords + (delta * push[:, :, None]).sum(axis=1)
    return coords


def layout(nodes: Iterable[str], links: Iterable[Link]) -> dict[str, tuple[float, float]]:
    """Positions (x, y), each between 0 and 1, for every node. ``links`` are (source, target,
    weight, concerning); links to nodes not given are ignored, and several links between the same
    two nodes add up."""
    ids = sorted(set(nodes))
    if not ids:
        return {}
    if len(ids) == 1:
        return {ids[0]: (0.5, 0.5)}
    strength = _strengths(ids, links)
    parts = _components(ids, strength)
    placed = _pack([_component(part, strength) for part in parts])
    order = [m for part in parts for m in part]
    coords = np.vstack(placed)
    coords -= coords.min(axis=0)
    coords /= float(coords.max()) or 1.0
    coords = _spread(coords, 0.55 / math.sqrt(len(ids)))
    coords -= coords.min(axis=0)
    coords /= float(coords.max()) or 1.0
    return {m: (round(float(x), 4), round(float(y), 4)) for m, (x, y) in zip(order, coords, strict=True)}
