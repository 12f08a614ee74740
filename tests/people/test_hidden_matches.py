"""Search results for people outside the viewer's access: a banded likelihood from the linkage model,
the agencies that hold them and how to ask, and nothing of the record itself; each disclosure is
ledgered against the person."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from sightline.access.services import actor_for
from sightline.cases import services
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people import likely, need_to_know
from sightline.people.selectors import SearchQuery, search_people
from sightline.people.services import do_merge_people
from tests.factories import child, known_child, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_home(settings: Settings, tmp_path: Path) -> None:
    """No linkage run here: scores come from the model's starting values, whatever other tests left."""
    settings.HOME = tmp_path / "home"


@pytest.fixture
def emily() -> Any:
    """A child held by children's social care and health, unknown to the police."""
    made = known_child(
        "social_care",
        "health",
        given="Emily",
        family="Stone",
        date_of_birth="2011-05-03",
        postcode="S65 2AB",
        address="12 Lindley Drive, Parkgate",
    )
    for i, given in enumerate(["Ava", "Mia", "Ruby"]):  # other Stones the police cannot see either
        record(child(given, family_name="Stone", date_of_birth=f"200{i}-01-01"), "social_care")
    return made


def _shown(user: Any) -> list[dict[str, Any]]:
    integrate()
    return [
        {"person": e.object_id, **json.loads(bytes(e.canonical))["data"]}
        for e in Entry.objects.filter(action="match_shown", actor_user=user.username).order_by("index")
    ]


def test_a_hidden_match_gets_a_band_and_its_agencies_and_nothing_more(
    emily: Any, police_officer: Any
) -> None:
    [hit] = [
        h
        for h in search_people(police_officer, SearchQuery(name="Emily Stone", date_of_birth="3/5/2011"))
        if h.person_id == emily.id
    ]
    assert (hit.restricted, hit.person, hit.reasons) == (True, None, ())
    assert hit.likelihood == likely.Likelihood.LIKELY
    assert hit.agencies == ("Children's social care", "Health")
    # The band follows the evidence typed: a name alone is possible, a different date of birth unlikely.
    by_name = {h.person_id: h for h in search_people(police_officer, SearchQuery(name="Emily Stone"))}
    assert by_name[emily.id].likelihood == likely.Likelihood.POSSIBLE
    wrong = search_people(police_officer, SearchQuery(name="Emily Stone", date_of_birth="1990-12-25"))
    assert {h.person_id: (h.likelihood, h.agencies) for h in wrong}[emily.id] == (
        likely.Likelihood.UNLIKELY,
        (),
    )
    # Each disclosure is ledgered against the child; the unlikely one disclosed nothing.
    assert [(s["person"], s["likelihood"], s["agencies"]) for s in _shown(police_officer)] == [
        (emily.id, "likely", ["Children's social care", "Health"]),
        (emily.id, "possible", ["Children's social care", "Health"]),
    ]


@pytest.mark.usefixtures("emily")
def test_a_surname_alone_ranks_no_one_and_is_collapsed_on_the_page(
    police_officer: Any, client: Client, login: Callable[..., Client]
) -> None:
    hits = search_people(police_officer, SearchQuery(name="Stone"))
    assert len(hits) == 4 and all(h.restricted for h in hits)
    assert {h.likelihood for h in hits} == {likely.Likelihood.UNKNOWN}  # not "100%" for every row
    assert all(h.agencies == () for h in hits) and _shown(police_officer) == []
    page = login(client, police_officer).get("/people/search", {"name": "Stone"}).content.decode()
    results = page.split('id="results"')[1]
    assert "0 results" in page and 'id="results-table"' not in page
    assert "4 people outside your access have a name like this" in results
    for secret in ("Emily", "Ava", "2011-05-03", "S65", "Lindley"):
        assert secret not in results


def test_the_page_says_whom_to_ask_and_leaks_nothing(
    emily: Any, police_officer: Any, client: Client, login: Callable[..., Client]
) -> None:
    signed_in = login(client, police_officer)
    page = signed_in.get("/people/search", {"name": "Emily Stone", "postcode": "S65 2AB"}).content.decode()
    results = page.split('id="results"')[1]
    assert "1 result" in page and "Someone whose record you cannot see" in results
    assert "Likely the same person" in results and "Known to Children&#x27;s social care, Health" in results
    assert f"quoting {emily.id}" in results
    assert f'href="/people/{emily.id}/break-glass"' in results
    assert 'id="quiet-matches"' not in results  # Ava, Mia and Ruby Stone are not Emily
    for secret in ("2011", "Lindley", "Parkgate", "Emily Stone<"):
        assert secret not in results
    body = signed_in.get("/api/people", {"name": "Emily Stone", "date_of_birth": "2011-05-03"}).json()
    [item] = [i for i in body["items"] if i["person_id"] == emily.id]
    assert (item["likelihood"], item["agencies"], item["person"]) == (
        "likely",
        ["Children's social care", "Health"],
        None,
    )
    assert "Lindley" not in json.dumps(body) and "S65" not in json.dumps(body)


