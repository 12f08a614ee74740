"""An analyst works through the intelligence pages in a real browser, on a small generated town that was
imported, linked and analysed: the ranked alerts and one alert, the network view (drawn on a canvas at
the server's positions; selecting a member shows them beside the picture, with a link to their record),
and the link review queue, deciding one pair. Every page passes
axe-core (WCAG 2.2 AA) and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
def test_the_analyst_decides_a_group_of_pairs_at_once(page: Page, axe_check: Check, tmp_path: Path) -> None:
    page.goto("/intelligence/link-reviews")
    row = page.locator("#link-reviews tbody tr").filter(has_text="Group of").first
    size = int(re.search(r"Group of (\d+) pairs", row.inner_text()).group(1))  # type: ignore[union-attr]
    row.get_by_role("link", name=re.compile(r"Decide the")).click()
    expect(page).to_have_url(re.compile(r"/intelligence/link-reviews/groups/LG"))
    boxes = page.locator("#group-pairs input[type=checkbox]")
    expect(boxes).to_have_count(size)
    for i in range(size):
        expect(boxes.nth(i)).to_be_checked()
    axe_check(page)
    page.screenshot(path=str(tmp_path / "group.png"), full_page=True)
    boxes.first.uncheck()
    page.get_by_role("button", name="Save decision for the chosen pairs").click()  # no answer yet
    expect(
        page.get_by_role("link", name="Select whether the records are about the same person")
    ).to_be_visible()
    expect(boxes.first).not_to_be_checked()  # the reviewer's choice is kept
    axe_check(page)
    page.get_by_label("No, not the same person").check()
    page.get_by_role("button", name="Save decision for the chosen pairs").click()
    expect(page).to_have_url(re.compile(r"/intelligence/link-reviews$"))
    expect(page.get_by_text(f"Recorded for {size - 1} pair")).to_be_visible()
    assert LinkDecision.objects.filter(same_person=False).count() == size - 1


@pytest.mark.usefixtures("analyst")
def test_the_analyst_opens_the_top_alert(page: Page, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/alerts$"))
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    axe_check(page)
    child = page.locator("#alerts tbody tr").filter(has_text="Child at risk").first
    expect(child.get_by_text(re.compile(r"(Strong|Moderate|Limited) evidence"))).to_be_visible()
    child.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/intelligence/alerts/A-"))
    expect(page.get_by_role("heading", name="Why this alert was raised")).to_be_visible()
    expect(page.locator("dt", has_text="Evidence of exploitation")).to_be_visible()
    expect(page.locator(".sightline-reasons li").nth(1)).to_contain_text("Evidence of exploitation")
    expect(page.locator("#history")).to_be_visible()
    axe_check(page)


KINDS = [
    "Child", "Adult", "Person, age unknown", "Place", "Vehicle", "Phone", "Person outside your access",
    "Concerning link", "Other link", "Selected",
]  # fmt: skip


def _drawn_pixels(page: Page) -> int:
    """How many of the canvas's pixels are not white: the picture was drawn."""
    return int(
        page.evaluate(
            """() => {
                const c = document.getElementById('network-canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 0; i < d.length; i += 4) { if (d[i] < 200 || d[i + 1] < 200) n++; }
                return n;
            }"""
        )
    )


def _clear_person(page: Page) -> dict[str, Any]:
    """A person the analyst may open, drawn with no other member within 20 pixels (so a click there
    can only mean them)."""
    return dict(
        page.evaluate(
            """() => {
                const net = window.sightlineNetwork;
                const nodes = net.nodes();
                const hrefs = JSON.parse(document.getElementById('network-data').textContent).nodes
                    .filter(n => n.data.href).map(n => n.data.id);
                const clear = nodes.filter(n => hrefs.includes(n.id) && nodes.every(
                    o => o === n || Math.hypot(o.x - n.x, o.y - n.y) > 20));
                return clear[0];
            }"""
        )
    )


