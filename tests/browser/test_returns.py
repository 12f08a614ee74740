"""The analyst checks a statutory return in a real browser: chooses the return and the census year,
reads each problem with its rule, and follows the link to the child's record. Axe-clean."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sightline.access.models import User
from tests import factories
from tests.reports.returns_data import Golden, missing

from .conftest import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_analyst_finds_what_to_fix_before_the_missing_return_is_sent(
    page: Page, analyst: User, sign_in: Callable[[Page, User], None], axe_check: Callable[[Page], None]
) -> None:
    factories.agencies()
    golden = Golden()
    missing(golden)
    sign_in(page, analyst)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", name="Statutory returns", level=1)).to_be_visible()
    axe_check(page)

    page.get_by_label("Looked-after children return (SSDA903): missing episodes").check()
    fill_date(page, "start", dt.date(2024, 4, 1))
    fill_date(page, "end", dt.date(2025, 3, 31))
    page.get_by_role("button", name="Check the return").click()
    expect(page.get_by_text("8 rows; 10 problems, of which 6 errors.")).to_be_visible()
    kit = page.get_by_role("row").filter(has_text="Kit Golden")
    expect(kit).to_contain_text("575")
    expect(kit).to_contain_text("Error")
    axe_check(page)

    kit.get_by_role("link", name="Kit Golden").click()
    expect(page).to_have_url(re.compile(rf"/people/{golden.id('Kit')}$"))
