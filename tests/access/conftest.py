from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

TEST_PASSWORD = "correct horse battery staple"  # make_user's default (tests/conftest.py)


def entries(**filters: Any) -> list[Any]:
    """Ledger entries matching ``filters`` (sequencing what the test's transaction queued first)."""
    from sightline.ledger.models import Entry
    from sightline.ledger.services import integrate

    integrate()
    return list(Entry.objects.filter(**filters).order_by("index"))


def entry_data(entry: Any) -> Any:
    return json.loads(bytes(entry.canonical))["data"]


@pytest.fixture
def ledger() -> Callable[..., list[Any]]:
    return entries


@pytest.fixture
def person(db: None) -> Callable[..., Any]:
    """Create a person, optionally known to agencies through source records."""
    import datetime as dt

    from django.utils import timezone

    from sightline.access.services import ensure_standard_agencies
    from sightline.ledger.services import SYSTEM, do_create
    from sightline.people.models import Extract, Person, SourceRecord

    ensure_standard_agencies()
    n = {"i": 0}

    def _make(*agencies: str, given: str = "Amy", family: str = "Test") -> Person:
        p = do_create(Person(kind="child", given_name=given, family_name=family), actor=SYSTEM)
        for agency in agencies:
            n["i"] += 1
            extract = do_create(
                Extract(
                    agency_id=agency,
                    source_name=f"x{n['i']}",
                    digest=f"{n['i']:064d}",
                    extracted_on=dt.date(2026, 1, 1),
                    imported_at=timezone.now(),
                    manifest={"agency": agency},
                ),
                actor=SYSTEM,
            )
            do_create(
                SourceRecord(
                    agency_id=agency,
                    record_id=f"R{n['i']}",
                    extract=extract,
                    row_number=2,
                    data={"given_name": given},
                    person=p,
                    given_name=given,
                    family_name=family,
                ),
                actor=SYSTEM,
            )
        return p

    return _make