@pytest.mark.usefixtures("analyst")
def test_the_analyst_reads_a_network(page: Page, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    page.get_by_role("link", name="Networks", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/networks$"))
    axe_check(page)
    top = Network.objects.filter(active=True).order_by("-score", "id").first()
    assert top is not None and top.label.startswith("Group around ")
    link = page.locator("#networks tbody tr").first.get_by_role("link")
    expect(link).to_have_text(top.label)  # a name, not the hash id
    link.click()
    expect(page).to_have_url(re.compile(rf"/intelligence/networks/{top.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(top.label)

    # The picture is drawn, with a key covering every kind of member, and the page stays short.
    canvas = page.locator("#network-canvas")
    expect(canvas).to_be_visible()
    assert _drawn_pixels(page) > 2000
    expect(page.locator("#network-key li")).to_contain_text(KINDS)
    assert page.evaluate("() => document.documentElement.scrollHeight") < 2600
    n_members = page.evaluate("() => window.sightlineNetwork.nodes().length")
    expect(page.locator("#network-members tbody tr")).to_have_count(n_members)
    expect(page.locator("#network-members")).to_be_hidden()  # folded away in its details

    # Names readable at the default zoom: many shown, none over another.
    labels = page.evaluate("() => window.sightlineNetwork.labels()")
    assert len(labels) >= min(8, n_members)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
            assert apart or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"], (a, b)

    # The same group gives the same picture on every load.
    drawn = page.evaluate("() => window.sightlineNetwork.nodes()")
    page.reload()
    expect(canvas).to_be_visible()
    assert page.evaluate("() => window.sightlineNetwork.nodes()") == drawn
    axe_check(page)

    # Selecting a person shows them beside the picture; opening the record is a second step.
    target = _clear_person(page)
    canvas.scroll_into_view_if_needed()
    canvas.click(position={"x": target["x"], "y": target["y"]})
    panel = page.locator("#network-selection")
    expect(panel.get_by_role("heading", level=3)).to_have_text(target["label"])
    expect(panel.get_by_text("Linked to")).to_be_visible()
    expect(page.locator("#network-status")).to_contain_text(f"Selected {target['label']}")
    expect(page).to_have_url(re.compile(rf"/intelligence/networks/{top.id}$"))  # still here
    record = panel.get_by_role("link", name=f"Open the record of {target['label']}")
    expect(record).to_have_attribute("href", f"/people/{target['id']}")
    axe_check(page)

    # By keyboard: the list of members selects too, and a neighbour in the panel is a button.
    place = Network.objects.get(pk=top.id).members.filter(active=True).exclude(member_type="person").first()
    assert place is not None
    picker = page.get_by_label("Select a member")
    picker.focus()
    picker.select_option(place.member_id)
    expect(panel.get_by_role("heading", level=3)).not_to_have_text(target["label"])
    assert page.evaluate("() => window.sightlineNetwork.selected()") == place.member_id
    expect(panel.get_by_role("link", name=re.compile("Open the record"))).to_have_count(0)
    neighbour = panel.locator(".sightline-network__links button").first
    name = neighbour.inner_text()
    neighbour.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", level=3)).to_have_text(name)
    expect(picker).not_to_have_value(place.member_id)

    # Back to the person, then open their record.
    picker.select_option(target["id"])
    record.click()
    expect(page).to_have_url(re.compile(rf"/people/{target['id']}$"))


def test_the_analyst_decides_a_link_review(page: Page, analyst: User, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    page.get_by_role("link", name="Link reviews", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/link-reviews$"))
    axe_check(page)
    page.locator("#link-reviews tbody tr").filter(has_text="Review").first.get_by_role("link").click()
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


@pytest.mark.usefixtures("analyst")
def test_the_analyst_reads_linkage_by_group(page: Page, axe_check: Check) -> None:
    page.get_by_role("link", name="Intelligence", exact=True).click()
    page.get_by_role("link", name="Linkage by group", exact=True).click()
    expect(page).to_have_url(re.compile(r"/intelligence/linkage-audit$"))
    table = page.locator("#linkage-audit")
    for heading in ("Sex", "Age band", "Ethnicity", "Agency"):
        expect(table.get_by_role("rowheader", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"All [\d,]+ children's records: [\d.]+% joined"))).to_be_visible()
    axe_check(page)
