"""The one write path: entries are gapless, hash to their leaves, carry full versions, and vanish
with a rolled-back transaction. Runs unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from django.db import transaction

from sightline.access.models import Agency
from sightline.ledger import merkle
from sightline.ledger.canonical import canonical_bytes
from sightline.ledger.models import Entry, PendingEntry
from sightline.ledger.selectors import rows, verification, verify
from sightline.ledger.services import (
    SYSTEM,
    Actor,
    StaleVersionError,
    do_bulk_create,
    do_bulk_update,
    do_checkpoint,
    do_create,
    do_update,
    entry_body,
    integrate,
    record_action,
)
from sightline.people.models import Person
from tests.append_only import triggers_bypassed

pytestmark = pytest.mark.django_db

ANA = Actor(user="ana.p", agency="social_care", role="practitioner")


def _entry(index: int) -> dict[str, Any]:
    return json.loads(bytes(Entry.objects.get(index=index).canonical))


def _indexes() -> list[int]:
    return list(Entry.objects.order_by("index").values_list("index", flat=True))


def test_create_and_update_write_gapless_entries_whose_bytes_hash_to_their_leaves(cli: Any) -> None:
    start = integrate()
    agency = do_create(Agency(id="ngo_one", name="Northby Youth Trust", kind="charity"), actor=ANA)
    person = do_create(Person(given_name="Amy", family_name="Smith", kind="child"), actor=ANA)
    person.postcode = "NB1 2QX"
    do_update(person, actor=ANA, reason="new address from school")
    record_action(ANA, "read", "people.person", person.id, data={"basis": "open case"})
    size = integrate()

    assert size == start + 4
    assert _indexes() == list(range(size))
    assert not PendingEntry.objects.exists()
    for index in range(start, size):
        entry = Entry.objects.get(index=index)
        printed = cli("ledger", "entry", "--index", str(index))
        assert printed.code == 0
        assert printed.out == bytes(entry.canonical)  # exactly the bytes, no newline added
        assert hashlib.sha256(b"\x00" + printed.out).digest() == bytes(entry.leaf_hash)
        assert json.loads(printed.out)["index"] == index

    created = _entry(start)
    assert created["action"] == "create"
    assert created["actor"] == {"agency": "social_care", "role": "practitioner", "user": "ana.p"}
    assert created["object"] == {"id": "ngo_one", "type": "access.agency", "version": 1}
    assert created["data"] == agency.snapshot()
    assert created["data"]["name"] == "Northby Youth Trust" and created["data"]["id"] == "ngo_one"
    assert agency.version == 1

    updated = _entry(start + 2)
    assert updated["object"] == {"id": person.id, "type": "people.person", "version": 2}
    assert updated["reason"] == "new address from school"
    assert updated["data"]["postcode"] == "NB1 2QX" and updated["data"]["given_name"] == "Amy"
    assert "version" not in updated["data"]  # the version lives in the entry's object, once

    read = _entry(start + 3)
    assert read["object"]["version"] is None
    assert read["data"] == {"basis": "open case"}

    # Each entry names the leaf before it: the ledger is a hash chain as well as a Merkle tree.
    for index in range(max(start, 1), size):
        prev = bytes(Entry.objects.get(index=index - 1).leaf_hash)
        assert _entry(index)["prev"] == base64.b64encode(prev).decode()
    assert verify().ok


def test_entry_columns_mirror_the_hashed_bytes() -> None:
    person = do_create(Person(given_name="Leo", family_name="Ng"), actor=ANA, reason="referral")
    integrate()
    entry = Entry.objects.get(object_id=person.id)
    body = json.loads(bytes(entry.canonical))
    assert (entry.actor_user, entry.actor_agency, entry.actor_role) == (
        "ana.p",
        "social_care",
        "practitioner",
    )
    assert (entry.action, entry.object_type, entry.version, entry.reason) == (
        "create",
        "people.person",
        1,
        "referral",
    )
    assert entry.time.isoformat().replace("+00:00", "Z") == body["time"]


def test_versions_advance_and_a_stale_copy_is_refused() -> None:
    person = do_create(Person(given_name="Mia", family_name="Khan"), actor=ANA)
    first = Person.objects.get(pk=person.pk)
    second = Person.objects.get(pk=person.pk)
    first.address = "4 Mill Lane"
    do_update(first, actor=ANA)
    assert first.version == 2
    size = integrate()

    second.address = "somewhere else"
    with pytest.raises(StaleVersionError, match="at version 2, not 1"):
        do_update(second, actor=ANA)
    assert integrate() == size  # nothing ledgered
    assert Person.objects.get(pk=person.pk).address == "4 Mill Lane"

    fresh = Person.objects.get(pk=person.pk)
    fresh.address = "5 Mill Lane"
    do_update(fresh, actor=ANA)
    assert Person.objects.get(pk=person.pk).version == 3
    integrate()
    versions = list(
        Entry.objects.filter(object_id=person.id).order_by("index").values_list("version", flat=True)
    )
    assert versions == [1, 2, 3]


def test_an_invalid_update_leaves_the_object_usable() -> None:
    person = do_create(Person(given_name="Ola", family_name="Berg"), actor=ANA)
    person.sex = "way too long for one character"
    with pytest.raises(Exception, match="sex"):
        do_update(person, actor=ANA)
    assert person.version == 1  # still matches the row, so a corrected retry succeeds
    person.sex = "F"
    do_update(person, actor=ANA)
    assert Person.objects.get(pk=person.pk).version == 2


class Boom(Exception):
    pass


def test_a_rolled_back_transaction_leaves_no_entry_no_queue_and_no_gap() -> None:
    before = integrate()
    with pytest.raises(Boom), transaction.atomic():
        do_create(Person(given_name="Gone", family_name="Away"), actor=ANA)
        record_action(ANA, "read", "people.person", "P-NONE")
        raise Boom
    assert not Person.objects.filter(given_name="Gone").exists()
    assert not PendingEntry.objects.exists()
    assert integrate() == before
    assert Entry.objects.count() == before

    # An inner rollback (a savepoint) takes only its own entries with it.
    with transaction.atomic():
        kept = do_create(Person(given_name="Kept", family_name="One"), actor=ANA)
        with pytest.raises(Boom), transaction.atomic():
            do_create(Person(given_name="Dropped", family_name="Two"), actor=ANA)
            raise Boom
    size = integrate()
    assert size == before + 1
    assert _indexes() == list(range(size))
    assert _entry(before)["object"]["id"] == kept.id
    assert verify().ok


def test_bulk_writes_are_ledgered_one_entry_per_object() -> None:
    before = integrate()
    people = do_bulk_create(
        [Person(given_name=f"Kid{i}", family_name="Bulk") for i in range(30)], actor=SYSTEM, action="import"
    )
    for p in people:
        p.status = "active"
        p.other_names = "checked"
    do_bulk_update(people, actor=SYSTEM, fields=["other_names"], reason="spelling review")
    size = integrate()
    assert size == before + 60
    assert _indexes() == list(range(size))
    last = _entry(size - 1)
    assert last["object"]["version"] == 2 and last["data"]["other_names"] == "checked"
    assert verify().ok


def test_leaf_hashes_and_root_match_an_independent_computation() -> None:
    for i in range(7):
        do_create(Person(given_name=f"R{i}", family_name="Root"), actor=ANA)
    size = integrate()
    raws = [bytes(b) for b in Entry.objects.order_by("index").values_list("canonical", flat=True)]
    leaves = [hashlib.sha256(b"\x00" + raw).digest() for raw in raws]
    report = verify(check_state=False)
    assert report.ok and report.size == size == len(leaves)
    assert report.root == merkle.root(leaves)


def test_streamed_tree_roots_equal_roots_over_all_leaves() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(37)]
    for pieces in ([37], [1] * 37, [3, 5, 8, 4, 17], [16, 21]):
        tree = merkle.CompactRange()
        found: list[merkle.CompactRange] = []
        wanted = list(range(1, 38))
        at = 0
        for n in pieces:
            verification._grow(tree, leaves[at : at + n], wanted, found)
            at += n
        assert {t.size: t.root() for t in found} == {s: merkle.root(leaves[:s]) for s in range(1, 38)}
        assert tree.root() == merkle.root(leaves) and tree.size == 37


def test_verify_in_small_chunks_with_checkpoints_inside_them(
    monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.setattr(rows, "CHUNK", 3)
    sizes = []
    for i in range(23):
        record_action(ANA, "read", "people.person", f"P-{i}")
        if i in (4, 7, 12, 22):
            sizes.append(do_checkpoint().size)
    report = verify()
    assert report.ok, report.problems
    assert report.checkpoints_checked == 4 and report.entries_checked == integrate()

    last = max(sizes)
    with triggers_bypassed() as cursor:  # a hole wider than a chunk, then a lone gap
        cursor.execute('DELETE FROM ledger_entry WHERE "index" >= 9 AND "index" < 16')
        cursor.execute('DELETE FROM ledger_entry WHERE "index" = 19')
    text = cli("ledger", "verify").text
    assert "entries #9 to #15 are missing (deleted)" in text
    assert "entry #19 is missing (deleted)" in text
    assert f"signed a tree of {last} entries but the ledger now has only" in text


def test_queued_entries_left_behind_are_sequenced_by_the_next_integrate() -> None:
    # As if a writer committed and then died before its after-commit integration ran.
    before = integrate()
    bodies = [entry_body(ANA, "read", "people.person", f"P-LEFT{i}", None, None, "") for i in range(3)]
    PendingEntry.objects.bulk_create([PendingEntry(body=canonical_bytes(b).decode()) for b in bodies])
    assert integrate() == before + 3
    assert not PendingEntry.objects.exists()
    assert [_entry(before + i)["object"]["id"] for i in range(3)] == ["P-LEFT0", "P-LEFT1", "P-LEFT2"]
    assert verify().ok
