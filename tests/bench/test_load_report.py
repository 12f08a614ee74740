"""The load run's page reading and figures (bench/load_report.py): it must find what the real pages
hold, or `make load` would report empty searches and refused concerns as successes."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import known_child, person

_spec = importlib.util.spec_from_file_location(
    "load_report", Path(__file__).resolve().parents[2] / "bench" / "load_report.py"
)
assert _spec is not None and _spec.loader is not None
load_report: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load_report)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert load_report.percentile(values, 50) == 50
    assert load_report.percentile(values, 95) == 95
    assert load_report.percentile(values, 99) == 99
    assert load_report.percentile([7.0], 99) == 7
    assert load_report.percentile([3.0, 1.0, 2.0], 50) == 2


def test_summary_has_a_row_per_action_and_one_for_all() -> None:
    samples = [("search", 10.0, False)] * 9 + [("search", 1000.0, True), ("alerts", 20.0, False)]
    rows = {r["action"]: r for r in load_report.summarise(samples, seconds=2.0)}
    assert rows["search"] == {
        "action": "search", "requests": 10, "failures": 1, "per_second": 5.0, "p50": 10, "p95": 1000,
        "p99": 1000,
    }  # fmt: skip
    assert rows["all actions"]["requests"] == 11 and rows["all actions"]["failures"] == 1
    assert rows["all actions"]["per_second"] == 5.5
    assert list(rows)[-1] == "all actions"
    assert "| paced | **all actions** | 11 | 1 | **5.5** |" in load_report.table(
        {"paced": list(rows.values())}
    )


@pytest.mark.django_db
def test_reads_tokens_people_and_errors_from_the_real_pages(
    make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    assert load_report.csrf_token(Client().get("/sign-in").content.decode())
    child = known_child("police", given="Kayleigh", family="Brookes")
    mother = person("adult", given_name="Kayleigh", family_name="Brookes", date_of_birth="1985-02-01")
    client = login(Client(), make_user("cse_coordinator", "mash", username="coord"))
    found = client.get("/people/search", {"name": "Kayleigh Brookes"}).content.decode()
    assert {child.id, mother.id} <= set(load_report.PERSON.findall(found))
    assert load_report.CHILD.findall(found) == [child.id]
    url = f"/people/{child.id}/concerns/new"
    token = load_report.csrf_token(client.get(url).content.decode())
    refused = client.post(url, {"csrfmiddlewaretoken": token, "what_was_seen": "Seen at the bus station"})
    assert refused.status_code == 200
    errors = load_report.page_errors(refused.content.decode())
    assert "Select how urgent it is" in errors and "Enter when it happened" in errors
