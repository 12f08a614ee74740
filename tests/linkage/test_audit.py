"""The linkage audit by group: children's match rates, and which sex or ethnic group is flagged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sightline.people.linkage import audit
from tests import factories

pytestmark = pytest.mark.django_db


def _children(n: int, ethnicity: str, linked: int) -> None:
    """``n`` children of one ethnicity, each with a school record; ``linked`` of them also known to police."""
    for i in range(n):
        child = factories.child(f"C{ethnicity}{i}", ethnicity=ethnicity, sex="F", date_of_birth="2011-05-01")
        factories.record(child, "education")
        if i < linked:
            factories.record(child, "police")


def test_a_group_joined_markedly_less_often_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "MIN_RECORDS", 5)
    _children(10, "WBRI", linked=8)
    _children(10, "APKN", linked=2)
    factories.record(factories.adult(), "police")  # adults are not in the children's audit
    result = audit.linkage_audit(dt.date(2026, 12, 2))
    rates = {(r.dimension, r.group): r for r in result.groups}
    assert result.overall.records == 30  # 20 school records and 10 police records of children
    white, asian = rates[("Ethnicity", "WBRI")], rates[("Ethnicity", "APKN")]
    assert (white.records, white.cross_agency) == (18, 16) and (asian.records, asian.cross_agency) == (12, 4)
    assert result.flagged(asian) and not result.flagged(white)
    assert not result.flagged(rates[("Agency", "Education")])  # agencies differ by nature: never flagged
    assert rates[("Age band", "13 to 17")].records == 30  # born May 2011: 15 on 2 December 2026


def test_the_page_shows_the_audit_to_those_who_review_links(make_user: Callable[..., Any]) -> None:
    _children(3, "WBRI", linked=1)
    html = factories.signed_in(make_user("analyst", "police")).get("/intelligence/linkage-audit")
    assert "Linkage by group" in html.content.decode() and "WBRI" in html.content.decode()
    refused = factories.signed_in(make_user("practitioner", "police")).get("/intelligence/linkage-audit")
    assert refused.status_code == 403
