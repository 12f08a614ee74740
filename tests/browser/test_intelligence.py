"""An analyst works through the intelligence pages in a real browser, on a small generated town that was
imported, linked and analysed: the ranked alerts and one alert, the network view (drawn by cytoscape.js;
selecting a person opens their record), and the link review queue, deciding one pair. Every page passes
axe-core (WCAG 2.2 AA) and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings

from sightline.access.models import User
from sightline.intelligence.models import Network
from sightline.people.models import LinkDecision
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("analysed_town"),
]

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factories.generated_town(tmp_path_factory.mktemp("town"))


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model")


@pytest.fixture
def analysed_town(
    town: Path, model_cache: Path, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    factories.import_town(town)
    factories.link_town(model_cache)
    factories.analyse_town()
    capsys.readouterr()


@pytest.fixture
def analyst(make_user: Callable[..., User], page: Page, sign_in: SignIn) -> User:
    """A police analyst, signed in on ``page``."""
    user = make_user("analyst", "police")
    sign_in(page, user)
    return user


@pytest.mark.usefixtures("analyst")
def test_the_analyst_opens_the_top_alert(page: Page, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/alerts$"))
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    axe_check(page)
    page.locator("#alerts tbody tr").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/intelligence/alerts/A-"))
    expect(page.get_by_role("heading", name="Why this alert was raised")).to_be_visible()
    expect(page.locator("#history")).to_be_visible()
    axe_check(page)


@pytest.mark.usefixtures("analyst")
def test_selecting_a_person_in_the_network_opens_their_record(page: Page, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    page.get_by_role("link", name="Networks", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/networks$"))
    axe_check(page)
    top = Network.objects.filter(active=True).order_by("-score", "id").first()
    assert top is not None
    page.locator("#networks tbody tr").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/intelligence/networks/{top.id}$"))
    graph = page.locator("#network-graph")
    expect(graph.locator("canvas").first).to_be_attached()  # cytoscape drew it (laid out as it starts)
    expect(page.locator("#network-members tbody tr")).to_have_count(
        page.evaluate("() => window.sightlineNetwork.nodes().length")
    )
    axe_check(page)

    # Bring a person the analyst may see to the middle of the picture, zoomed in so that no neighbour or
    # label lies under the pointer. Cytoscape caches where its container is on the screen: after the
    # scroll it is told (resize) before the click, as the scroll event would only tell it later.
    target = page.evaluate(
        """() => {
            const cy = window.sightlineNetwork;
            const container = cy.container();
            container.scrollIntoView({block: 'center'});
            cy.resize();
            const node = cy.nodes('[type = "person"][href != ""]').first();
            cy.zoom(2);
            cy.center(node);
            const style = getComputedStyle(container);
            const p = node.renderedPosition();
            return {
                x: p.x + parseFloat(style.paddingLeft),
                y: p.y + parseFloat(style.paddingTop),
                href: node.data('href'),
            };
        }"""
    )
    graph.click(position={"x": target["x"], "y": target["y"]})
    expect(page).to_have_url(re.compile(re.escape(target["href"]) + "$"))


def test_the_analyst_decides_a_link_review(page: Page, analyst: User, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    page.get_by_role("link", name="Link reviews", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/link-reviews$"))
    axe_check(page)
    page.locator("#link-reviews tbody tr").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/intelligence/link-reviews/LR-"))
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
    expect(page).to_have_url(re.compile(r"/intelligence/link-reviews$"))
    expect(page.get_by_text("The next linkage run will follow this.")).to_be_visible()
    axe_check(page)
    decision = LinkDecision.objects.get()
    assert decision.same_person is False and decision.decided_by == analyst.username
