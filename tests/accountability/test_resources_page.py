"""Resources against caseload on the page and in the board report PDF: a year before the first concern
was recorded shows "no records", not a caseload of 0."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sightline.access.services import actor_for
from sightline.accountability import services
from sightline.reports import board
from sightline.reports.pdf import render_pdf
from tests.factories import at, child, concern
from tests.reports.test_board import pdf_text

pytestmark = pytest.mark.django_db


def test_years_before_the_first_concern_have_no_records(coordinator: Any, login: Any) -> None:
    coord = actor_for(coordinator)
    services.do_set_staffing(coord, agency="police", team="CSE team", year=2010, staff=3)
    services.do_set_staffing(coord, agency="police", team="CSE team", year=2014, staff=62)
    concern(child("Kim"), at(2014, 5, 1, 9))
    page = login(Client(), coordinator).get("/accountability/resources").content.decode()
    html = page.split("Staff by year against caseload", 1)[1].split("</table>", 1)[0]
    rows = {
        m.group(1): re.findall(r'numeric">([^<]*)<', m.group(2))
        for m in re.finditer(r'<th scope="row" class="govuk-table__header">(\d{4})</th>(.*?)</tr>', html)
    }
    assert rows["2010"] == ["3", "no records", "no records"]
    assert rows["2014"] == ["62", "1", "0.0"]
    text = pdf_text(render_pdf(board.board_report(), compress=False))
    assert "2010 3.0 no records no records 2014 62.0 1 0.0" in text
