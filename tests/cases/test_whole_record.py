"""The child's chronology holds every event that names her, counted as her alert counts them, and
``export chronology`` gives exactly the page's lines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from sightline.access.services import actor_for
from sightline.cases import selectors, services
from sightline.cli import main
from sightline.intelligence.models import Alert
from tests.factories import at, concern, screening, triage
from tests.whole_picture import Story, olivia_story

pytestmark = pytest.mark.django_db

POLICE_RECORD_KINDS = {"police_incident", "intelligence", "arrest", "charge", "bail"}


@pytest.fixture
def story() -> Story:
    return olivia_story()


def extract_lines(person_id: str) -> dict[str, selectors.ChronologyEntry]:
    return {
        e.reference.partition(":")[2]: e for e in selectors.chronology_for(person_id) if e.source == "extract"
    }


def test_the_chronology_holds_records_filed_under_someone_else(story: Story) -> None:
    lines = extract_lines(story.olivia.id)
    # Mick's occurrences naming her are there; Zara's NOM-12 is not taken for her NOM-1.
    assert set(lines) == story.naming_her
    assert (
        lines["OCC-1"].named_as == "victim" and "filed under another person's record" in lines["OCC-1"].title
    )
    assert lines["OCC-4"].named_as == "" and lines["OCC-6"].named_as == "associate"
    # Plain words: the kind's label and the place as people write it.
    assert lines["OCC-1"].kind_label == "Police incident"
    assert lines["OCC-1"].title.startswith("Police incident at Flat 1 Hawthorn House")
    # Zara's chronology has the occurrence naming only her and the one naming both, not Olivia's own.
    assert set(extract_lines(story.zara.id)) == {"OCC-2", "OCC-3", "OCC-6"}


def test_counts_agree_with_the_alert(story: Story) -> None:
    alert = Alert.objects.get(kind="child_at_risk", subject_id=story.olivia.id)
    named = int(re.search(r"Named in (\d+) police records?", alert.reasons).group(1))  # type: ignore[union-attr]
    missing = int(re.search(r"Missing or absent (\d+) times?", alert.reasons).group(1))  # type: ignore[union-attr]
    lines = extract_lines(story.olivia.id).values()
    police = [e for e in lines if e.kind in POLICE_RECORD_KINDS and e.named_as in ("", "victim")]
    assert named == len(police) == story.police_as_subject_or_victim
    episodes = selectors.episodes_for(story.olivia.id)
    assert missing == episodes.imported_missing_events == story.missing_events
    assert episodes.total == missing and episodes.recorded == 0


def test_an_episode_recorded_here_adds_to_the_summary(story: Story, social_worker: Any) -> None:
    services.do_record_missing_episode(
        actor_for(social_worker),
        person_id=story.olivia.id,
        category="M",
        started_at=at(2024, 5, 1, 20),
        now=at(2024, 6, 1),
    )
    episodes = selectors.episodes_for(story.olivia.id, now=at(2024, 6, 1))
    assert (episodes.recorded, episodes.imported_missing_events, episodes.total) == (1, 3, 4)
    assert episodes.last_90_days == 1 and episodes.repeat


def _case_work(kid: Any, worker: Any) -> None:
    """A concern, its triage, a screening, an episode and its return interview, recorded here."""
    raised = concern(kid, at(2014, 6, 1, 10))
    triage(raised, at(2014, 6, 1, 12))
    screening(kid, at(2014, 6, 2, 9))
    actor = actor_for(worker)
    now = at(2014, 6, 10)
    ep = services.do_record_missing_episode(
        actor,
        person_id=kid.id,
        category="M",
        started_at=at(2014, 6, 3, 22),
        ended_at=at(2014, 6, 4, 8),
        now=now,
    )
    services.do_offer_return_interview(actor, episode_id=ep.id, offered_at=at(2014, 6, 5, 10), now=now)


def test_export_gives_exactly_the_page(
    story: Story,
    social_worker: Any,
    coordinator: Any,
    client: Client,
    login: Callable[[Client, Any], Client],
    tmp_path: Path,
) -> None:
    _case_work(story.olivia, social_worker)
    entries = selectors.chronology_for(story.olivia.id)
    assert {"concern", "triage", "screening", "missing", "return_interview"} <= {e.kind for e in entries}
    out = tmp_path / "olivia.xlsx"
    assert main(["export", "chronology", "--person", story.olivia.id, "--out", str(out)]) == 0
    rows = [[c.value for c in row] for row in load_workbook(out)["Chronology"].iter_rows()][1:]
    exported = [(r[0], r[2], r[3], r[4], r[10]) for r in rows]
    assert exported == [
        (e.date.isoformat(), e.agency_name, e.kind_label, e.title, e.ledger_index) for e in entries
    ]
    # The page lists the same lines, in the same order.
    html = login(client, coordinator).get(f"/people/{story.olivia.id}/chronology").content.decode()
    table = html.split('id="chronology-table"', 1)[1].split("</table>", 1)[0]
    indexes = [int(i) for i in re.findall(r"Ledger entry #(\d+)", table)]
    assert indexes == [e.ledger_index for e in entries] and f"{len(entries)} entries" in table


def test_an_agency_record_key_exports_its_persons_chronology(story: Story, tmp_path: Path) -> None:
    out = tmp_path / "by-record.xlsx"
    assert main(["export", "chronology", "--person", "police:NOM-1", "--out", str(out)]) == 0
    rows = list(load_workbook(out)["Chronology"].iter_rows(values_only=True))[1:]
    assert {str(r[11]).partition(":")[2] for r in rows} == story.naming_her
    assert all(isinstance(r[0], str) and dt.date.fromisoformat(r[0]) for r in rows)
