"""Home never tells a coordinator that nothing is overdue above a list of overdue plan actions: the case
work panel says which overdue work it covers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sightline.access.models import User
from sightline.accountability import selectors as acc
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_names_what_is_overdue(coordinator: User, login: Callable[[Client, User], Client]) -> None:
    factories.sample_plan()  # dated 2014: every action is overdue today
    overdue = acc.overdue_actions()
    assert overdue
    html = login(Client(), coordinator).get("/").content.decode()
    assert f"Overdue recommendation actions ({len(overdue)})" in html
    case_panel = html[html.index('id="overdue"') : html.index('id="new-concerns"')]
    assert "Overdue case work" in case_panel
    assert "No triage, return interview or child's plan action is overdue." in case_panel
    assert "Nothing is overdue" not in html
