"""What the browser fetches and lays out: no page asks for a font file (GOV.UK Frontend's stylesheet names
the system fonts, web/staticfiles.py), nothing a page asks for is missing, and the menu fits one row at
1280 pixels for every role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Request, Response, expect

from sightline.access.models import User
from sightline.ledger.services import do_checkpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[Page, User], None]
# The pages that used to ask for GDS Transport: text in <pre> and <code> on the ledger and API pages.
PAGES = [
    "/",
    "/ledger",
    "/ledger/verify",
    "/ledger/checkpoints",
    "/api/docs",
    "/accountability",
    "/statistics",
]


def test_no_font_files_and_nothing_missing(page: Page, reviewer: User, sign_in: SignIn) -> None:
    do_checkpoint()
    fonts: list[str] = []
    missing: list[str] = []

    def requested(request: Request) -> None:
        if request.resource_type == "font" or "/fonts/" in request.url:
            fonts.append(request.url)

    def answered(response: Response) -> None:
        if response.status >= 400:
            missing.append(f"{response.status} {response.url}")

    page.on("request", requested)
    page.on("response", answered)
    sign_in(page, reviewer)
    for path in PAGES:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        family = page.eval_on_selector("h1", "e => getComputedStyle(e).fontFamily")
        assert family.startswith("system-ui") and "GDS Transport" not in family, (path, family)
    pre = page.locator("pre").first  # checkpoints: the public key
    page.goto("/ledger/checkpoints")
    assert "GDS Transport" not in pre.evaluate("e => getComputedStyle(e).fontFamily")
    assert fonts == [] and missing == []


@pytest.mark.parametrize(
    "role", ["cse_coordinator", "analyst", "manager", "practitioner", "independent_reviewer"]
)
def test_the_menu_fits_one_row_at_1280_pixels(
    page: Page, make_user: Callable[..., User], sign_in: SignIn, role: str
) -> None:
    agency = {
        "analyst": "police",
        "manager": "social_care",
        "practitioner": "youth_service",
        "independent_reviewer": "independent_review",
    }
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, make_user(role, agency.get(role, "mash")))
    items = page.get_by_role("navigation", name="Menu").locator(".govuk-service-navigation__item")
    expect(items.first).to_contain_text("Home")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Sign out")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert all(box is not None for box in boxes)
    tops = {round(box["y"]) for box in boxes if box}
    assert len(tops) == 1, f"{role}: the menu wraps onto {len(tops)} rows"
