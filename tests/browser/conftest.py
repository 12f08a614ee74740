"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures: ``browser`` (one Chromium per session), ``page`` (a fresh context per test, with axe-core
preloaded and CSP violations collected), ``new_page()`` (another, for a second person), ``sign_in(page,
user)`` (the session a real sign-in leaves, without walking the sign-in pages, which tests of their
own cover) and ``axe_check(page)`` (no WCAG 2.2 AA violations, no CSP violation). The CSP is enforced,
not bypassed: axe-core is added as an init script through the DevTools protocol, which the page's
policy does not govern.

Waiting is Playwright's auto-waiting ``expect`` only: a test asserts what the page it moved to shows
before it checks that page with axe-core.

Without /usr/bin/chromium these tests are skipped, unless SIGHTLINE_REQUIRE_BROWSER=1 (CI), when
they fail.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, Playwright, expect
from pytest_django.live_server_helper import LiveServer

from sightline.access.models import User
from tests import factories
from tests.append_only import empty_ledger_tables

CHROMIUM = Path(os.environ.get("SIGHTLINE_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Two shared cores: other test runs may slow the live server down.
TIMEOUT_MS = 30_000

# The Content-Security-Policy violations each page reported on the console.
_csp_reports: dict[Page, list[str]] = {}


def _unavailable(reason: str) -> None:
    if os.environ.get("SIGHTLINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (SIGHTLINE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (install Debian's chromium package)")
    if not AXE.exists():
        _unavailable(f"{AXE} is missing (run npm install)")
    expect.set_options(timeout=TIMEOUT_MS)
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def _open_page(browser: Browser, base_url: str) -> Page:
    """A page in a fresh context (its own cookies), with axe-core preloaded and CSP reports collected."""
    context = browser.new_context(base_url=base_url)
    context.add_init_script(path=str(AXE))
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    reports: list[str] = []
    pg.on("console", lambda msg: reports.append(msg.text) if "Content Security Policy" in msg.text else None)
    _csp_reports[pg] = reports
    return pg


def csp_violations(page: Page) -> list[str]:
    return _csp_reports[page]


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], Page]]:
    """``new_page()``: another browser page for a second person, signed out and independent."""
    pages: list[Page] = []

    def _new() -> Page:
        pages.append(_open_page(browser, live_server.url))
        return pages[-1]

    yield _new
    for pg in pages:
        pg.context.close()
        del _csp_reports[pg]
    empty_ledger_tables()  # the live server's writes really committed


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def sign_in(live_server: LiveServer) -> Callable[[Page, User], None]:
    """``sign_in(page, user)``: give the page's browser the session a real sign-in with the user's
    authenticator app leaves, and open the dashboard."""

    def _sign_in(page: Page, account: User) -> None:
        session = factories.signed_in(account).cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "secure": settings.SESSION_COOKIE_SECURE,
                    "sameSite": "Strict",
                }
            ]
        )
        page.goto("/")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return _sign_in


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page, once GOV.UK Frontend has started its components (its module
    runs when the document is parsed and its style sheets have loaded)."""
    expect(page.locator(".govuk-skip-link[data-govuk-skip-link-init]")).to_be_attached()
    # WCAG 2.2 AA, and the best-practice rule that all content sits in a landmark.
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: {region: {enabled: true}}, resultTypes: ['violations']})",
        tags or WCAG_TAGS,
    )
    return list(result["violations"])


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


@pytest.fixture
def axe_check() -> Callable[[Page], None]:
    """``axe_check(page)``: fail with a readable list if axe-core finds WCAG 2.2 AA violations, or if
    the page broke its Content-Security-Policy."""

    def _check(page: Page) -> None:
        violations = axe_violations(page)
        assert not violations, f"axe-core violations on {page.url}:\n{_describe(violations)}"
        assert not csp_violations(page), f"CSP violations on {page.url}: {csp_violations(page)}"

    return _check


def fill_date(page: Page, name: str, day: dt.date) -> None:
    """Fill a GOV.UK date input (day, month, year) of the form field ``name``."""
    page.locator(f"#id_{name}_0").fill(str(day.day))
    page.locator(f"#id_{name}_1").fill(str(day.month))
    page.locator(f"#id_{name}_2").fill(str(day.year))
