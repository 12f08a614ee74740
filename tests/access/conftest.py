from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.models import Person
from tests import factories


def entries(**filters: Any) -> list[Entry]:
    """Ledger entries matching ``filters`` (sequencing what the test's transaction queued first)."""
    integrate()
    return list(Entry.objects.filter(**filters).order_by("index"))


def entry_data(entry: Entry) -> Any:
    return json.loads(bytes(entry.canonical))["data"]


@pytest.fixture
def ledger() -> Callable[..., list[Entry]]:
    return entries


@pytest.fixture
def person(db: None) -> Callable[..., Person]:
    """``person(*agencies, given="Amy", family="Test")``: a child known to those agencies through their
    records."""

    def _make(*agencies: str, given: str = "Amy", family: str = "Test") -> Person:
        return factories.known_child(*agencies, given=given, family=family, date_of_birth="")

    return _make
