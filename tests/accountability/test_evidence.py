"""Reading evidence documents: who may, what is ledgered, and what a missing or altered file shows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from sightline.access.services import actor_for
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import Action, Evidence
from sightline.core.errors import NotFound
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from tests import factories

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 minutes of the board"


@pytest.fixture
def document(coordinator: Any) -> Evidence:
    factories.sample_plan()
    action = Action.objects.get(ref="R9.1")
    return services.do_add_document(
        actor_for(coordinator),
        action_id=action.id,
        stream=io.BytesIO(CONTENT),
        file_name="minutes.pdf",
        content_type="application/pdf",
    )


def _reads(evidence: Evidence, action: str) -> list[str]:
    integrate()
    return list(
        Entry.objects.filter(object_id=evidence.id, action=action)
        .order_by("index")
        .values_list("actor_user", flat=True)
    )


def test_whoever_may_see_the_action_reads_the_document_and_the_read_is_ledgered(
    document: Evidence, board_member: Any, practitioner: Any
) -> None:
    read = sel.evidence_document(board_member, document.id)
    assert (read.data, read.problem) == (CONTENT, "")
    assert _reads(document, "read") == ["board"]
    with pytest.raises(PermissionDenied):  # not the action's owner, and no role that sees plans
        sel.evidence_document(practitioner, document.id)
    with pytest.raises(NotFound):
        sel.evidence_document(board_member, "EV-NOSUCH")


def test_an_altered_document_is_refused_with_the_problem_ledgered(
    document: Evidence, coordinator: Any, login: Any
) -> None:
    path = Path(services.evidence_storage().path(services.evidence_name(document.sha256)))
    path.chmod(0o640)
    path.write_bytes(b"%PDF-1.4 other minutes")
    read = sel.evidence_document(coordinator, document.id)
    assert read.data is None and "was altered after it was added" in read.problem
    client = Client()
    login(client, coordinator)
    page = client.get(f"/accountability/evidence/{document.id}/download")
    assert page.status_code == 409 and "was altered after it was added" in page.content.decode()
    assert _reads(document, "read_failed") == ["coord", "coord"]
    assert _reads(document, "read") == []


def test_a_note_has_no_document(coordinator: Any, document: Evidence) -> None:
    note = services.do_add_note(
        actor_for(coordinator), action_id=document.action_id, title="Minute", note="Agreed"
    )
    with pytest.raises(NotFound, match="no document"):
        sel.evidence_document(coordinator, note.id)
