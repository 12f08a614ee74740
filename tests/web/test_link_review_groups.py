"""Deciding a review group at once, on the page and through the API: the queue shows a group as one
row, the chosen pairs are decided together and ledgered, a bad choice decides nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from sightline.access.services import actor_for
from sightline.ledger.services import SYSTEM, do_create
from sightline.people.linkage.decisions import do_decide_links
from sightline.people.models import LinkDecision, LinkReview
from tests import factories
from tests.web.test_intelligence_pages import entries

pytestmark = pytest.mark.django_db
GROUP = "LGhouse0001"


def _review(left: str, right: str, probability: float, group: str = "") -> LinkReview:
    return do_create(
        LinkReview(
            record_key_l=left,
            record_key_r=right,
            match_probability=probability,
            match_weight=0.0,
            raised_at=timezone.now(),
            group=group,
            group_kind="household" if group else "",
        ),
        actor=SYSTEM,
    )


@pytest.fixture
def household() -> list[LinkReview]:
    """Three Carter children at one address, each a person of their own, and a pair apart."""
    for rid, given, dob in [
        ("H-1", "Amy", "2001-03-04"),
        ("H-2", "Beth", "2003-09-10"),
        ("H-3", "Cara", "2006-01-02"),
    ]:
        child = factories.person("child", given_name=given, family_name="Carter")
        factories.record(child, "police", rid, given_name=given, family_name="Carter", date_of_birth=dob,
                         address="12 Elm Road", postcode="S65 1AA")  # fmt: skip
    for rid in ("X-1", "X-2"):
        other = factories.person("child", given_name="Jo", family_name="Smith")
        factories.record(other, "police", rid, given_name="Jo", family_name="Smith")
    return [
        _review("police:H-1", "police:H-2", 0.55, GROUP),
        _review("police:H-1", "police:H-3", 0.6, GROUP),
        _review("police:H-2", "police:H-3", 0.7, GROUP),
        _review("police:X-1", "police:X-2", 0.5),
    ]


def _client(login: Callable[..., Any], make_user: Callable[..., Any]) -> tuple[Client, Any]:
    analyst = make_user("analyst", "police")
    return login(Client(), analyst), analyst


def test_the_queue_shows_a_group_as_one_row(
    household: list[LinkReview], login: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    client, _ = _client(login, make_user)
    html = client.get("/intelligence/link-reviews").content.decode()
    assert "4 pairs in 2 rows" in html
    assert html.count(f"/intelligence/link-reviews/groups/{GROUP}") == 1
    assert "Group of 3 pairs" in html and "Decide the 3" in html
    # the lone pair keeps its own link; the group's pairs are reached through the group
    assert f"/intelligence/link-reviews/{household[3].id}" in html
    assert f"/intelligence/link-reviews/{household[1].id}" not in html


def test_a_group_is_decided_at_once_for_the_chosen_pairs(
    household: list[LinkReview], login: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    client, analyst = _client(login, make_user)
    page = client.get(f"/intelligence/link-reviews/groups/{GROUP}")
    html = page.content.decode()
    assert page.status_code == 200 and "3 pairs waiting" in html
    assert html.count('name="reviews"') == 3 and html.count(" checked>") == 3
    assert "Amy Carter" in html and "2003-09-10" in html and "12 Elm Road, S65 1AA" in html
    # every record of the group was opened for the viewer, and that is ledgered
    reads = [e for e in entries("read") if e["actor"]["user"] == analyst.username]
    assert {e["reason"] for e in reads} == {f"link review group {GROUP}"}
    assert len({e["object"]["id"] for e in reads}) == 3

    chosen = [household[0].id, household[2].id]
    done = client.post(
        f"/intelligence/link-reviews/groups/{GROUP}",
        {"reviews": chosen, "same_person": "no", "reason": "sisters"},
    )
    assert done.status_code == 302
    decided = LinkDecision.objects.order_by("record_key_l", "record_key_r")
    assert [(d.record_key_l, d.record_key_r, d.same_person) for d in decided] == [
        ("police:H-1", "police:H-2", False),
        ("police:H-2", "police:H-3", False),
    ]
    statuses = {r.id: r.status for r in LinkReview.objects.all()}
    assert [statuses[r.id] for r in household] == ["decided", "open", "decided", "open"]
    assert len(entries("link_decision", object_type="people.linkdecision")) == 2
    again = client.get(f"/intelligence/link-reviews/groups/{GROUP}").content.decode()
    assert "1 pair waiting" in again and "Already decided" in again


@pytest.mark.usefixtures("household")
def test_choosing_no_pair_decides_nothing(login: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    client, _ = _client(login, make_user)
    page = client.post(f"/intelligence/link-reviews/groups/{GROUP}", {"same_person": "no"})
    assert page.status_code == 200 and "Choose at least one pair" in page.content.decode()
    assert not LinkDecision.objects.exists()


@pytest.mark.usefixtures("household")
def test_an_unknown_group_is_not_found(login: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    client, _ = _client(login, make_user)
    assert client.get("/intelligence/link-reviews/groups/LGnosuch").status_code == 404


def test_the_api_decides_all_waiting_pairs_or_none(
    household: list[LinkReview], make_user: Callable[..., Any]
) -> None:
    auth = factories.bearer(make_user("analyst", "police"))
    client = Client()
    got = client.get(f"/api/intelligence/link-review-groups/{GROUP}", **auth)
    assert got.status_code == 200
    body = got.json()
    assert body["kind"] == "household" and len(body["waiting"]) == 3
    assert body["waiting"][0]["review"]["group"] == GROUP
    url = f"/api/intelligence/link-review-groups/{GROUP}/decision"
    stray = client.post(
        url, {"same_person": False, "review_ids": [household[0].id, household[3].id]},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert stray.status_code == 422 and not LinkDecision.objects.exists()
    made = client.post(
        url, {"same_person": False, "reason": "siblings"}, content_type="application/json", **auth
    )
    assert made.status_code == 201 and len(made.json()) == 3
    assert set(LinkReview.objects.filter(group=GROUP).values_list("status", flat=True)) == {"decided"}
    assert (
        client.post(url, {"same_person": False}, content_type="application/json", **auth).status_code == 409
    )


@pytest.mark.usefixtures("household")
def test_a_bad_pair_among_many_leaves_every_pair_undecided(make_user: Callable[..., Any]) -> None:
    actor = actor_for(make_user("analyst", "police"))
    pairs = [("police:H-1", "police:H-2"), ("police:H-1", "police:NOSUCH"), ("police:H-2", "police:H-3")]
    with pytest.raises(ValidationError):
        do_decide_links(actor, pairs=pairs, same_person=False)
    assert not LinkDecision.objects.exists()
    assert set(LinkReview.objects.values_list("status", flat=True)) == {"open"}
