"""Tampering straight in the database, stepping around the triggers as a privileged insider could.

Every case must make ``sightline ledger verify`` exit 1 and name what was done. The same tests run
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from sightline.access.models import Agency
from sightline.access.services import ensure_standard_agencies
from sightline.ledger import merkle
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.selectors import verify
from sightline.ledger.services import Actor, do_checkpoint, do_create, do_update, integrate, record_action
from sightline.people.models import Person
from tests.append_only import TRIGGERS, triggers_bypassed
from tests.ledger.conftest import insert_row_directly

pytestmark = pytest.mark.django_db

NURSE = Actor(user="nina.nurse", agency="health", role="practitioner")


@dataclass
class Town:
    people: list[Person]
    size: int

    def entry_of(self, person: Person, version: int = 1) -> int:
        return int(Entry.objects.get(object_id=person.id, version=version).index)


@pytest.fixture
def town() -> Town:
    ensure_standard_agencies()
    people = []
    for i, (given, family) in enumerate(
        [("Amy", "Smith"), ("Ben", "Jones"), ("Cara", "Ng"), ("Dev", "Patel")]
    ):
        people.append(
            do_create(
                Person(given_name=given, family_name=family, kind="child", postcode=f"NB{i} 1AA"), actor=NURSE
            )
        )
    people[1].address = "2 Mill Lane"
    do_update(people[1], actor=NURSE, reason="moved")
    for p in people:
        record_action(NURSE, "read", "people.person", p.id, data={"basis": "open case"})
    size = integrate()
    assert verify().ok
    return Town(people, size)


def _row(index: int) -> dict[str, Any]:
    return dict(Entry.objects.filter(index=index).values().get())


def _set_entry(cursor: Any, index: int, **values: Any) -> None:
    cols = ", ".join(f"{connection.ops.quote_name(k)} = %s" for k in values)
    cursor.execute(f'UPDATE ledger_entry SET {cols} WHERE "index" = %s', [*values.values(), index])


def _leaf(raw: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + raw).digest()


def _verify_fails(cli: Any, *argv: str) -> str:
    result = cli("ledger", "verify", *argv)
    assert result.code == 1, result.text
    assert "NOT intact" in result.text
    return result.text


def _insert_entry(cursor: Any, row: dict[str, Any], index: int) -> None:
    row = dict(row, index=index, time=connection.ops.adapt_datetimefield_value(row["time"]))
    cols = list(row)
    cursor.execute(
        f"INSERT INTO ledger_entry ({', '.join(connection.ops.quote_name(c) for c in cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))})",
        [row[c] for c in cols],
    )


# --- the triggers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET reason = 'hidden' WHERE \"index\" = 1",
        'UPDATE ledger_entry SET "index" = "index" + 1000',
        'DELETE FROM ledger_entry WHERE "index" = 1',
        "DELETE FROM ledger_entry",
        "UPDATE ledger_checkpoint SET size = 1",
        "DELETE FROM ledger_checkpoint",
    ],
)
def test_triggers_refuse_update_and_delete(town: Town, sql: str) -> None:
    do_checkpoint()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Entry.objects.count() == town.size and Checkpoint.objects.count() == 1
    assert verify().ok


@pytest.mark.parametrize("table", TRIGGERS.TABLES)
def test_triggers_refuse_truncate_on_postgresql(town: Town, table: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE trigger covers an unqualified DELETE")
    do_checkpoint()
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table}")
    assert Entry.objects.count() == town.size and Checkpoint.objects.count() == 1


# --- entries -------------------------------------------------------------------------------------


def test_entry_bytes_edited(town: Town, cli: Any) -> None:
    k = town.entry_of(town.people[0])
    raw = bytes(_row(k)["canonical"])
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=raw.replace(b'"Amy"', b'"Ann"'))
    text = _verify_fails(cli)
    assert f"entry #{k} was altered: its bytes do not match its recorded leaf hash" in text


def test_entry_bytes_edited_with_the_leaf_hash_recomputed(town: Town, cli: Any) -> None:
    do_checkpoint()
    k = town.entry_of(town.people[2])
    edited = bytes(_row(k)["canonical"]).replace(b'"Cara"', b'"Kara"')
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=edited, leaf_hash=_leaf(edited))
    text = _verify_fails(cli)
    assert "was altered: its bytes" not in text  # the leaf matches: the chain and root must catch it
    assert f"entry #{k + 1} does not follow entry #{k}: the hash chain is broken" in text
    assert "no longer hash to the signed root" in text
    # The current-state row still says Cara, as the ledger did before the edit.
    assert f"field given_name is 'Cara' in the table but 'Kara' in ledger entry #{k}" in text


def test_last_entry_edited_with_the_leaf_hash_recomputed(town: Town, cli: Any) -> None:
    do_checkpoint()
    k = town.size - 1
    edited = bytes(_row(k)["canonical"]).replace(b'"open case"', b'"curiosity"')
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=edited, leaf_hash=_leaf(edited))
    text = _verify_fails(cli)
    assert f"the ledger's first {town.size} entries no longer hash to the signed root" in text
    assert "tree head says" in text


def test_entry_replaced_by_bytes_that_are_not_json(town: Town, cli: Any) -> None:
    # The database cannot parse this chunk any more, so its columns are checked in Python instead.
    k = town.entry_of(town.people[1])
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=b"\xff\xfe not an entry")
        _set_entry(cursor, town.size - 1, actor_user="someone.else")
    text = _verify_fails(cli)
    assert f"entry #{k} was altered: its bytes do not match its recorded leaf hash" in text
    assert f"entry #{k} is not a JSON object" in text
    assert f"entry #{town.size - 1}: its actor_user column says 'someone.else'" in text


def test_searchable_columns_edited(town: Town, cli: Any) -> None:
    # Hiding who read a record by editing the indexed column, not the hashed bytes.
    k = town.size - 1
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, actor_user="someone.else", object_id="P-OTHER")
    text = _verify_fails(cli)
    assert (
        f"entry #{k}: its actor_user column says 'someone.else' but the hashed entry says 'nina.nurse'"
        in text
    )
    assert f"entry #{k}: its object_id column says 'P-OTHER'" in text


def test_entry_deleted_from_the_middle(town: Town, cli: Any) -> None:
    k = town.entry_of(town.people[1], version=2)
    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM ledger_entry WHERE "index" = %s', [k])
    text = _verify_fails(cli)
    assert f"entry #{k} is missing (deleted)" in text
    assert f"entry #{k + 1} does not follow" not in text  # the gap is the explanation
    assert f"people.person {town.people[1].id}: row is at version 2, the ledger's latest is 1" in text


@pytest.mark.usefixtures("town")
def test_several_entries_deleted(cli: Any) -> None:
    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM ledger_entry WHERE "index" IN (3, 4, 5)')
    assert "entries #3 to #5 are missing (deleted)" in _verify_fails(cli)


def test_entry_inserted_shifting_the_later_indexes(town: Town, cli: Any) -> None:
    k = town.entry_of(town.people[2])
    forged = dict(_row(town.size - 1))
    with triggers_bypassed() as cursor:
        for index in range(town.size - 1, k - 1, -1):
            cursor.execute('UPDATE ledger_entry SET "index" = "index" + 1 WHERE "index" = %s', [index])
        _insert_entry(cursor, forged, k)
    text = _verify_fails(cli)
    assert (
        f"entry #{k} holds the content of entry #{town.size - 1} (entries swapped, moved or inserted)" in text
    )
    assert f"entry #{k + 1} holds the content of entry #{k} " in text
    assert f"entry #{town.size} holds the content of entry #{town.size - 1} " in text


def test_entry_duplicated_at_the_end(town: Town, cli: Any) -> None:
    k = town.entry_of(town.people[0])
    with triggers_bypassed() as cursor:
        _insert_entry(cursor, dict(_row(k)), town.size)
    text = _verify_fails(cli)
    assert f"entry #{town.size} holds the content of entry #{k} (entries swapped, moved or inserted)" in text


def test_entry_forged_and_appended_with_a_valid_chain(town: Town, cli: Any) -> None:
    # A careful forger writes a well-formed next entry with a correct chain link. The tree head
    # and the current-state row it claims to have changed both give it away.
    last = _row(town.size - 1)
    body = json.loads(bytes(last["canonical"]))
    body.update(index=town.size, prev=base64.b64encode(bytes(last["leaf_hash"])).decode())
    body["object"] = {"id": town.people[3].id, "type": "people.person", "version": 2}
    body["action"] = "update"
    body["data"] = dict(town.people[3].snapshot(), given_name="Devon")
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    with triggers_bypassed() as cursor:
        _insert_entry(
            cursor,
            dict(
                last,
                canonical=raw,
                leaf_hash=_leaf(raw),
                action="update",
                object_id=town.people[3].id,
                version=2,
            ),
            town.size,
        )
    text = _verify_fails(cli)
    assert f"entry #{town.size}" not in text.split("people.person")[0]  # the entry itself is well formed
    assert "tree head says" in text
    assert (
        f"people.person {town.people[3].id}: row is at version 1, "
        f"the ledger's latest is 2 (entry #{town.size})" in text
    )


def test_two_entries_swapped(town: Town, cli: Any) -> None:
    i, j = town.entry_of(town.people[0]), town.entry_of(town.people[3])
    a, b = _row(i), _row(j)
    with triggers_bypassed() as cursor:
        _set_entry(cursor, i, **{k: v for k, v in b.items() if k != "index"})
        _set_entry(cursor, j, **{k: v for k, v in a.items() if k != "index"})
    text = _verify_fails(cli)
    assert f"entry #{i} holds the content of entry #{j} (entries swapped, moved or inserted)" in text
    assert f"entry #{j} holds the content of entry #{i} (entries swapped, moved or inserted)" in text


# --- a tail removed after a checkpoint --------------------------------------------------------------


def _cut_tail(keep: int, *, drop_checkpoints: bool) -> None:
    """Remove entries from ``keep`` on and make the tree head agree, as a careful insider would."""
    leaves = [
        bytes(h)
        for h in Entry.objects.filter(index__lt=keep).order_by("index").values_list("leaf_hash", flat=True)
    ]
    compact = merkle.CompactRange.from_leaves(leaves)
    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM ledger_entry WHERE "index" >= %s', [keep])
        if drop_checkpoints:
            cursor.execute("DELETE FROM ledger_checkpoint")
        cursor.execute(
            "UPDATE ledger_treehead SET size = %s, root = %s, frontier = %s, last_leaf_hash = %s "
            "WHERE id = 1",
            [keep, compact.root(), compact.to_bytes(), leaves[-1]],
        )


def test_tail_removed_after_a_stored_checkpoint(town: Town, cli: Any) -> None:
    do_checkpoint()
    keep = town.size - 2  # the last two reads are made to disappear
    _cut_tail(keep, drop_checkpoints=False)
    text = _verify_fails(cli)
    assert (
        f"stored checkpoint 1 (size {town.size}): signed a tree of {town.size} entries but the ledger "
        f"now has only {keep} (entries from #{keep} on were removed)"
    ) in re.sub(r"checkpoint \d+ ", "checkpoint 1 ", text)


def test_tail_removed_with_the_stored_checkpoints_is_caught_by_a_checkpoint_file(
    town: Town, cli: Any, tmp_path: Path
) -> None:
    held = tmp_path / "held-by-the-reviewer.txt"
    assert cli("ledger", "checkpoint", "--out", str(held)).code == 0
    keep = town.size - 2
    _cut_tail(keep, drop_checkpoints=True)
    # The database alone now looks consistent: this is why checkpoints are also kept elsewhere.
    assert cli("ledger", "verify").code == 0
    text = _verify_fails(cli, "--checkpoint", str(held))
    assert (
        f"checkpoint file 1: signed a tree of {town.size} entries but the ledger now has only {keep} "
        f"(entries from #{keep} on were removed)"
    ) in text


def test_tail_removed_without_touching_the_tree_head(town: Town, cli: Any) -> None:
    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM ledger_entry WHERE "index" >= %s', [town.size - 1])
    text = _verify_fails(cli)
    assert f"the tree head records {town.size} entries but the last is #{town.size - 2}" in text


def test_a_forged_checkpoint_file_is_named(town: Town, cli: Any, tmp_path: Path) -> None:
    held = tmp_path / "cp.txt"
    cli("ledger", "checkpoint", "--out", str(held))
    text = held.read_text(encoding="utf-8")
    held.write_text(text.replace(f"\n{town.size}\n", f"\n{town.size + 5}\n"), encoding="utf-8")
    assert "checkpoint file 1: signature or format is invalid" in _verify_fails(
        cli, "--checkpoint", str(held)
    )


# --- current-state rows ------------------------------------------------------------------------------


def test_current_state_row_edited_directly(town: Town, cli: Any) -> None:
    amy = town.people[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET given_name = %s WHERE id = %s", ["Amelia", amy.id])
    text = _verify_fails(cli)
    k = town.entry_of(amy)
    assert (
        f"people.person {amy.id}: field given_name is 'Amelia' in the table but 'Amy' in ledger entry #{k}"
        in text
    )
    assert "entry #" not in text.replace(f"ledger entry #{k}", "")  # the ledger itself is intact


@pytest.mark.usefixtures("town")
def test_current_state_row_inserted_directly(cli: Any) -> None:
    insert_row_directly(Person(id="P-FORGED00001", version=1, given_name="Nobody"))
    text = _verify_fails(cli)
    assert "people.person P-FORGED00001: row has no history in the ledger (inserted directly)" in text


def test_current_state_row_deleted_directly(town: Town, cli: Any) -> None:
    ben = town.people[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_person WHERE id = %s", [ben.id])
    text = _verify_fails(cli)
    k = town.entry_of(ben, version=2)
    assert f"people.person {ben.id}: row is missing from the table (ledger entry #{k})" in text


@pytest.mark.usefixtures("town")
def test_agency_row_edited_directly(cli: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE access_agency SET active = %s WHERE id = 'police'", [False])
    assert "access.agency police: field active is False in the table but True" in _verify_fails(cli)


def test_rebuild_repairs_edited_inserted_and_deleted_rows(town: Town, cli: Any) -> None:
    amy, ben = town.people[0], town.people[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_person SET given_name = %s, version = 7 WHERE id = %s", ["Amelia", amy.id]
        )
        cursor.execute("DELETE FROM people_person WHERE id = %s", [ben.id])
        cursor.execute("UPDATE access_agency SET name = %s WHERE id = 'police'", ["Nobody"])
    insert_row_directly(Person(id="P-FORGED00002", version=1, given_name="Nobody"))
    _verify_fails(cli)

    result = cli("ledger", "rebuild")
    assert result.code == 0, result.err
    assert "people.person: 4 rows" in result.text

    assert cli("ledger", "verify").code == 0
    assert Person.objects.get(pk=amy.pk).given_name == "Amy" and Person.objects.get(pk=amy.pk).version == 1
    restored = Person.objects.get(pk=ben.pk)
    assert (restored.address, restored.version) == ("2 Mill Lane", 2)
    assert not Person.objects.filter(pk="P-FORGED00002").exists()
    assert Agency.objects.get(pk="police").name == "Police"


def test_rebuild_refuses_to_copy_a_damaged_ledger(town: Town, cli: Any) -> None:
    k = town.entry_of(town.people[0])
    raw = bytes(_row(k)["canonical"])
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=raw.replace(b'"Amy"', b'"Eve"'))
    result = cli("ledger", "rebuild")
    assert result.code == 1
    assert f"entry #{k} was altered" in result.err
    assert Person.objects.get(pk=town.people[0].pk).given_name == "Amy"