def test_visible_people_are_banded_too_and_ranked_by_likelihood(emily: Any, social_worker: Any) -> None:
    hits = search_people(social_worker, SearchQuery(name="Emily Stone", date_of_birth="2011-05-03"))
    assert hits[0].person_id == emily.id and not hits[0].restricted
    assert hits[0].likelihood == likely.Likelihood.LIKELY and hits[0].agencies == ()
    assert _shown(social_worker) == []  # nothing hidden was described


def test_records_of_people_merged_in_count_for_the_survivor(coordinator: Any, police_officer: Any) -> None:
    survivor = known_child("social_care", given="Emily", family="Stone", date_of_birth="")
    merged = child("Em", family_name="Stone", date_of_birth="2011-05-03")
    do_merge_people(actor_for(coordinator), source_id=merged.id, target_id=survivor.id, reason="same child")
    hits = search_people(police_officer, SearchQuery(name="Emily Stone", date_of_birth="2011-05-03"))
    assert [(h.person_id, h.likelihood) for h in hits] == [(survivor.id, likely.Likelihood.LIKELY)]


@pytest.fixture
def merged_family(coordinator: Any) -> tuple[Any, Any, Any, Any]:
    """Ann (police, health, screened by the coordinator's agency), Beth (education) with Bea (youth
    service) merged into her, and Cat, whom no agency holds."""
    a = known_child("police", "health", given="Ann")
    b = known_child("education", given="Beth")
    merged = known_child("youth_service", given="Bea")
    do_merge_people(actor_for(coordinator), source_id=merged.id, target_id=b.id, reason="same child")
    services.do_complete_screening(
        actor=actor_for(coordinator), person_id=a.id, answers={"S01": {"current": True}}
    )
    return a, b, merged, child("Cat")


def test_whom_to_ask_is_the_same_asked_per_person_or_per_agency(
    merged_family: tuple[Any, Any, Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Which agencies hold these people" asks each source once for all of them (``by_person``); it must
    say what asking every agency in turn says, merges included."""
    a, b, merged, c = merged_family
    ids = [a.id, b.id, merged.id, c.id]
    fast = need_to_know.involved_agencies(ids)
    monkeypatch.setattr(need_to_know, "_BATCHES", [])
    assert need_to_know.involved_agencies(ids) == fast  # each source asked alone, for everyone
    monkeypatch.setattr(need_to_know, "_BY_PERSON", {})
    assert need_to_know.involved_agencies(ids) == fast
    assert len(fast[a.id]) >= 3 and fast[c.id] == ()
    assert set(fast[merged.id]) < set(fast[b.id])  # the survivor holds the merged child's agencies too


def test_who_may_open_whom_is_the_same_asked_from_the_people(
    coordinator: Any,
    merged_family: tuple[Any, Any, Any, Any],
    make_user: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages ask ``visible_among`` (each source asked about the given people); it must decide as
    ``visible_people`` and as asking each source from the agency's side, merges and screenings
    included."""
    a, b, merged, c = merged_family
    ids = [a.id, b.id, merged.id, c.id]
    agencies = ("youth_service", "education", "police", coordinator.agency_id)
    users = [make_user("practitioner", agency) for agency in agencies]
    by_people = {u.username: need_to_know.visible_among(u, ids) for u in users}
    monkeypatch.setattr(need_to_know, "_BATCHES", [])
    assert {u.username: need_to_know.visible_among(u, ids) for u in users} == by_people
    monkeypatch.setattr(need_to_know, "_BY_PERSON", {})
    for u in users:
        from_agency = set(need_to_know.visible_people(u).filter(pk__in=ids).values_list("pk", flat=True))
        assert by_people[u.username] == need_to_know.visible_among(u, ids) == from_agency
    assert b.id in by_people[users[0].username]  # youth service's child was merged into Beth
    assert a.id in by_people[users[3].username]  # the coordinator's agency screened Ann
    assert c.id not in set().union(*by_people.values())
