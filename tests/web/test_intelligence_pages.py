"""Analysts' pages and API through Django's test client: who may see alerts, networks and link
reviews; status changes and link decisions through the ledger; the evidence, network filters and
match-weight waterfalls on real linkage output from a small generated town."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from sightline.access.permissions import MATRIX, Cap, Role
from sightline.cli import main
from sightline.intelligence.models import Alert, Network
from sightline.intelligence.selectors.link_reviews import alert_record_keys
from sightline.intelligence.services import do_analyse
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_create, integrate
from sightline.people.linkage import FieldWeight, decisions
from sightline.people.linkage.explain import PairExplanation, explain_pairs, joining_links
from sightline.people.linkage.impact import AT_RISK_REASON, IMPACT_LOW
from sightline.people.linkage.reviews import review_queue
from sightline.people.linkage.state import stored_pairs_touching
from sightline.people.models import LinkDecision, LinkReview, Person, SourceRecord
from sightline.web.views.intelligence.waterfall import waterfall
from tests.factories import (
    analyse_town,
    bearer,
    generated_town,
    import_town,
    link_town,
)
from tests.web.intelligence_data import build_handmade

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_home(settings: Any, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"  # linkage model and pairs of this test only
    settings.HOME.mkdir()


def signed_in(login: Callable[..., Any], user: Any) -> Client:
    return login(Client(), user)


def entries(action: str, **filters: Any) -> list[dict[str, Any]]:
    integrate()
    return [
        json.loads(bytes(e.canonical))
        for e in Entry.objects.filter(action=action, **filters).order_by("index")
    ]


@pytest.fixture
def handmade() -> dict[str, Any]:
    return build_handmade()


# --- permissions ---------------------------------------------------------------------------------


def test_roles_without_intelligence_get_403(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    review = do_create(
        LinkReview(
            record_key_l="police:POL-1",
            record_key_r="social_care:SC-2",
            match_probability=0.5,
            match_weight=0.0,
            raised_at=timezone.now(),
        ),
        actor=SYSTEM,
    )
    pages = [
        "/intelligence/alerts",
        f"/intelligence/alerts/{handmade['child_alert'].id}",
        "/intelligence/networks",
        "/intelligence/networks/N-TEST",
        "/intelligence/link-reviews",
        f"/intelligence/link-reviews/{review.id}",
    ]
    for role, agency in [("practitioner", "police"), ("board_member", "police"), ("manager", "social_care")]:
        client = signed_in(login, make_user(role, agency))
        for url in pages:
            assert client.get(url).status_code == 403, (role, url)
        response = client.post(
            f"/intelligence/alerts/{handmade['child_alert'].id}", {"status": "dismissed", "reason": "x"}
        )
        assert response.status_code == 403
        assert "/intelligence/alerts" not in client.get("/").content.decode()  # not in the navigation
    handmade["child_alert"].refresh_from_db()
    assert handmade["child_alert"].status == "new"
    assert not LinkDecision.objects.exists()
    # Signed out: to the sign-in page, not the data.
    assert Client().get("/intelligence/alerts").status_code == 302


def test_analyst_sees_ranked_alerts_with_filters(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    analyst = make_user("analyst", "police")
    client = signed_in(login, analyst)
    html = client.get("/intelligence/alerts").content.decode()
    assert "/intelligence/alerts" in client.get("/").content.decode()  # in the navigation
    # Highest score first; the dismissed vehicle (score 30) is not in the default list.
    positions = [html.index(f"{label}</a>") for label in ("Kayleigh Brookes", "Darren Hollis", "star kebab")]
    assert positions == sorted(positions)
    assert "YX09 ABC" not in html
    # Each alert's top reasons, without the evidence keys (the alert page has those).
    assert "<li>Child aged 14; no agency has flagged this child.</li>" in html
    assert (
        "<li>Missing 1 time.</li>" in html
        and "<li>At place &#x27;star kebab&#x27; with other children.</li>" in html
    )
    # How firm the evidence is, under the child (adults have none).
    assert html.count("Moderate evidence") == 1 and html.index("Moderate evidence") < html.index(
        "Darren Hollis"
    )
    only_adults = client.get("/intelligence/alerts?kind=adult_of_concern").content.decode()
    assert "Darren Hollis" in only_adults and "Kayleigh Brookes" not in only_adults
    dismissed = client.get("/intelligence/alerts?status=dismissed").content.decode()
    assert "YX09 ABC" in dismissed and "Kayleigh Brookes" not in dismissed
    assert "YX09 ABC" in client.get("/intelligence/alerts?status=all").content.decode()
    # The people the list named are ledgered as read by the analyst.
    listed = [e for e in entries("read_list", object_id="alerts") if e["actor"]["user"] == analyst.username]
    assert set(listed[0]["data"]["people"]) == {handmade["child"].id, handmade["adult"].id}


def test_alert_detail_shows_reasons_evidence_and_links(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    analyst = make_user("analyst", "police")
    alert, child = handmade["child_alert"], handmade["child"]
    html = signed_in(login, analyst).get(f"/intelligence/alerts/{alert.id}").content.decode()
    # each reason on its own line, evidence lists kept whole, each record's agency by name
    assert "<li>Missing 1 time [Police E1].</li>" in html
    assert "Moderate evidence" in html and "Two or more records, or two adults, tie the child" in html
    sc = "Children&#x27;s social care"
    assert f"<li>At place &#x27;star kebab&#x27; with other children [{sc} CSE1].</li>" in html
    # records behind it: agency (by name), record id, row; linked to the person record
    for agency, rid, row in [("Police", "POL-1", 5), ("Children&#x27;s social care", "SC-1", 7)]:
        assert re.search(rf">{agency}</td>\s*<td[^>]*>{rid}</td>\s*<td[^>]*>{row}<", html), rid
    assert "GONE-9" in html and "no longer held" in html
    assert f'href="/people/{child.id}"' in html
    # events, oldest first
    assert html.index("E1") < html.index("CSE1") and "2 May 2013" in html
    # history starts with the alert being raised
    assert "Raised as new" in html
    reads = [e for e in entries("read", object_id=child.id) if e["actor"]["user"] == analyst.username]
    assert reads and reads[0]["reason"] == f"alert {alert.id}"


def test_status_change_is_ledgered_and_shown_in_history(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    analyst = make_user("analyst", "police")
    client = signed_in(login, analyst)
    alert = handmade["child_alert"]
    response = client.post(
        f"/intelligence/alerts/{alert.id}", {"status": "under_review", "reason": "checking with police"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.status_by, alert.status_reason) == (
        "under_review",
        analyst.username,
        "checking with police",
    )
    (entry,) = entries("alert_under_review", object_id=alert.id)
    assert entry["actor"] == {"user": analyst.username, "agency": "police", "role": "analyst"}
    assert entry["data"]["status"] == "under_review" and entry["reason"] == "checking with police"
    html = client.get(f"/intelligence/alerts/{alert.id}").content.decode()
    assert "The alert is now under review." in html
    history = html[html.index('id="history"') :]
    assert "Under review" in history and "checking with police" in history
    assert f"#{entry['index']}" in history


def test_dismissal_requires_a_reason(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = signed_in(login, make_user("cse_coordinator", "social_care"))
    alert = handmade["place_alert"]
    response = client.post(f"/intelligence/alerts/{alert.id}", {"status": "dismissed", "reason": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Enter why you are dismissing the alert" in html
    alert.refresh_from_db()
    assert alert.status == "new" and not entries("alert_dismissed")
    # a status the alert cannot move to is refused too
    response = client.post(f"/intelligence/alerts/{alert.id}", {"status": "new", "reason": ""})
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        f"/intelligence/alerts/{alert.id}", {"status": "dismissed", "reason": "a school, open to all"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "dismissed" and alert.dismissed_evidence == ["event social_care:CSE1"]
    assert entries("alert_dismissed")[0]["reason"] == "a school, open to all"
    assert "star kebab</a>" not in client.get("/intelligence/alerts").content.decode()


# --- networks ------------------------------------------------------------------------------------


def _graph(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="network-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no JSON data block"
    return json.loads(found.group(1))


def _group_alert() -> Alert:
    return do_create(
        Alert(
            id="A-group-N-TEST",
            kind="group",
            subject_id="N-TEST",
            subject_label="Group around Darren Hollis and Star Kebab (4 members)",
            score=40.0,
            reasons="Group of 2 people (1 adult, 1 child) and 2 places, vehicles or phones.",
            first_raised_at=timezone.now(),
        ),
        actor=SYSTEM,
    )


def test_network_view_draws_the_group_and_filters_it(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    analyst = make_user("analyst", "police")
    client = signed_in(login, analyst)
    child, adult = handmade["child"], handmade["adult"]
    listing = client.get("/intelligence/networks").content.decode()
    # named after its most central adult and place; the id is shown as an id
    assert ">Group around Darren Hollis and Star Kebab (4 members)</a>" in listing
    assert (
        '<span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-0 sightline-network__id">N-TEST</span>'
        in listing
    )
    listed = [e for e in entries("read_list", object_id="networks") if e["actor"]["user"] == analyst.username]
    assert listed[0]["data"]["people"] == [adult.id]  # the name shows him
    html = client.get("/intelligence/networks/N-TEST").content.decode()
    assert '<h1 class="govuk-heading-l">Group around Darren Hollis and Star Kebab (4 members)</h1>' in html
    graph = _graph(html)
    nodes = {n["data"]["id"]: n for n in graph["nodes"]}
    assert set(nodes) == {child.id, adult.id, "PL-STAR", "07700900123"}
    assert (
        nodes[child.id]["data"]["href"] == f"/people/{child.id}" and not nodes[child.id]["data"]["restricted"]
    )
    assert nodes["PL-STAR"]["data"]["href"] == "" and nodes["PL-STAR"]["data"]["kind"] == "place"
    assert nodes["PL-STAR"]["data"]["label"] == "Star Kebab"
    assert [nodes[m]["data"]["kind"] for m in (child.id, adult.id, "07700900123")] == [
        "child",
        "adult",
        "phone",
    ]
    assert len(graph["edges"]) == 3
    # laid out by the server: the same positions on every load, and the API gives the same
    positions = {m: (n["position"]["x"], n["position"]["y"]) for m, n in nodes.items()}
    assert all(0 <= v <= 1 for xy in positions.values() for v in xy) and len(set(positions.values())) == 4
    again = _graph(client.get("/intelligence/networks/N-TEST").content.decode())
    assert {n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in again["nodes"]} == positions
    api = Client().get("/api/intelligence/networks/N-TEST", **bearer(analyst)).json()
    assert {n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in api["nodes"]} == positions
    # drawn by our own script on a canvas, no third-party library
    assert '<script src="/static/sightline/network.js">' in html and "cytoscape" not in html
    assert '<canvas id="network-canvas"' in html
    # the key lists every kind of member, marking those not in this group
    key = re.findall(
        r'<li class="sightline-legend__item( sightline-legend__item--absent)?" data-kind="(\w+)"', html
    )
    assert [k for _, k in key] == [
        "child", "adult", "person", "place", "vehicle", "phone", "restricted",
        "concerning", "ordinary", "selected",
    ]  # fmt: skip
    assert {k for absent, k in key if absent} == {"person", "vehicle", "restricted"}
    # the tables are the picture's text alternative, folded away so the page stays short
    members = re.search(r'<details class="govuk-details" id="members-details">(.*?)</details>', html, re.S)
    assert members and members.group(1).count('<th scope="row"') == 4
    assert "Kayleigh Brookes and Darren Hollis" in html
    # the filters fold away too, unless in use
    assert '<details class="govuk-details" id="network-filters">' in html
    # from August 2013: the missing episode in May drops out; the event-less phone link stays
    since = client.get("/intelligence/networks/N-TEST?since_0=1&since_1=8&since_2=2013").content.decode()
    assert '<details class="govuk-details" id="network-filters" open>' in since
    edges = {(e["data"]["source"], e["data"]["target"]) for e in _graph(since)["edges"]}
    assert edges == {(child.id, "PL-STAR"), (adult.id, "07700900123")}
    # only missing episodes, only people
    only = client.get("/intelligence/networks/N-TEST?kinds=missing&types=person").content.decode()
    graph = _graph(only)
    assert {n["data"]["id"] for n in graph["nodes"]} == {child.id, adult.id}
    assert [(e["data"]["source"], e["data"]["target"]) for e in graph["edges"]] == [(child.id, adult.id)]
    # a bad range is an error on the form, not a crash
    bad = "?since_0=1&since_1=1&since_2=2014&until_0=1&until_1=1&until_2=2013"
    assert (
        "The end date must be the same as or after"
        in client.get(f"/intelligence/networks/N-TEST{bad}").content.decode()
    )
    assert client.get("/intelligence/networks/N-NOPE").status_code == 404
    # choosing another group keeps the other filters
    do_create(Network(id="N-TWO", label="Another group", size=3), actor=SYSTEM)
    moved = client.get("/intelligence/networks/N-TEST?group=N-TWO&kinds=missing")
    assert moved.status_code == 302 and moved["Location"] == "/intelligence/networks/N-TWO?kinds=missing"


def test_network_list_is_paged(make_user: Callable[..., Any], login: Callable[..., Any]) -> None:
    for i in range(30):
        do_create(
            Network(id=f"N-{i:02d}", label=f"Group around Place {i} (3 members)", size=3, score=i),
            actor=SYSTEM,
        )
    client = signed_in(login, make_user("analyst", "police"))
    first = client.get("/intelligence/networks").content.decode()
    assert (
        "30 groups, highest score first: 1 to 25" in first
        and "Place 29 " in first
        and "Place 4 " not in first
    )
    assert 'class="govuk-pagination"' in first
    second = client.get("/intelligence/networks?page=2").content.decode()
    assert "26 to 30" in second and "Place 4 " in second and "Place 5 " not in second


def test_need_to_know_hides_people_outside_the_analysts_access(
    handmade: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any], monkeypatch: Any
) -> None:
    group_alert = _group_alert()
    # An analyst whose role sees only people known to their agency (police knows the child only).
    monkeypatch.setitem(MATRIX, Role.ANALYST, MATRIX[Role.ANALYST] - {Cap.VIEW_ALL_PEOPLE})
    analyst = make_user("analyst", "police")
    client = signed_in(login, analyst)
    child, adult = handmade["child"], handmade["adult"]
    html = client.get("/intelligence/networks/N-TEST").content.decode()
    nodes = {n["data"]["id"]: n["data"] for n in _graph(html)["nodes"]}
    assert nodes[child.id]["href"] and not nodes[child.id]["restricted"]
    assert nodes[adult.id]["restricted"] and nodes[adult.id]["href"] == ""
    assert (
        nodes[adult.id]["label"] == "Person outside your access" and nodes[adult.id]["kind"] == "restricted"
    )
    assert nodes[adult.id]["breakGlass"].startswith(f"/people/{adult.id}/break-glass")
    # the group's name leaves him out too, here, in the list of groups and in the group's alert
    assert "Darren" not in html and "Group around Star Kebab (4 members)</h1>" in html
    listing = client.get("/intelligence/networks").content.decode()
    assert "Darren" not in listing and "Group around Star Kebab (4 members)" in listing
    assert not [
        e for e in entries("read_list", object_id="networks") if e["actor"]["user"] == analyst.username
    ]
    # the adult's alert: listed and opened without his name, offering break-glass
    listing = client.get("/intelligence/alerts").content.decode()
    assert "Darren Hollis" not in listing and "A person outside your access" in listing
    assert "Group around Star Kebab (4 members)" in listing
    detail = client.get(f"/intelligence/alerts/{handmade['adult_alert'].id}").content.decode()
    assert "Darren" not in detail and f"/people/{adult.id}/break-glass" in detail
    detail = client.get(f"/intelligence/alerts/{group_alert.id}").content.decode()
    assert "Darren" not in detail and "Group around Star Kebab (4 members)" in detail
    # the child's alert still links the child, and names no one else's record
    detail = client.get(f"/intelligence/alerts/{handmade['child_alert'].id}").content.decode()
    assert f'href="/people/{child.id}"' in detail
    # the API withholds the same
    api = Client().get("/api/intelligence/alerts", **bearer(make_user("analyst", "police"))).json()["items"]
    by_id = {a["id"]: a for a in api}
    assert by_id[handmade["adult_alert"].id]["restricted"] is True
    assert (
        by_id[handmade["adult_alert"].id]["subject_label"]
        == ""
        == by_id[handmade["adult_alert"].id]["reasons"]
    )
    assert by_id[handmade["child_alert"].id]["subject_label"] == "Kayleigh Brookes"
    assert by_id[group_alert.id]["subject_label"] == "Group around Star Kebab (4 members)"
    graph = Client().get("/api/intelligence/networks/N-TEST", **bearer(make_user("analyst", "police"))).json()
    assert {n["data"]["id"]: n["data"]["label"] for n in graph["nodes"]}[adult.id] == ""
    assert graph["network"]["label"] == "Group around Star Kebab (4 members)"
    groups = Client().get("/api/intelligence/networks", **bearer(make_user("analyst", "police"))).json()
    assert [g["label"] for g in groups["items"]] == ["Group around Star Kebab (4 members)"]


# --- link review and linkage, on a linked town ---------------------------------------------------


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_town(tmp_path_factory.mktemp("town"))


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model")


@pytest.fixture
def linked_town(town: Path, model_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The town imported, linked and analysed (the trained model is shared by this module's tests)."""
    import_town(town)
    link_town(model_cache)
    analyse_town()
    capsys.readouterr()


