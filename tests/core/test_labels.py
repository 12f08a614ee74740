"""Plain words for codes, one table for pages, exports and the analysis: kinds, sex, places written in
one case, and "a" or "an" before a role wherever a sentence names one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sightline.access.permissions import Role
from sightline.core import labels
from sightline.core.labels import kind_label, kinds_text, place_label, sex_label, with_article
from sightline.intelligence.analysis import weights
from sightline.people.events import ROLE_PRIORITY, event_others
from tests.factories import adult


def test_codes_become_words() -> None:
    assert kind_label("police_incident") == "Police incident"
    assert kind_label("made_up_kind") == "Made up kind"
    assert kinds_text({"police_incident", "intelligence"}) == "intelligence, police incident"
    assert (sex_label("F"), sex_label("m"), sex_label("")) == ("Female", "Male", "")


def test_places_written_in_one_case_get_capitals() -> None:
    assert (
        place_label("flat 1 hawthorn house rowan place, s65 7sl")
        == "Flat 1 Hawthorn House Rowan Place, S65 7SL"
    )
    assert place_label("ROTHERHAM INTERCHANGE, FREDERICK ST") == "Rotherham Interchange, Frederick St"
    assert place_label("st joseph's c of e primary school") == "St Joseph's C of E Primary School"
    assert place_label("Flat 29, Osborne House, Alma Gr") == "Flat 29, Osborne House, Alma Gr"  # as written


def test_every_role_takes_the_right_article() -> None:
    said = {role: with_article(role.label) for role in Role}
    assert said[Role.CSE_COORDINATOR] == "a CSE coordinator"
    assert said[Role.INDEPENDENT_REVIEWER] == "an independent reviewer"
    assert said[Role.ANALYST] == "an analyst"
    assert said[Role.DSL] == "a designated safeguarding lead"
    assert with_article("MP") == "an MP" and with_article("victim") == "a victim"


def test_others_are_read_as_the_analysis_reads_them() -> None:
    assert event_others({"others": " NOM-1:Victim; NOM-12:suspect;bad;:x"}) == [
        ("NOM-1", "victim"),
        ("NOM-12", "suspect"),
    ]
    assert list(ROLE_PRIORITY) == weights.ROLE_PRIORITY


@pytest.mark.django_db
def test_the_home_page_and_break_glass_form_say_it_plainly(
    make_user: Callable[..., Any], login: Callable[[Client, Any], Client]
) -> None:
    home = login(Client(), make_user("cse_coordinator", "mash", username="coord")).get("/")
    assert "You are signed in as a CSE coordinator in" in home.content.decode()
    reviewer = login(Client(), make_user("independent_reviewer", "independent_review", username="rev")).get(
        "/"
    )
    assert "You are signed in as an independent reviewer" in reviewer.content.decode()
    someone = adult("Darren", family_name="Hollis")
    form = login(Client(), make_user("practitioner", "housing", username="housing")).get(
        f"/people/{someone.id}/break-glass"
    )
    assert "Write at least 20 characters" in form.content.decode()


@pytest.mark.parametrize(
    ("held", "shown"),
    [
        ("2012-03-23", "23 March 2012 (age 14)"),
        ("2012-12-03", "3 December 2012 (age 13)"),  # the birthday is tomorrow
        ("2012-03", "March 2012"),
        ("2012", "2012"),
        ("2012-02-30", "2012-02-30"),  # not a date: shown as given
        ("", ""),
    ],
)
def test_a_date_of_birth_in_words_with_the_age(held: str, shown: str) -> None:
    assert labels.birth_date(held, today=dt.date(2026, 12, 2)) == shown
