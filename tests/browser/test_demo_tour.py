"""The README's tour, walked in a real browser as each role, against a real demo: ``sightline demo``
builds a small town, and ``sightline serve`` serves it in demo mode. Each step asserts what a
practitioner needs from the page, not only that it renders:

- the child's record shows her open alert and the people behind it;
- the chronology is complete: the page holds exactly the lines ``export chronology`` writes;
- the counts agree: the summary's missing episodes are the alert's;
- the indicators have twelve months of values, and the plan a mix of statuses;
- the public statistics publish figures, not only suppressed cells;
- no page asks for a file that is not served (fonts included), and axe-core finds nothing.

With SIGHTLINE_TOUR_SHOTS=DIR the pages the README links are saved there as screenshots
(docs/screenshots/ holds the committed ones). The demo runs on SQLite, as ``make demo`` does, so the
test runs once, in the SQLite run of the suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import requests
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.conftest import _open_page, axe_violations, csp_violations
from tests.processes import free_port, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLI = "import sys; from sightline.cli import main; sys.exit(main(sys.argv[1:]))"
CHILDREN = "1500"


@dataclass
class Demo:
    url: str
    password: str
    env: dict[str, str]

    def cli(self, *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", CLI, *argv], env=self.env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the demo runs on SQLite, as `make demo` does: walked in the SQLite run")
    home = tmp_path_factory.mktemp("tour")
    env = dict(os.environ, SIGHTLINE_HOME=str(home), SIGHTLINE_LOG_LEVEL="WARNING")
    env.pop("DATABASE_URL", None)
    built = subprocess.run(
        [sys.executable, "-c", CLI, "demo", "--no-serve", "--children", CHILDREN, "--seed", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    password = re.search(r"password: (\S+)", built.stdout)
    assert password, built.stdout[-2000:]
    assert "Subject: Sightline" not in built.stdout  # the build's emails stay out of the terminal
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--port", str(port)],
        env=dict(env, SIGHTLINE_DEMO="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/sign-in", timeout=5).status_code == 200
        except requests.RequestException:
            return server.poll() is not None

    assert wait_for(up, 120) and server.poll() is None, server.stderr.read().decode() if server.stderr else ""
    yield Demo(url, password.group(1), env)
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


@dataclass
class Visit:
    """One role's browser page, with every response the server could not find."""

    page: Page
    missing: list[str]

    def check(self, shot: str = "") -> None:
        """What every page owes its user: no missing file, no axe-core finding, no CSP breach."""
        assert not self.missing, f"requests that found nothing: {self.missing}"
        violations = axe_violations(self.page)
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
        assert not csp_violations(self.page)
        folder = os.environ.get("SIGHTLINE_TOUR_SHOTS")
        if shot and folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{shot}.png"))


@pytest.fixture
def visit(browser: Browser, demo: Demo) -> Iterator[Callable[[str], Visit]]:
    """``visit(username)``: a browser signed in through the real sign-in pages as that demo user."""
    opened: list[Page] = []

    def _visit(username: str) -> Visit:
        page = _open_page(browser, demo.url)
        page.set_viewport_size({"width": 1280, "height": 900})
        opened.append(page)
        missing: list[str] = []

        def seen(response: Response) -> None:
            if response.status == 404:
                missing.append(response.url)

        page.on("response", seen)
        page.goto("/sign-in")
        if username:
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password", exact=True).fill(demo.password)
            page.get_by_role("button", name="Continue").click()
            page.get_by_label("Enter your security code").fill("000000")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return Visit(page, missing)

    yield _visit
    for page in opened:
        page.context.close()