def _person_of(key: str) -> str | None:
    agency, _, rid = key.partition(":")
    return SourceRecord.objects.get(agency_id=agency, record_id=rid).person_id


@pytest.mark.usefixtures("linked_town")
def test_link_review_shows_waterfall_and_records_a_decision_later_runs_honour(
    make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    analyst = make_user("analyst", "police")
    client = signed_in(login, analyst)
    queue = client.get("/intelligence/link-reviews").content.decode()
    assert review_queue().exists(), "the town should leave some pairs uncertain"
    first = re.search(r'href="/intelligence/link-reviews/(LR-[A-Z0-9]+)"', queue)
    assert first is not None, "a pair on its own on the first page"
    review = LinkReview.objects.get(pk=first.group(1))
    html = client.get(f"/intelligence/link-reviews/{review.id}").content.decode()
    # both records side by side, as sent, with their agency and row
    left = SourceRecord.objects.get(
        agency_id=review.record_key_l.split(":")[0], record_id=review.record_key_l.split(":", 1)[1]
    )
    assert f"{left.record_id}, row {left.row_number}" in html
    # the waterfall: an accessible SVG and its table, one bar per field plus the prior and the total
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="sightline-waterfall__svg"' in html
    assert 'role="img" aria-labelledby="match-weights-title match-weights-desc"' in html
    table = html[html.index('id="match-weights-table"') :]
    assert table.count('<th scope="row" class="govuk-table__header">') == 10
    explained = explain_pairs([(review.record_key_l, review.record_key_r)])[
        (review.record_key_l, review.record_key_r)
    ]
    assert explained.scored_by_run
    assert sum(f.match_weight for f in explained.fields) == pytest.approx(review.match_weight, abs=1e-3)
    assert f"{explained.fields[0].match_weight:.2f}" in table
    # both people were opened for the review, and that is ledgered
    reads = [e for e in entries("read") if e["actor"]["user"] == analyst.username]
    pair_people = {_person_of(review.record_key_l), _person_of(review.record_key_r)} - {None}
    assert {e["object"]["id"] for e in reads} >= pair_people
    assert {e["reason"] for e in reads} == {f"link review {review.id}"}

    # decide the opposite of what linkage did
    together = _person_of(review.record_key_l) == _person_of(review.record_key_r)
    response = client.post(
        f"/intelligence/link-reviews/{review.id}",
        {"same_person": "no" if together else "yes", "reason": "checked the dates of birth with school"},
    )
    assert response.status_code == 302
    decision = LinkDecision.objects.get(record_key_l=review.record_key_l, record_key_r=review.record_key_r)
    assert decision.same_person is (not together) and decision.decided_by == analyst.username
    review.refresh_from_db()
    assert review.status == "decided" and review.decision_id == decision.id
    assert entries("link_decision", object_id=decision.id)[0]["actor"]["user"] == analyst.username
    assert "Recorded:" in client.get("/intelligence/link-reviews").content.decode()
    # the next run follows the decision
    assert main(["link", "--no-progress"]) == 0
    assert (_person_of(review.record_key_l) == _person_of(review.record_key_r)) is (not together)
    # an empty choice is an error on the form
    again = client.post(f"/intelligence/link-reviews/{review.id}", {"same_person": ""}).content.decode()
    assert "Select whether the records are about the same person" in again


@pytest.mark.usefixtures("linked_town")
def test_person_linkage_page_explains_each_join(
    make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    person = (
        Person.objects.filter(status="active")
        .annotate(n=Count("records"))
        .filter(n__gte=3)
        .order_by("-n", "id")
        .first()
    )
    assert person is not None
    records = list(person.records.all())
    analyst = make_user("analyst", "police")
    client = signed_in(login, analyst)
    html = client.get(f"/people/{person.id}/linkage").content.decode()
    for r in records:
        assert r.record_id in html
    links, unjoined = joining_links([r.key for r in records])
    assert links and html.count('<figure class="sightline-waterfall"') == len(links)
    # a spanning tree: every record scored into the person is joined once
    assert len(links) == len(records) - len(unjoined) - 1 or unjoined
    for link in links:
        assert (
            f"{link.record_key_l.split(':', 1)[1]} and" in html.replace("\n", " ")
            or link.record_key_l in html
        )
    reads = [e for e in entries("read", object_id=person.id) if e["actor"]["user"] == analyst.username]
    assert reads[-1]["reason"] == "see how records were linked"
    # a practitioner of an agency with no record of the person is refused, and offered break-glass
    outsider_agency = next(
        a
        for a in ("licensing", "housing", "health", "education", "police", "youth_service")
        if a not in {r.agency_id for r in records}
    )
    refused = signed_in(login, make_user("practitioner", outsider_agency)).get(f"/people/{person.id}/linkage")
    assert refused.status_code == 403 and "/break-glass" in refused.content.decode()


def test_waterfall_runs_from_the_prior_to_the_match_weight() -> None:
    fields = (
        FieldWeight("prior", "Chance two records are the same person", -7.5),
        FieldWeight("given_name", "Nickname or variant (e.g. Jess / Jessica)", 4.0, "jess", "jessica"),
        FieldWeight("date_of_birth", "Different", -3.0, "2001-02-03", "2002-03-04"),
        FieldWeight("sex", "Not recorded", 0.0),
    )
    chart = waterfall(PairExplanation("a:1", "b:2", -6.5, 0.011, fields, True), "wf")
    assert [r.running for r in chart.rows] == [-7.5, -3.5, -6.5, -6.5]
    assert chart.svg.count("<rect") == 1 + len(fields) + 1  # background, a bar per row, the total
    assert "Given name +4.0 (Nickname or variant (e.g. Jess / Jessica))" in chart.description
    assert "Sex" not in chart.description  # a field that moved nothing is not narrated
    assert "\u22126.5" in chart.svg and '<title id="wf-title">' in chart.svg


# --- the API -------------------------------------------------------------------------------------


def test_api_alerts_status_networks_and_decisions(
    handmade: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    client = Client()
    auth = bearer(make_user("analyst", "police"))
    alert = handmade["child_alert"]
    body = client.get("/api/intelligence/alerts", **auth).json()
    assert [a["id"] for a in body["items"]] == [
        alert.id,
        handmade["adult_alert"].id,
        handmade["place_alert"].id,
    ]
    assert [a["confidence"] for a in body["items"]] == ["moderate", "", ""]
    detail = client.get(f"/api/intelligence/alerts/{alert.id}", **auth).json()
    rows = {r["key"]: r for r in detail["records"]}
    assert rows["police:POL-1"]["row"] == 5 and rows["police:POL-1"]["person_id"] == handmade["child"].id
    assert rows["police:GONE-9"]["row"] is None
    url = f"/api/intelligence/alerts/{alert.id}/status"
    refused = client.post(url, {"status": "dismissed"}, content_type="application/json", **auth)
    assert refused.status_code == 422 and refused.json()["errors"] == [
        {"detail": "dismissing an alert needs a reason", "pointer": "#/reason"}
    ]
    ok = client.post(
        url, {"status": "dismissed", "reason": "known to the team"}, content_type="application/json", **auth
    )
    assert ok.status_code == 200
    assert [h["status"] for h in ok.json()["history"]] == ["new", "dismissed"]
    assert client.get("/api/intelligence/alerts/A-NOPE", **auth).status_code == 404
    graph = client.get("/api/intelligence/networks/N-TEST", {"since": "2013-08-01"}, **auth).json()
    assert {e["data"]["target"] for e in graph["edges"]} == {"PL-STAR", "07700900123"}
    # link review without a linkage run: the records, no weights
    review = do_create(
        LinkReview(
            record_key_l="police:POL-1",
            record_key_r="social_care:SC-2",
            match_probability=0.5,
            match_weight=0.0,
            raised_at=timezone.now(),
        ),
        actor=SYSTEM,
    )
    got = client.get(f"/api/intelligence/link-reviews/{review.id}", **auth).json()
    assert got["left"]["data"]["given_name"] == "Kayleigh" and got["match_weights"] == []
    bad = client.post(
        "/api/intelligence/link-decisions",
        {"record_key_l": "police:POL-1", "record_key_r": "police:NOPE", "same_person": False},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    made = client.post(
        "/api/intelligence/link-decisions",
        {
            "record_key_l": "social_care:SC-2",
            "record_key_r": "police:POL-1",
            "same_person": False,
            "reason": "different people",
        },
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201 and made.json()["record_key_l"] == "police:POL-1"
    review.refresh_from_db()
    assert review.status == "decided"
    practitioner = bearer(make_user("practitioner", "police"))
    for path in ("/api/intelligence/alerts", "/api/intelligence/networks", "/api/intelligence/link-reviews"):
        assert client.get(path, **practitioner).status_code == 403


@pytest.mark.usefixtures("handmade")
def test_open_reviews_behind_an_alert_come_first(
    make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    """A decision about a record behind an open child-at-risk alert can change who is at risk, so
    those pairs lead the queue even when another pair is more uncertain."""

    def review(left: str, right: str, probability: float, chance: float = 0.0) -> LinkReview:
        return do_create(
            LinkReview(
                record_key_l=left,
                record_key_r=right,
                match_probability=probability,
                match_weight=0.0,
                change_chance=chance,
                raised_at=timezone.now(),
            ),
            actor=SYSTEM,
        )

    uncertain = review("social_care:SC-2", "police:OTHER-1", 0.5)  # the adult's alert: not a child's
    behind = review("police:POL-1", "police:OTHER-2", 0.9, 0.1)  # a record of the child's alert
    likelier = review("social_care:SC-1", "police:OTHER-3", 0.2, 0.6)  # behind it too, likelier to change
    html = signed_in(login, make_user("analyst", "police")).get("/intelligence/link-reviews").content.decode()
    at = [html.index(f"/intelligence/link-reviews/{r.id}") for r in (likelier, behind, uncertain)]
    assert at == sorted(at)
    assert html.count("Behind an open alert") == 2


@pytest.mark.usefixtures("linked_town")
def test_a_link_run_stores_review_groups_and_the_next_run_follows_a_group_decided_at_once(
    make_user: Callable[..., Any], login: Callable[..., Any], model_cache: Path
) -> None:
    sizes = dict(
        LinkReview.objects.exclude(group="")
        .values_list("group")
        .annotate(n=Count("id"))
        .values_list("group", "n")
    )
    assert sizes and min(sizes.values()) >= 2, "the town should leave groups of pairs"
    group = max(sizes, key=lambda g: (sizes[g], g))
    pairs = set(LinkReview.objects.filter(group=group).values_list("record_key_l", "record_key_r"))
    client = signed_in(login, make_user("analyst", "police"))
    ids = list(LinkReview.objects.filter(group=group).values_list("id", flat=True))
    done = client.post(
        f"/intelligence/link-reviews/groups/{group}", {"reviews": ids, "same_person": "no", "reason": "apart"}
    )
    assert done.status_code == 302
    link_town(model_cache)
    # every pair stays decided, and each pair's records are now two people
    assert set(LinkReview.objects.filter(group=group).values_list("status", flat=True)) == {"decided"}
    for left, right in pairs:
        assert _person_of(left) != _person_of(right)


@pytest.mark.usefixtures("linked_town")
def test_low_scored_pairs_touching_a_child_at_risk_are_raised_after_analysis_and_kept_by_the_link_run(
    model_cache: Path,
) -> None:
    raised = {
        (r.record_key_l, r.record_key_r): r
        for r in LinkReview.objects.filter(reason=AT_RISK_REASON, status="open")
    }
    assert raised, "the town should have low-scored pairs touching an alerted child"
    behind = alert_record_keys()
    for (left, right), review in raised.items():
        assert left in behind or right in behind
        assert IMPACT_LOW <= review.match_probability < 0.3
        assert _person_of(left) != _person_of(right)
    # every such pair of the run is raised: the same query, straight from the run's pairs
    frame, clusters = stored_pairs_touching(sorted(behind), IMPACT_LOW, 0.3)
    apart = {
        (a, b)
        for a, b in zip(frame.record_key_l, frame.record_key_r, strict=True)
        if clusters[a] != clusters[b]
    }
    assert set(raised) == apart
    # the next link run keeps them open; deciding one keeps it decided through the next analysis
    link_town(model_cache)
    assert set(LinkReview.objects.filter(reason=AT_RISK_REASON, status="open").values_list(
        "record_key_l", "record_key_r")) == set(raised)  # fmt: skip
    first = next(iter(raised.values()))
    decisions.do_decide_link(SYSTEM, key_a=first.record_key_l, key_b=first.record_key_r, same_person=False)
    summary, _ = do_analyse()
    assert summary.at_risk_reviews == len(raised) - 1
    first.refresh_from_db()
    assert first.status == "decided"
