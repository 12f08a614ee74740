"""A page's repeated reads answered once (``core/memo.py``): within a safe request only, so a merge
is seen by the next page, and a write is never answered from a memo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sightline.core.memo import memoised, reads_memo
from sightline.ledger.services import SYSTEM
from sightline.people.selectors import person_group_ids
from sightline.people.services import do_merge_people
from tests.factories import known_child

pytestmark = pytest.mark.django_db


def _merge_lookups(queries: CaptureQueriesContext) -> int:
    return sum('"merged_into" IN' in q["sql"] for q in queries.captured_queries)


def test_a_memo_answers_within_its_request_only() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert memoised("k", compute) == 1 and memoised("k", compute) == 2  # no request: computed each time
    with reads_memo():
        assert memoised("k", compute) == 3 and memoised("k", compute) == 3
    with reads_memo():
        assert memoised("k", compute) == 4


def test_a_child_page_asks_once_who_was_merged_into_the_child_and_sees_a_new_merge(
    coordinator: Any, login: Callable[..., Client], settings: Any
) -> None:
    kept = known_child("police", "health")
    other = known_child("education", given="Kay")
    counts = []
    for middleware in (
        [m for m in settings.MIDDLEWARE if not m.endswith("ReadsMemoMiddleware")],
        settings.MIDDLEWARE,
    ):
        settings.MIDDLEWARE = middleware
        client = login(Client(), coordinator)  # a client loads the middleware on its first request
        client.get(f"/people/{kept.id}")
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/people/{kept.id}").status_code == 200
        counts.append(_merge_lookups(page))
    # Each section asked for itself; with the memo the group is read once (need to know once more).
    assert counts[0] > 5 and counts[1] <= 2, counts
    do_merge_people(SYSTEM, source_id=other.id, target_id=kept.id, reason="the same child")
    assert person_group_ids(kept.id) == [kept.id, other.id]
    assert "Kay" in client.get(f"/people/{kept.id}").content.decode()  # the next page sees the merge
