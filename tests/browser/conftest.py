"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures: ``browser`` (one Chromium per session), ``page`` (a fresh context per test, with axe-core
preloaded and CSP violations collected), ``login(page, user)`` (the real sign-in with a TOTP code) and
``axe_check(page)`` (no WCAG 2.2 AA violations). The CSP is enforced, not bypassed: axe-core is added
as an init script through the DevTools protocol, which the page's policy does not govern.

Without /usr/bin/chromium these tests are skipped, unless SIGHTLINE_REQUIRE_BROWSER=1 (CI), when
they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

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
TEST_PASSWORD = "correct horse battery staple"  # make_user's default (tests/conftest.py)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _unavailable(reason: str) -> None:
    if os.environ.get("SIGHTLINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (SIGHTLINE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (install Debian's chromium package)")
    if not AXE.exists():
        _unavailable(f"{AXE} is missing (run npm install)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make in it
    # are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _empty_ledger_tables() -> None:
    """Empty the append-only ledger tables so that the live-server test's flush can run.

    Their triggers refuse DELETE (that is the point); only this teardown steps around them.
    """
    import importlib

    from django.db import connection

    triggers = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in triggers.TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
                cursor.execute(f"DELETE FROM {table}")
                for sql in triggers._sqlite(table):
                    cursor.execute(sql)  # row triggers: the flush of empty tables fires none
        elif connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            for table in triggers.TABLES:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("SET session_replication_role = DEFAULT")


def _open_page(browser: Any, base_url: str) -> Any:
    """A page in a fresh context (its own cookies), with axe-core preloaded and CSP reports collected."""
    context = browser.new_context(base_url=base_url)
    context.add_init_script(path=str(AXE))
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    violations: list[str] = []
    pg.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    pg.csp_violations = violations
    return pg


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """``new_page()``: another browser page for a second user, signed out and independent."""
    pages: list[Any] = []

    def _new() -> Any:
        pages.append(_open_page(browser, live_server.url))
        return pages[-1]

    yield _new
    for pg in pages:
        pg.context.close()
    _empty_ledger_tables()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()


def totp_code(user: Any) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sightline.access.services import current_totp_code

    return current_totp_code(TOTPDevice.objects.get(user=user))


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, user)``: sign in through the real pages, with the user's current TOTP code."""

    def _login(page: Any, user: Any, password: str = TEST_PASSWORD) -> None:
        page.goto("/sign-in")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/sign-in/security-code")
        page.get_by_label("Enter your security code").fill(totp_code(user))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)

    return _login


# Errors that mean the page navigated while axe was running (a click's navigation landing late):
# the check is repeated on the settled page rather than reported as a failure.
_NAVIGATED = ("documentElement", "Execution context was destroyed", "navigat", "Target closed")


def axe_violations(page: Any, tags: list[str] | None = None) -> list[dict[str, Any]]:
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(4):
        page.wait_for_load_state("load")
        try:
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                " resultTypes: ['violations']})",
                tags or WCAG_TAGS,
            )
            return list(result["violations"])
        except PlaywrightError as exc:
            if attempt == 3 or not any(sign in str(exc) for sign in _NAVIGATED):
                raise
            page.wait_for_timeout(200)
    raise AssertionError("unreachable")


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


@pytest.fixture
def axe_check() -> Callable[[Any], None]:
    """``axe_check(page)``: fail with a readable list if axe-core finds WCAG 2.2 AA violations, or if
    the page broke its Content-Security-Policy."""

    def _check(page: Any) -> None:
        violations = axe_violations(page)
        assert not violations, f"axe-core violations on {page.url}:\n{_describe(violations)}"
        assert not page.csp_violations, f"CSP violations on {page.url}: {page.csp_violations}"

    return _check
