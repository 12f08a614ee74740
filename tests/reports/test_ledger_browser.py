"""The independent reviewer's ledger pages: only for Cap.VIEW_LEDGER, every look ledgered, filters that
filter, an entry with its exact bytes and proof, verification that names problems, checkpoints, and
evidence packs."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sightline.access.services import ensure_standard_agencies
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.services import do_checkpoint, integrate, record_action
from sightline.people.models import Person
from sightline.people.services import do_create_person
from tests.factories import COORDINATOR, POLICE

pytestmark = pytest.mark.django_db

PAGES = ["/ledger", "/ledger/entries/0", "/ledger/verify", "/ledger/checkpoints", "/ledger/evidence-pack"]


@pytest.fixture
def child() -> Person:
    ensure_standard_agencies()
    person = do_create_person(actor=COORDINATOR, kind="child", given_name="Kayleigh", family_name="Brookes")
    record_action(POLICE, "read", "people.person", person.id, data={"basis": "open investigation"})
    do_checkpoint()
    return person


@pytest.fixture
def as_reviewer(client: Client, reviewer: Any, login: Any) -> Client:
    login(client, reviewer)
    return client


def _last(action: str) -> Entry:
    integrate()
    entry = Entry.objects.filter(action=action).order_by("-index").first()
    assert entry is not None, f"no {action} entry"
    return entry


@pytest.mark.usefixtures("child")
@pytest.mark.parametrize("path", PAGES)
def test_only_the_reviewer_can_open_the_ledger_pages(
    client: Client, board_member: Any, practitioner: Any, login: Any, path: str
) -> None:
    assert client.get(path).status_code == 302
    for user in (board_member, practitioner):
        login(client, user)
        assert client.get(path).status_code == 403
        client.logout()


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/ledger", "browse_ledger"),
        ("/ledger/entries/0", "read_ledger_entry"),
        ("/ledger/entries/0/raw", "download_ledger_entry"),
        ("/ledger/verify", "read_verify_page"),
        ("/ledger/checkpoints", "read_checkpoints"),
        ("/ledger/checkpoints/1.txt", "download_checkpoint"),
        ("/ledger/evidence-pack", "read_evidence_pack_page"),
    ],
)
@pytest.mark.usefixtures("child")
def test_every_look_is_ledgered(as_reviewer: Client, reviewer: Any, path: str, action: str) -> None:
    if path.endswith(".txt"):
        path = f"/ledger/checkpoints/{Checkpoint.objects.get().id}.txt"
    response = as_reviewer.get(path)
    assert response.status_code == 200
    entry = _last(action)
    assert entry.actor_user == reviewer.username and entry.actor_role == "independent_reviewer"


def _rows(html: str) -> str:
    return html[html.index('id="ledger-entries"') : html.index("</table>", html.index('id="ledger-entries"'))]


def test_filters(as_reviewer: Client, child: Person) -> None:
    html = _rows(as_reviewer.get("/ledger", {"actor": POLICE.user}).content.decode())
    assert f"people.person {child.id}" in html
    assert ">read<" in html and ">create<" not in html
    html = as_reviewer.get(
        "/ledger", {"object_type": "people.person", "object_id": child.id}
    ).content.decode()
    assert ">create<" in html and ">read<" in html
    assert "Matching entries, newest first (2)" in html
    browse = _last("browse_ledger")
    assert '"object_id":"' + child.id + '"' in bytes(browse.canonical).decode()  # the filter is recorded
    html = as_reviewer.get(
        "/ledger",
        {
            "since_0": "1",
            "since_1": "1",
            "since_2": "2001",
            "until_0": "31",
            "until_1": "12",
            "until_2": "2001",
        },
    ).content.decode()
    assert "No entries match." in html
    html = as_reviewer.get(
        "/ledger",
        {
            "since_0": "2",
            "since_1": "1",
            "since_2": "2001",
            "until_0": "1",
            "until_1": "1",
            "until_2": "2001",
        },
    ).content.decode()
    assert "must be the same as or after" in html


def test_an_entry_with_its_bytes_and_proof(as_reviewer: Client, child: Person) -> None:
    index = Entry.objects.get(object_id=child.id, action="create").index
    html = as_reviewer.get(f"/ledger/entries/{index}").content.decode()
    assert "Proof checks" in html and "signed in checkpoint" in html
    assert "Matches the bytes" in html
    raw = as_reviewer.get(f"/ledger/entries/{index}/raw")
    assert raw.content == bytes(Entry.objects.get(index=index).canonical)
    assert as_reviewer.get("/ledger/entries/999999").status_code == 404


def test_verify_now_names_the_problems(as_reviewer: Client, child: Person) -> None:
    html = as_reviewer.post("/ledger/verify").content.decode()
    assert "The ledger is intact" in html
    assert _last("verify_ledger").reason == ""
    with connection.cursor() as cursor:  # straight into the table, past the ledger
        cursor.execute("UPDATE people_person SET family_name = %s WHERE id = %s", ["Changed", child.pk])
    html = as_reviewer.post("/ledger/verify").content.decode()
    assert "The ledger is not intact" in html
    assert f"people.person {child.id}: field family_name is &#x27;Changed&#x27; in the table" in html
    assert '"ok":false' in bytes(_last("verify_ledger").canonical).decode()


@pytest.mark.usefixtures("child")
def test_checkpoints_page(as_reviewer: Client) -> None:
    html = as_reviewer.get("/ledger/checkpoints").content.decode()
    assert "Valid" in html and 'id="public-key"' in html


def test_evidence_pack_download_and_errors(as_reviewer: Client, child: Person) -> None:
    response = as_reviewer.post(
        "/ledger/evidence-pack", {"subject": "person", "person_id": child.id, "reason": "Case review"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert any(n.endswith("/verify_pack.py") for n in zf.namelist())
    assert _last("export_evidence_pack").object_id == child.id
    html = as_reviewer.post(
        "/ledger/evidence-pack", {"subject": "indexes", "indexes": "5-2", "reason": "x"}
    ).content.decode()
    assert "The range 5-2 runs backwards" in html and "govuk-error-summary" in html
    html = as_reviewer.post(
        "/ledger/evidence-pack", {"subject": "person", "person_id": "P-NOBODY", "reason": "x"}
    ).content.decode()
    assert "The ledger holds no entries about P-NOBODY" in html
