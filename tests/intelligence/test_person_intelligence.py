"""What the analysis knows about one child, as each viewer may see it: her open alerts with what lies
behind them, and the people the analysis ties to her with the records that tie them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from sightline.access.permissions import MATRIX, Cap, Role
from sightline.intelligence import selectors as intel
from sightline.intelligence.models import Alert
from sightline.intelligence.services import do_set_alert_status
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, do_update, integrate
from tests.whole_picture import Story, olivia_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story() -> Story:
    return olivia_story()


def test_her_alert_names_the_man_the_vehicle_and_the_records_behind_it(
    story: Story, coordinator: Any
) -> None:
    seen = intel.person_intelligence(coordinator, story.olivia.id)
    assert seen.shown and seen.open_alerts == len(seen.alerts) >= 1
    (mine,) = [pa for pa in seen.alerts if pa.alert.kind == "child_at_risk"]
    assert mine.alert.subject_id == story.olivia.id and not mine.alert.restricted
    assert mine.top_reasons[0].startswith("Child aged 14") and "[" not in " ".join(mine.top_reasons)
    assert [t.id for t in mine.adults] == [story.mick.id] and mine.adults[0].label == "Mick Williams"
    assert [t.label for t in mine.vehicles] == ["YC55 MHT"]
    # Everyone the analysis ties to her, with the records that do: Mick, and Zara through OCC-2.
    network = {t.id: t for t in seen.network}
    assert set(network) == {story.mick.id, story.zara.id} and network[story.zara.id].label == "Zara Jaff"
    mick = network[story.mick.id]
    assert {"police:OCC-1", "police:OCC-2", "police:OCC-4"} <= {e.key for e in mick.events}
    assert "named as suspect" in mick.how and "police incident" in mick.how  # words, not codes
    first = next(e for e in mick.events if e.key == "police:OCC-1")
    assert (first.kind_label, first.agency_name) == ("Police incident", "Police")


def test_the_people_shown_are_ledgered(story: Story, analyst: Any) -> None:
    intel.person_intelligence(analyst, story.olivia.id)
    integrate()
    entry = Entry.objects.filter(action="read_list", actor_user=analyst.username).latest("index")
    assert entry.object_id == f"analysis about {story.olivia.id}"
    assert {story.mick.id, story.zara.id} <= set(json.loads(bytes(entry.canonical))["data"]["people"])


def test_a_dismissed_alert_is_not_open(story: Story, coordinator: Any) -> None:
    alert = Alert.objects.get(kind="child_at_risk", subject_id=story.olivia.id)
    do_set_alert_status(SYSTEM, alert_id=alert.id, status="dismissed", reason="checked with the police team")
    seen = intel.person_intelligence(coordinator, story.olivia.id)
    assert alert.id not in {pa.alert.id for pa in seen.alerts}


def test_a_role_without_intelligence_learns_only_that_alerts_exist(
    story: Story, police_officer: Any, make_user: Callable[..., Any]
) -> None:
    seen = intel.person_intelligence(police_officer, story.olivia.id)
    assert not seen.shown and seen.open_alerts >= 1
    assert seen.alerts == [] and seen.network == [] and seen.naming == []
    outsider = make_user("practitioner", "housing", username="housing")
    with pytest.raises(PermissionDenied):
        intel.person_intelligence(outsider, story.olivia.id)


def test_alerts_about_the_man_name_her(story: Story, coordinator: Any) -> None:
    seen = intel.person_intelligence(coordinator, story.olivia.id)
    about_mick = Alert.objects.get(kind="adult_of_concern", subject_id=story.mick.id)
    assert about_mick.id in {a.id for a in seen.naming}
    zara = intel.person_intelligence(coordinator, story.zara.id)
    assert story.olivia.id in {t.id for t in zara.network}


def test_people_outside_the_viewers_access_are_not_named(
    story: Story, make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An analyst whose role sees only people known to their agency: social care knows Olivia only.
    monkeypatch.setitem(MATRIX, Role.ANALYST, MATRIX[Role.ANALYST] - {Cap.VIEW_ALL_PEOPLE})
    analyst = make_user("analyst", "social_care", username="sc-analyst")
    alert = Alert.objects.get(kind="child_at_risk", subject_id=story.olivia.id)
    alert.reasons = f"With adult of concern Mick Williams ({story.mick.id}), score 2.0. {alert.reasons}"
    do_update(alert, actor=SYSTEM)  # as the engine words a child's reasons, this man first
    seen = intel.person_intelligence(analyst, story.olivia.id)
    (mine,) = [pa for pa in seen.alerts if pa.alert.kind == "child_at_risk"]
    assert mine.adults == [] and mine.restricted_people == 1
    assert mine.top_reasons[0] == "With adult of concern someone whose record you cannot open, score 2.0."
    assert "Mick" not in " ".join(mine.top_reasons + [t.label for t in mine.ties])
    hidden = [t for t in seen.network if t.restricted]
    assert len(hidden) == 2 and {t.id for t in hidden} == {""} and all(t.events for t in hidden)
    assert all(a.restricted and not a.subject_label for a in seen.naming if a.kind == "adult_of_concern")
    integrate()  # it showed no one, so it ledgered no list of people
    assert not Entry.objects.filter(action="read_list", actor_user=analyst.username).exists()


def test_postgresql_finds_alerts_naming_a_person_through_an_index() -> None:
    """A person's page asks which alerts' ties name them; without this index PostgreSQL read every
    alert's ties as text (seconds a page at a million people)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite matches ties as text; the index is PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'intelligence_alert_ties_gin'")
        row = cur.fetchone()
    assert row is not None and "gin (ties jsonb_path_ops)" in row[0]