def _number(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return int(found.group(1).replace(",", ""))


def test_the_coordinator_finds_a_child_the_analysis_flagged_and_her_whole_story(
    visit: Callable[[str], Visit], demo: Demo
) -> None:
    you = visit("demo-coordinator")
    page = you.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    if page.locator("#overdue-actions tbody tr, .sightline-overdue li").count():
        expect(page.locator("main")).not_to_contain_text("Nothing is overdue")
    you.check("home")

    # Alerts, each with its top reasons.
    page.goto("/intelligence/alerts?kind=child_at_risk")
    rows = page.locator("#alerts tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("li").first).to_be_visible()
    you.check("alerts")

    # The child's record: her alert and the people behind it, as the alert names them.
    rows.first.get_by_role("link").first.click()
    page.locator("main a[href^='/people/']").first.click()
    expect(page.locator("#summary-alerts")).to_contain_text("Child at risk")
    card = page.locator(".govuk-summary-card").filter(has_text="Child at risk: score").first
    expect(card).to_be_visible()
    expect(page.locator("#network-people tbody tr").first).to_be_visible()
    # The counts agree: the missing episodes in agency records the summary counts are those the alert
    # counts (the demo's case work adds episodes recorded in Sightline, which the summary counts apart).
    times = re.search(r"Missing or absent (\d+) times", card.inner_text())
    if times:
        summary = page.locator("#summary-episodes").inner_text()
        in_records = re.search(r"\((\d+) in agency records", summary)
        agency = int(in_records.group(1)) if in_records else _number(summary, r"(\d+) episode")
        assert agency == int(times.group(1)), summary
    you.check("child-record")
    person_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    # The whole chronology: exactly the lines the export writes.
    page.get_by_role("link", name=re.compile("chronology, filter and print it")).click()
    lines = page.locator("#chronology-table tbody tr")
    expect(lines.first).to_be_visible()
    you.check("chronology")
    out = Path(demo.env["SIGHTLINE_HOME"]) / "chronology.xlsx"
    demo.cli("export", "chronology", "--person", person_id, "--out", str(out), "--reason", "tour test")
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    exported = sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if any(row))
    assert lines.count() == exported


def test_the_analyst_reads_a_network_as_a_picture(visit: Callable[[str], Visit]) -> None:
    you = visit("demo-analyst")
    page = you.page
    page.goto("/intelligence/networks")
    page.locator("main table a[href^='/intelligence/networks/']").first.click()
    expect(page.locator("canvas").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") < 4000
    you.check("network")


def test_the_board_reads_a_working_year_of_indicators_and_the_plan(visit: Callable[[str], Visit]) -> None:
    you = visit("demo-board")
    page = you.page
    page.goto("/accountability/indicators")
    expect(page.locator("#indicator-summary tbody tr").first).to_be_visible()
    you.check("indicators")
    page.locator("#indicator-summary tbody tr a").first.click()
    months = page.locator("#indicator-months tbody tr")
    expect(months.nth(11)).to_be_visible()
    latest = [m.inner_text() for m in months.all()][-12:]
    assert all("no data" not in m for m in latest), latest

    page.goto("/reports/board")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    text = page.locator("main").inner_text()
    assert "overdue by 4" not in text  # a demo dated years ago reads thousands of days overdue
    for status in ("In progress", "Complete", "Overdue"):
        assert status.lower() in text.lower(), status
    you.check("board-report")


def test_the_public_reads_published_figures(visit: Callable[[str], Visit]) -> None:
    you = visit("")
    page = you.page
    page.goto("/statistics")
    cells = page.locator("main table tbody td.govuk-table__cell--numeric")
    expect(cells.first).to_be_visible()
    figures = [c.inner_text() for c in cells.all()]
    assert any(re.fullmatch(r"[\d,]+", f.strip()) for f in figures), figures
    you.check("statistics")


def test_the_police_learn_enough_to_ask_without_seeing_a_hidden_child(visit: Callable[[str], Visit]) -> None:
    you = visit("demo-police")
    page = you.page
    page.goto("/people/search?q=Smith")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "100%" not in page.locator("main").inner_text()
    you.check()


ROLES = [
    "demo-practitioner",
    "demo-police",
    "demo-school-dsl",
    "demo-coordinator",
    "demo-analyst",
    "demo-manager",
    "demo-board",
    "demo-reviewer",
    "demo-admin",
]


@pytest.mark.parametrize("username", ROLES)
def test_every_page_in_each_roles_menu_opens_whole(visit: Callable[[str], Visit], username: str) -> None:
    """Each role's menu, page by page: nothing missing, nothing axe-core can find, no refusal."""
    you = visit(username)
    page = you.page
    menu = page.get_by_role("navigation", name="Menu").locator("a")
    hrefs = [h for h in (a.get_attribute("href") for a in menu.all()) if h]
    assert hrefs
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, (href, response and response.status)
        you.check()
