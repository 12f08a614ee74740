"""A request's recorded actions go into the ledger in one append, before its response leaves; a
request whose append fails answers with an error, never with the data unrecorded. Sessions are
not rewritten on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, batched_actions, integrate, record_action
from sightline.ledger.services import writes as ledger_writes

# Committed transactions: outside one, as in a server, is where actions are batched.
pytestmark = pytest.mark.usefixtures("committed")


def _ledger_inserts(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if "INSERT INTO ledger_entry" in q["sql"]
        or 'INSERT INTO "ledger_pending"' in q["sql"]
        or "INSERT INTO ledger_pending" in q["sql"]
    )


def _read(n: int) -> None:
    record_action(SYSTEM, "read", "people.person", f"P-{n}")


def test_reads_in_a_block_are_appended_together_at_its_end() -> None:
    before = integrate()
    with CaptureQueriesContext(connection) as alone:
        for n in range(5):
            _read(n)
    assert _ledger_inserts(alone) >= 5
    with CaptureQueriesContext(connection) as together, batched_actions():
        for n in range(5, 10):
            _read(n)
        with batched_actions():  # an inner block leaves the append to the outer one
            _read(10)
        assert integrate() == before + 5  # nothing of the block yet
    assert _ledger_inserts(together) == 1
    assert integrate() == before + 11
    ids = list(
        Entry.objects.filter(index__gte=before + 5).order_by("index").values_list("object_id", flat=True)
    )
    assert ids == [f"P-{n}" for n in range(5, 11)]


def test_a_block_that_raises_still_appends_its_reads() -> None:
    before = integrate()
    with pytest.raises(RuntimeError), batched_actions():
        _read(1)
        raise RuntimeError("the page failed after reading")
    assert integrate() == before + 1


def test_inside_a_transaction_an_action_goes_with_it() -> None:
    before = integrate()
    with batched_actions():
        with pytest.raises(RuntimeError), transaction.atomic():
            _read(1)
            raise RuntimeError("rolled back, and its entry with it")
        assert integrate() == before
    assert integrate() == before


def test_a_page_is_answered_only_after_its_reads_are_in_the_ledger(
    client: Client, board_member: Any, login: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, board_member)
    before = integrate()
    assert client.get("/reports/board").status_code == 200
    assert integrate() == before + 1  # committed when the response came back
    assert Entry.objects.get(index=before).action == "read_board_report"

    def broken(*_args: Any) -> None:
        raise RuntimeError("the ledger is unavailable")

    monkeypatch.setattr(ledger_writes, "_enqueue", broken)
    client.raise_request_exception = False
    response = client.get("/reports/board")
    assert response.status_code == 500 and b"Ledger verification" not in response.content
    assert integrate() == before + 1


def test_the_session_is_written_at_most_once_a_minute(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    login(client, make_user("cse_coordinator", "mash", username="idler"))
    client.get("/")

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
        )

    assert session_writes() == 0
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    assert session_writes() == 1
    assert client.session["last_seen"] >= int(time.time()) - 2
    assert session_writes() == 0
