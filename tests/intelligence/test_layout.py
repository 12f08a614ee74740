"""Where the network picture puts each member: the same group gives the same picture, whatever the
order its members and links come in; strong links sit closer than weak ones; no member hides another."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from sightline.intelligence.analysis.layout import Link, layout


def _group() -> tuple[list[str], list[Link]]:
    """Two adults and five children around a takeaway and a car, plus a loosely tied school friend."""
    adults = ["adult-1", "adult-2"]
    kids = [f"child-{i}" for i in range(1, 6)]
    links: list[Link] = []
    for a, c in itertools.product(adults, kids):
        links.append((a, c, 2.0, True))
    for c in kids:
        links.append((c, "place:takeaway", 1.0, True))
    links += [("adult-1", "vehicle:YX09ABC", 1.0, True), ("adult-2", "vehicle:YX09ABC", 1.0, True)]
    links += [("child-1", "friend", 1.0, False), ("child-1", "child-2", 1.0, False)]
    return [*adults, *kids, "place:takeaway", "vehicle:YX09ABC", "friend"], links


def _distance(pos: dict[str, tuple[float, float]], a: str, b: str) -> float:
    return math.dist(pos[a], pos[b])


def test_the_same_group_gives_the_same_picture_in_any_order() -> None:
    nodes, links = _group()
    first = layout(nodes, links)
    assert set(first) == set(nodes)
    rng = random.Random(7)
    for _ in range(5):
        shuffled_nodes, shuffled_links = nodes[:], links[:]
        rng.shuffle(shuffled_nodes)
        rng.shuffle(shuffled_links)
        # a link given the other way round is the same link
        flipped = [(t, s, w, c) if rng.random() < 0.5 else (s, t, w, c) for s, t, w, c in shuffled_links]
        assert layout(shuffled_nodes, flipped) == first


def test_positions_fill_the_unit_box_and_keep_members_apart() -> None:
    nodes, links = _group()
    pos = layout(nodes, links)
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    assert min(xs) == 0 and min(ys) == 0 and max(max(xs), max(ys)) == 1
    closest = min(_distance(pos, a, b) for a, b in itertools.combinations(nodes, 2))
    assert closest > 0.1  # no member sits on another


def test_concerning_links_pull_closer_than_ordinary_contact() -> None:
    nodes, links = _group()
    pos = layout(nodes, links)
    # the adults are tied to every child; the school friend only weakly to one of them
    to_adults = max(_distance(pos, "adult-1", c) for c in ("child-3", "child-4", "child-5"))
    assert _distance(pos, "child-1", "friend") > to_adults


def test_separate_parts_and_lone_members_do_not_overlap() -> None:
    links: list[Link] = [("a", "b", 1.0, True), ("b", "c", 1.0, True), ("x", "y", 1.0, True)]
    links.append(("a", "not-in-the-picture", 5.0, True))  # a link to someone filtered out is ignored
    nodes = ["a", "b", "c", "x", "y", "alone"]
    pos = layout(nodes, links)
    assert set(pos) == set(nodes)
    big = [pos[m] for m in ("a", "b", "c")]
    for other in ("x", "y", "alone"):
        assert min(math.dist(pos[other], p) for p in big) > 0.15
    assert layout(reversed(nodes), reversed(links)) == pos


@pytest.mark.parametrize(("nodes", "expected"), [([], {}), (["solo"], {"solo": (0.5, 0.5)})])
def test_empty_and_single_member(nodes: list[str], expected: dict[str, tuple[float, float]]) -> None:
    assert layout(nodes, []) == expected


def test_a_large_dense_group_is_laid_out_quickly_and_apart() -> None:
    rng = random.Random(3)
    nodes = [f"p{i:03d}" for i in range(150)]
    links: list[Link] = [
        (a, b, rng.uniform(0.5, 3), rng.random() < 0.5)
        for a, b in itertools.combinations(nodes, 2)
        if rng.random() < 0.08
    ]
    pos = layout(nodes, links)
    assert len(pos) == 150
    closest = min(math.dist(p, q) for p, q in itertools.combinations(pos.values(), 2))
    assert closest > 0.02
