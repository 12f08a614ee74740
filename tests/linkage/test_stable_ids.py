from __future__ import annotations

from collections.abc import Callable
from itertools import count

from sightline.people.linkage import assign_stable_ids


def ids() -> Callable[[], str]:
    c = count(1)
    return lambda: f"NEW{next(c)}"


def test_unchanged_clusters_keep_their_ids() -> None:
    clusters = {"a": "a", "b": "a", "c": "c"}
    previous = {"a": "P1", "b": "P1", "c": "P2"}
    assert assign_stable_ids(clusters, previous, ids()) == previous


def test_new_records_join_existing_ids_and_new_people_get_new_ids() -> None:
    clusters = {"a": "a", "b": "a", "n": "a", "m": "m"}
    previous = {"a": "P1", "b": "P1"}
    out = assign_stable_ids(clusters, previous, ids())
    assert out == {"a": "P1", "b": "P1", "n": "P1", "m": "NEW1"}


def test_a_split_keeps_the_id_on_the_larger_part() -> None:
    clusters = {"a": "a", "b": "a", "c": "c"}
    previous = {"a": "P1", "b": "P1", "c": "P1"}
    assert assign_stable_ids(clusters, previous, ids()) == {"a": "P1", "b": "P1", "c": "NEW1"}


def test_a_merge_keeps_the_larger_contributors_id_and_retires_the_other() -> None:
    clusters = {"a": "a", "b": "a", "c": "a"}
    previous = {"a": "P2", "b": "P1", "c": "P1"}
    out = assign_stable_ids(clusters, previous, ids())
    assert set(out.values()) == {"P1"}


def test_ties_are_broken_deterministically_and_ids_used_once() -> None:
    clusters = {"a": "a", "b": "b"}
    previous = {"a": "P1", "b": "P1"}
    first = assign_stable_ids(clusters, previous, ids())
    assert first == {"a": "P1", "b": "NEW1"}
    assert assign_stable_ids(dict(reversed(list(clusters.items()))), previous, ids()) == first
