"""A police officer raises a concern about "Vicky Lee", whom search cannot tell apart from the people
she may not see; Sightline offers Victoria Lee, known to children's social care, before a second
record is made, and the concern joins hers. Every page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings

from sightline.access.models import User
from sightline.cases.models import Concern
from sightline.people.models import Person
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_raising_a_concern_offers_the_child_sightline_already_knows(
    page: Page,
    police_officer: User,
    sign_in: Callable[[Page, User], None],
    axe_check: Callable[[Page], None],
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.HOME = tmp_path / "home"  # the model's starting values, whatever other tests trained
    victoria = factories.known_child(
        "social_care", given="Victoria", family="Lee", date_of_birth="2002-01-24", postcode="S62 6JT"
    )
    people = Person.objects.count()
    sign_in(page, police_officer)
    page.get_by_role("link", name="Raise a concern", exact=True).first.click()
    page.get_by_label("Name or nickname").fill("Vicky Lee")
    page.get_by_role("button", name="Find the child").click()
    # A name alone cannot tell: the hidden Victoria is counted, not listed, and nothing of her shown.
    quiet = page.locator("#quiet-matches")
    expect(quiet).to_contain_text("1 person outside your access has a name like this")
    expect(page.locator("main")).not_to_contain_text("Victoria")
    axe_check(page)
    page.get_by_role("link", name="Raise a concern and give the child's details").click()
    expect(page.get_by_label("First name")).to_have_value("Vicky")  # carried from the search
    expect(page.get_by_label("Last name")).to_have_value("Lee")
    page.get_by_label("Postcode", exact=True).fill("S62 6JT")
    page.get_by_label("What was seen or happened?").fill("Seen getting into a car with two older men")
    page.locator("#id_occurred_on_0").fill("1")
    page.locator("#id_occurred_on_1").fill("6")
    page.locator("#id_occurred_on_2").fill("2014")
    page.get_by_label("Urgent").check()
    page.get_by_role("button", name="Raise the concern").click()

    # The likely match comes first, without her name; nothing is recorded yet.
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sightline may already know this child"
    )
    match = page.get_by_label(f"A child whose record you cannot see ({victoria.id})")
    expect(match).to_be_visible()
    expect(page.locator("#matches")).to_contain_text("Known to Children's social care")
    expect(page.get_by_label("What was seen or happened?")).to_have_value(re.compile("^Seen getting"))
    assert not Concern.objects.exists() and Person.objects.count() == people
    axe_check(page)
    # "None of these" needs a reason.
    page.get_by_label("No, none of these: this is a different child").check()
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why this is a different child")
    axe_check(page)
    # She is the child: the concern joins her record, raised without sight of it.
    page.get_by_label(f"A child whose record you cannot see ({victoria.id})").check()
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Concern")
    axe_check(page)
    concern = Concern.objects.get()
    assert (concern.person_id, concern.raised_blind) == (victoria.id, True)
    assert Person.objects.count() == people
