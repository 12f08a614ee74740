"""Raising a concern about a child Sightline may already know: the likely matches are offered first,
by the linkage model, and entering a new child anyway needs a reason that goes into the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django import Settings

from sightline.access.services import actor_for
from sightline.cases import services
from sightline.cases.models import Concern
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.models import Person
from tests.factories import known_child

pytestmark = pytest.mark.django_db

VICKY = {"given_name": "Vicky", "family_name": "Lee", "postcode": "S62 6JT"}


@pytest.fixture(autouse=True)
def _own_home(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"  # the model's starting values, whatever other tests trained


@pytest.fixture
def victoria() -> Person:
    """Victoria Lee, known to children's social care; the police cannot see her record."""
    return known_child(
        "social_care", given="Victoria", family="Lee", date_of_birth="2002-01-24", postcode="S62 6JT"
    )


def _entries(action: str, object_id: str) -> list[dict[str, Any]]:
    integrate()
    return [
        {"reason": e.reason, **(json.loads(bytes(e.canonical)).get("data") or {})}
        for e in Entry.objects.filter(action=action, object_id=object_id).order_by("index")
    ]


def test_a_new_child_like_a_known_one_needs_the_matches_checked_and_a_reason(
    victoria: Person, police_officer: Any
) -> None:
    who = actor_for(police_officer)
    before = Person.objects.count()
    with pytest.raises(ValidationError) as err:
        services.do_enter_child_for_concern(who, details=VICKY)
    assert "match" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.do_enter_child_for_concern(who, details=VICKY, checked=[victoria.id])
    assert "not_them_reason" in err.value.message_dict
    assert Person.objects.count() == before
    reason = "Vicky is 9; Victoria at this address is her older cousin"
    vicky = services.do_enter_child_for_concern(
        who, details=VICKY, checked=[victoria.id], not_them_reason=reason
    )
    assert (vicky.given_name, vicky.kind, vicky.entered_by_agency_id) == ("Vicky", "child", "police")
    [created] = _entries("create", vicky.id)
    assert victoria.id in created["reason"] and reason in created["reason"]
    [ruled_out] = _entries("not_a_match", vicky.id)
    assert ruled_out["reason"] == reason
    assert [(r["person"], r["likelihood"]) for r in ruled_out["ruled_out"]] == [(victoria.id, "possible")]


@pytest.mark.usefixtures("victoria")
def test_a_child_like_no_one_is_entered_without_a_reason(police_officer: Any) -> None:
    new = services.do_enter_child_for_concern(
        actor_for(police_officer),
        details={"given_name": "Zebedee", "family_name": "Quux", "postcode": "S62 6JT"},
    )
    assert new.given_name == "Zebedee" and _entries("not_a_match", new.id) == []


def _concern(**extra: str) -> dict[str, str]:
    return {
        "child-given_name": "Vicky",
        "child-family_name": "Lee",
        "child-postcode": "S62 6JT",
        "what_was_seen": "Seen getting into a car with two older men outside school",
        "occurred_on_0": "1",
        "occurred_on_1": "6",
        "occurred_on_2": "2014",
        "urgency": "urgent",
        **extra,
    }


def test_the_page_offers_the_match_and_raises_the_concern_about_her(
    victoria: Person, police_officer: Any, client: Client, login: Callable[..., Client]
) -> None:
    signed_in = login(client, police_officer)
    before = Person.objects.count()
    carried = signed_in.get(
        "/concerns/new", {"child-given_name": "Vicky", "child-date_of_birth": "2008-02-03"}
    )
    assert 'value="Vicky"' in carried.content.decode()  # from the search that found no one
    assert (
        'name="child-date_of_birth_2" type="text" inputmode="numeric" value="2008"'
        in carried.content.decode()
    )
    first = signed_in.post("/concerns/new", _concern())
    html = first.content.decode()
    assert first.status_code == 200 and "Is the child one of these?" in html
    assert f"A child whose record you cannot see ({victoria.id})" in html
    assert "Known to Children&#x27;s social care" in html and "Possibly the same person" in html
    assert "2002-01-24" not in html and "Victoria" not in html  # hidden: no name, no date of birth
    assert not Concern.objects.exists() and Person.objects.count() == before
    [check] = [e for e in _entries("match_check", "search")]
    assert check["offered"] == {victoria.id: "possible"}
    # Choosing her raises the concern about her, blind: the hub triages it; no second record.
    done = signed_in.post(
        "/concerns/new", _concern(**{"match-offered": victoria.id, "match-choice": victoria.id})
    )
    assert done.status_code == 302
    concern = Concern.objects.get()
    assert (concern.person_id, concern.raised_blind) == (victoria.id, True)
    assert Person.objects.count() == before


def test_the_page_needs_a_reason_to_enter_a_different_child(
    victoria: Person, police_officer: Any, client: Client, login: Callable[..., Client]
) -> None:
    signed_in = login(client, police_officer)
    before = Person.objects.count()
    answered = _concern(**{"match-offered": victoria.id, "match-choice": "new"})
    page = signed_in.post("/concerns/new", answered).content.decode()
    assert "Say why this is a different child" in page and not Concern.objects.exists()
    # Offered nothing yet, a "new" answer cannot skip the check: the service refuses it.
    skipped = signed_in.post("/concerns/new", {**answered, "match-offered": "", "match-not_them_reason": "x"})
    assert "which you have not checked yet" in skipped.content.decode() and Person.objects.count() == before
    reason = "Vicky is nine; Victoria is the 12-year-old at the same flat"
    done = signed_in.post("/concerns/new", {**answered, "match-not_them_reason": reason})
    assert done.status_code == 302
    concern = Concern.objects.get()
    assert concern.person_id != victoria.id and concern.person.given_name == "Vicky"
    assert _entries("not_a_match", concern.person_id)[0]["reason"] == reason
