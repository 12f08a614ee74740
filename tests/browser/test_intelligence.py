"""An analyst works through the intelligence pages in a real browser, on a small generated town that
was imported, linked and analysed: the ranked alerts, one alert, the network view (drawn by
cytoscape.js; selecting a person opens their record) and the link review queue, deciding one pair.
Every page passes axe-core (WCAG 2.2 AA) and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from sightline.cli import main
from sightline.intelligence.models import Network
from sightline.people.models import LinkDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def analysed_town(tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]) -> Path:
    from sightline.access.services import ensure_standard_agencies
    from sightline.synthetic import generate_town

    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    generate_town(tmp_path / "town", 60, 4)
    ensure_standard_agencies()
    assert main(["import", *sorted(str(p) for p in (tmp_path / "town" / "extracts").iterdir())]) == 0
    assert main(["link", "--no-progress"]) == 0
    assert main(["analyse"]) == 0
    capsys.readouterr()
    return tmp_path


def test_analyst_reviews_alerts_network_and_a_link(
    page: Any,
    analysed_town: Path,
    make_user: Callable[..., Any],
    login: Callable[..., None],
    axe_check: Callable[[Any], None],
) -> None:
    analyst = make_user("analyst", "police")
    login(page, analyst)

    # the ranked alerts, from the service navigation
    page.get_by_role("link", name="Alerts", exact=True).click()
    page.wait_for_url("**/intelligence/alerts")
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    axe_check(page)
    page.locator("#alerts tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/intelligence/alerts/A-"))
    expect(page.get_by_role("heading", name="Why this alert was raised")).to_be_visible()
    expect(page.locator("#history")).to_be_visible()
    axe_check(page)

    # the biggest group as a network
    page.get_by_role("link", name="Networks", exact=True).click()
    page.wait_for_url("**/intelligence/networks")
    axe_check(page)
    top = Network.objects.filter(active=True).order_by("-score", "id").first()
    assert top is not None
    page.locator("#networks tbody tr").first.get_by_role("link").click()
    page.wait_for_url(f"**/intelligence/networks/{top.id}")
    page.wait_for_function("() => window.sightlineNetwork && window.sightlineNetwork.nodes().length > 0")
    assert page.locator("#network-graph canvas").count() > 0
    assert page.locator("#network-members tbody tr").count() == page.evaluate(
        "() => window.sightlineNetwork.nodes().length"
    )
    axe_check(page)
    # selecting a person the analyst may see opens their record
    page.locator("#network-graph").scroll_into_view_if_needed()
    target = page.evaluate(
        """() => {
            const cy = window.sightlineNetwork;
            const node = cy.nodes('[type = "person"][href != ""]').first();
            // zoom in and centre it so that no neighbour or label lies under the click
            cy.zoom(2);
            cy.center(node);
            const p = node.renderedPosition();
            return {x: p.x, y: p.y, href: node.data('href')};
        }"""
    )
    box = page.locator("#network-graph").bounding_box()
    # Cytoscape can still be settling (the scroll, the zoom) when the first click lands, and then
    # ignores it; a person clicking again is what a user would do too.
    for attempt in range(3):
        page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
        try:
            page.wait_for_url(f"**{target['href']}", timeout=3_000)
            break
        except Exception:
            if attempt == 2:
                raise

    # the link review queue: open the most uncertain pair and decide it
    page.get_by_role("link", name="Link reviews", exact=True).click()
    page.wait_for_url("**/intelligence/link-reviews")
    axe_check(page)
    page.locator("#link-reviews tbody tr").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/intelligence/link-reviews/LR-"))
    expect(page.locator("svg.sightline-waterfall__svg")).to_be_visible()
    page.get_by_text("Show the match weights as a table").click()
    expect(page.locator("#match-weights-table tbody tr")).to_have_count(10)
    axe_check(page)
    page.get_by_role("button", name="Save decision").click()  # nothing chosen yet
    expect(
        page.get_by_role("link", name="Select whether the records are about the same person")
    ).to_be_visible()
    axe_check(page)
    page.get_by_label("No, not the same person").check()
    page.get_by_label("Reason (optional)").fill("Different dates of birth, confirmed with the school")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url("**/intelligence/link-reviews")
    expect(page.get_by_text("The next linkage run will follow this.")).to_be_visible()
    axe_check(page)
    decision = LinkDecision.objects.get()
    assert decision.same_person is False and decision.decided_by == analyst.username
