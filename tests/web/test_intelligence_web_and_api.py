"""The analysts' web pages and the API decide what a user sees of alerts, networks and link reviews in
one place, the intelligence selectors: for the same user and object, both show the same people as
restricted or not, and both write the same read entries to the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sightline.access.permissions import MATRIX, Cap, Role
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_create, integrate
from sightline.people.models import LinkReview
from tests import factories
from tests.web.intelligence_data import build_handmade

pytestmark = pytest.mark.django_db

READS = ("read", "read_list", "read_denied")


@pytest.fixture
def handmade() -> dict[str, Any]:
    data = build_handmade()
    data["review"] = do_create(
        LinkReview(
            record_key_l="police:POL-1",  # the child's police record
            record_key_r="social_care:SC-2",  # the adult, known only to social care
            match_probability=0.5,
            match_weight=0.0,
            raised_at=timezone.now(),
        ),
        actor=SYSTEM,
    )
    return data


class Surfaces:
    """One user, signed in on the web and holding an API token."""

    def __init__(self, user: Any, login: Callable[..., Any]) -> None:
        self.user = user
        self.web = login(Client(), user)
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {factories.api_token(user)}")

    def reads(self, call: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
        """The response of ``call`` and the read entries it ledgered for this user, in order."""
        integrate()
        before = Entry.objects.order_by("-index").values_list("index", flat=True).first() or 0
        response = call()
        integrate()
        rows = Entry.objects.filter(
            index__gt=before, actor_user=self.user.username, action__in=READS
        ).order_by("index")
        out = []
        for row in rows:
            entry = json.loads(bytes(row.canonical))
            out.append({k: entry.get(k) for k in ("action", "object", "data", "reason")})
        return response, out

    def both(self, web_url: str, api_url: str) -> tuple[Any, Any, list[dict[str, Any]]]:
        """Web response, API response, and the reads (asserted to be the same for both)."""
        web, web_reads = self.reads(lambda: self.web.get(web_url))
        api, api_reads = self.reads(lambda: self.api.get(api_url))
        assert web_reads == api_reads, (web_url, web_reads, api_reads)
        return web, api, web_reads


@pytest.fixture(params=["all people", "own agency only"])
def analyst(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
) -> Iterator[Surfaces]:
    """A police analyst who may see everyone, or (the role narrowed) only people police knows: the
    child, not the adult."""
    if request.param == "own agency only":
        monkeypatch.setitem(MATRIX, Role.ANALYST, MATRIX[Role.ANALYST] - {Cap.VIEW_ALL_PEOPLE})
    yield Surfaces(make_user("analyst", "police"), login)


def _sees_everyone() -> bool:
    return Cap.VIEW_ALL_PEOPLE in MATRIX[Role.ANALYST]


def _people(reads: list[dict[str, Any]], action: str) -> set[str]:
    return {p for e in reads if e["action"] == action for p in e["data"]["people"]}


def test_alert_list_shows_and_ledgers_the_same(analyst: Surfaces, handmade: dict[str, Any]) -> None:
    child, adult = handmade["child"].id, handmade["adult"].id
    web, api, reads = analyst.both("/intelligence/alerts", "/api/intelligence/alerts")
    web_restricted = {row["alert"].id: row["alert"].restricted for row in web.context["rows"]}
    api_restricted = {a["id"]: a["restricted"] for a in api.json()["items"]}
    assert web_restricted == api_restricted
    sees_adult = _sees_everyone()
    assert api_restricted[handmade["adult_alert"].id] is not sees_adult
    assert api_restricted[handmade["child_alert"].id] is False
    assert [e["action"] for e in reads] == ["read_list"]
    assert _people(reads, "read_list") == ({child, adult} if sees_adult else {child})
    # Only the page shown is ledgered: one alert on the API's page, the child's.
    _page, one = analyst.reads(lambda: analyst.api.get("/api/intelligence/alerts", {"limit": 1}))
    assert [e["data"]["people"] for e in one] == [[child]]


@pytest.mark.parametrize("which", ["child_alert", "adult_alert"])
def test_alert_detail_shows_and_ledgers_the_same(
    analyst: Surfaces, handmade: dict[str, Any], which: str
) -> None:
    child, adult = handmade["child"].id, handmade["adult"].id
    alert = handmade[which]
    web, api, reads = analyst.both(f"/intelligence/alerts/{alert.id}", f"/api/intelligence/alerts/{alert.id}")
    body = api.json()
    assert web.context["alert"].restricted is body["alert"]["restricted"]
    assert [row["r"].person_id for row in web.context["records"]] == [r["person_id"] for r in body["records"]]
    visible = which == "child_alert" or _sees_everyone()
    assert body["alert"]["restricted"] is not visible
    assert (body["alert"]["reasons"] != "") is visible
    # The people the evidence is linked to are named in one list entry; the person the alert is
    # about, when the user may open them, is also read in full with the alert as the purpose.
    named = {child} if which == "child_alert" else ({child, adult} if _sees_everyone() else {child})
    assert _people(reads, "read_list") == named
    subject_reads = [
        (e["action"], e["object"]["id"], e["reason"]) for e in reads if e["action"] != "read_list"
    ]
    assert subject_reads == ([("read", alert.subject_id, f"alert {alert.id}")] if visible else [])


def test_network_shows_and_ledgers_the_same(analyst: Surfaces, handmade: dict[str, Any]) -> None:
    child, adult = handmade["child"].id, handmade["adult"].id
    # The page also offers the other groups by name: as the API's list of groups, it ledgers the people
    # their names mention (the adult the group is named after, if the user may open him).
    web, page_reads = analyst.reads(lambda: analyst.web.get("/intelligence/networks/N-TEST"))
    _list, list_reads = analyst.reads(lambda: analyst.api.get("/api/intelligence/networks"))
    api, reads = analyst.reads(lambda: analyst.api.get("/api/intelligence/networks/N-TEST"))
    assert page_reads == list_reads + reads
    assert _people(list_reads, "read_list") == ({adult} if _sees_everyone() else set())
    web_nodes = {n["data"]["id"]: n["data"]["restricted"] for n in web.context["elements"]["nodes"]}
    api_nodes = {n["data"]["id"]: n["data"]["restricted"] for n in api.json()["nodes"]}
    assert web_nodes == api_nodes
    sees_adult = _sees_everyone()
    assert api_nodes[adult] is not sees_adult and api_nodes[child] is False
    assert _people(reads, "read_list") == ({child, adult} if sees_adult else {child})
    # Filtered the same way, both ledger only the people left in view.
    _web, filtered_page = analyst.reads(
        lambda: analyst.web.get("/intelligence/networks/N-TEST?types=person&kinds=missing")
    )
    _api, filtered = analyst.reads(
        lambda: analyst.api.get("/api/intelligence/networks/N-TEST?type=person&kind=missing")
    )
    assert filtered_page == list_reads + filtered
    assert _people(filtered, "read_list") == ({child, adult} if sees_adult else {child})


def test_link_reviews_show_and_ledger_the_same(analyst: Surfaces, handmade: dict[str, Any]) -> None:
    child, adult = handmade["child"].id, handmade["adult"].id
    review = handmade["review"]
    sees_adult = _sees_everyone()
    _web, api, listed = analyst.both("/intelligence/link-reviews", "/api/intelligence/link-reviews")
    assert [r["id"] for r in api.json()["items"]] == [review.id]
    assert _people(listed, "read_list") == ({child, adult} if sees_adult else {child})
    web, api, opened = analyst.both(
        f"/intelligence/link-reviews/{review.id}", f"/api/intelligence/link-reviews/{review.id}"
    )
    assert web.status_code == api.status_code == (200 if sees_adult else 403)
    purpose = f"link review {review.id}"
    expected = [("read", child, purpose), ("read" if sees_adult else "read_denied", adult, purpose)]
    assert [(e["action"], e["object"]["id"], e["reason"]) for e in opened] == expected


def test_a_role_without_intelligence_sees_nothing_on_either(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    practitioner = Surfaces(make_user("practitioner", "police"), login)
    review = handmade["review"]
    for web_url, api_url in [
        ("/intelligence/alerts", "/api/intelligence/alerts"),
        (
            f"/intelligence/alerts/{handmade['child_alert'].id}",
            f"/api/intelligence/alerts/{handmade['child_alert'].id}",
        ),
        ("/intelligence/networks/N-TEST", "/api/intelligence/networks/N-TEST"),
        ("/intelligence/link-reviews", "/api/intelligence/link-reviews"),
        (f"/intelligence/link-reviews/{review.id}", f"/api/intelligence/link-reviews/{review.id}"),
    ]:
        web, api, reads = practitioner.both(web_url, api_url)
        assert (web.status_code, api.status_code, reads) == (403, 403, []), web_url
    # An object that does not exist is a 404 on both, and nothing is read.
    web, api, reads = Surfaces(make_user("analyst", "police"), login).both(
        "/intelligence/alerts/A-NOPE", "/api/intelligence/alerts/A-NOPE"
    )
    assert (web.status_code, api.status_code, reads) == (404, 404, [])
