"""Stored subtree hashes: written with the entries, proofs made from them equal proofs made from
every leaf, and verification finds a stored hash that is wrong, missing or forged."""

from __future__ import annotations

import base64
import hashlib
import importlib
import random
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.ledger import merkle
from sightline.ledger.models import SUBTREE_MIN_LEVEL, Entry, Subtree
from sightline.ledger.selectors import consistency_proof, inclusion_proof, verify
from sightline.ledger.selectors.incremental import Verified, verify_since
from sightline.ledger.services import SYSTEM, do_bulk_create, integrate, record_action
from sightline.ledger.services.subtrees import compute_subtrees
from sightline.people.models import Person
from tests.append_only import triggers_bypassed

# --- the Merkle code alone, with small subtrees so that small trees have many ----------------------


def _leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]


def _all_subtrees(leaves: list[bytes], min_level: int) -> dict[tuple[int, int], bytes]:
    out = {}
    level = min_level
    while (1 << level) <= len(leaves):
        for number in range(len(leaves) >> level):
            out[(level, number)] = merkle.root(leaves[number << level : (number + 1) << level])
        level += 1
    return out


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 700),
    min_level=st.integers(0, 7),
    cuts=st.lists(st.integers(0, 700), max_size=6),
    split=st.integers(0, 700),
)
def test_a_compact_range_keeps_every_subtree_it_completes(
    n: int, min_level: int, cuts: list[int], split: int
) -> None:
    leaves = _leaves(n)
    # Appended in uneven batches, as the sequencer does.
    tree = merkle.CompactRange()
    kept = tree.record(min_level)
    start = 0
    for cut in [*sorted({c for c in cuts if c < n}), n]:
        tree.extend(leaves[start:cut])
        start = cut
    want = _all_subtrees(leaves, min_level)
    assert {(lv, nb): h for lv, nb, h in kept} == want and len(kept) == len(want)
    assert tree.root() == merkle.root(leaves)
    # In two parts joined, as parallel verification does: nothing kept twice, nothing lost.
    split = min(split, n)
    left, right = merkle.CompactRange(), merkle.CompactRange(split, (), split)
    in_left, in_right = left.record(min_level), right.record(min_level)
    left.extend(leaves[:split])
    right.extend(leaves[split:])
    whole = merkle.CompactRange()
    joined = whole.record(min_level)
    whole.join(left)
    whole.join(right)
    assert whole.root() == merkle.root(leaves)
    got = in_left + in_right + joined
    assert sorted(got) == sorted((lv, nb, h) for (lv, nb), h in want.items())


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=st.integers(1, 600), min_level=st.integers(0, 6))
def test_proofs_from_subtrees_equal_proofs_from_every_leaf(data: Any, n: int, min_level: int) -> None:
    leaves = _leaves(n)
    stored = _all_subtrees(leaves, min_level)

    def node(level: int, number: int) -> bytes:
        if (level, number) in stored:
            return stored[(level, number)]
        return merkle.root(leaves[number << level : (number + 1) << level])

    size = data.draw(st.integers(1, n))
    index = data.draw(st.integers(0, size - 1))
    proof = [merkle.range_root(lo, hi, node) for lo, hi in merkle.inclusion_ranges(index, size)]
    assert proof == merkle.inclusion_proof(leaves, index, size)
    assert merkle.range_root(0, size, node) == merkle.root(leaves[:size])
    size1 = data.draw(st.integers(1, size))
    proof = [merkle.range_root(lo, hi, node) for lo, hi in merkle.consistency_ranges(size1, size)]
    assert proof == merkle.consistency_proof(leaves, size1, size)


def test_range_root_refuses_a_range_that_is_no_node() -> None:
    with pytest.raises(ValueError, match="not a node"):
        merkle.range_root(1, 4, lambda _level, _number: b"\0" * 32)


# --- in the database ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db

# Singles (the sequencer), a bulk import (the bulk path) across subtree edges, then singles again.
SINGLES, BULK = 150, 1_100


@pytest.fixture
def ledger() -> list[bytes]:
    for i in range(SINGLES):
        record_action(SYSTEM, "read", "people.person", f"P-{i}")
    people = [Person(given_name=f"Sub{i}", family_name="Tree") for i in range(BULK)]
    do_bulk_create(people, actor=SYSTEM)
    for i in range(SINGLES):
        record_action(SYSTEM, "read", "people.person", f"Q-{i}")
    integrate()
    return [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]


def _b(items: list[str]) -> list[bytes]:
    return [base64.b64decode(p) for p in items]


def test_the_writers_store_every_complete_subtree(ledger: list[bytes]) -> None:
    stored = {(s.level, s.number): bytes(s.hash) for s in Subtree.objects.all()}
    assert stored == _all_subtrees(ledger, SUBTREE_MIN_LEVEL)
    assert len(ledger) == 1_400 and len(stored) == 5 + 2 + 1  # five of 256 leaves, two of 512, one of 1,024
    assert [r for _n, batch in compute_subtrees() for r in batch] == sorted(
        ((lv, nb, h) for (lv, nb), h in stored.items()), key=lambda r: ((r[1] + 1) << r[0], r[0])
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_proofs_from_the_database_equal_proofs_from_every_leaf(ledger: list[bytes], data: Any) -> None:
    n = len(ledger)
    size = data.draw(st.one_of(st.integers(1, n), st.sampled_from([n, 256, 257, 512, 1024, 1025])))
    index = data.draw(st.integers(0, size - 1))
    got = inclusion_proof(index, size)
    assert _b(got["proof"]) == merkle.inclusion_proof(ledger, index, size)
    assert base64.b64decode(got["root"]) == merkle.root(ledger[:size])
    assert base64.b64decode(got["leafHash"]) == ledger[index]
    size1 = data.draw(st.integers(1, size))
    got = consistency_proof(size1, size)
    assert _b(got["proof"]) == merkle.consistency_proof(ledger, size1, size)
    assert base64.b64decode(got["root1"]) == merkle.root(ledger[:size1])


def _tamper(sql: str, params: list[Any]) -> None:
    with triggers_bypassed() as cursor:
        cursor.execute(sql, params)


@pytest.mark.usefixtures("ledger")
def test_the_subtree_table_is_append_only() -> None:
    statements = ["UPDATE ledger_subtree SET hash = hash", "DELETE FROM ledger_subtree"]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE ledger_subtree")
    for sql in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


@pytest.mark.usefixtures("ledger")
def test_verify_finds_a_stored_subtree_altered(cli: Any) -> None:
    assert verify().ok
    _tamper("UPDATE ledger_subtree SET hash = %s WHERE level = 9 AND number = 0", [b"\x07" * 32])
    report = verify()
    assert any("entries #0 to #511 does not match them" in p for p in report.problems), report.problems
    # A proof that would use it is refused rather than handed out wrong.
    assert cli("ledger", "prove", "--index", "3").code == 0  # its proof does not use that subtree
    result = cli("ledger", "prove", "--index", "600")
    assert result.code == 2 and "stored subtree hashes" in result.err
    result = cli("ledger", "subtrees", "--rebuild")
    assert result.code == 1 and b"1 stored subtree hashes do not match" in result.out


def test_a_missing_subtree_is_found_proofs_still_work_and_rebuild_restores_it(
    ledger: list[bytes], cli: Any
) -> None:
    _tamper("DELETE FROM ledger_subtree WHERE level = 8 AND number = 1", [])
    _tamper("INSERT INTO ledger_subtree (level, number, hash) VALUES (8, 99, %s)", [b"\x01" * 32])
    problems = verify().problems
    assert any("entries #256 to #511 is missing" in p for p in problems), problems
    assert any("beyond the ledger" in p for p in problems), problems
    rng = random.Random(5)
    for index in rng.sample(range(len(ledger)), 20):
        got = inclusion_proof(index)
        assert _b(got["proof"]) == merkle.inclusion_proof(ledger, index, len(ledger))
    result = cli("ledger", "subtrees", "--rebuild")
    assert result.code == 0 and b"1 subtree hashes stored" in result.out, result
    assert Subtree.objects.filter(level=8, number=1).exists()


def test_incremental_verification_checks_the_subtrees_added(ledger: list[bytes]) -> None:
    n = len(ledger)
    base_size = 300
    tree = merkle.CompactRange.from_leaves(ledger[:base_size])
    base = Verified(base_size, tree.root(), tree.to_bytes(), ledger[base_size - 1], 0)
    assert verify_since(base, check_state=False).ok
    _tamper("UPDATE ledger_subtree SET hash = %s WHERE level = 10 AND number = 0", [b"\x02" * 32])
    problems = verify_since(base, check_state=False).problems
    assert any("entries #0 to #1023 does not match" in p for p in problems), problems
    # Subtrees completed before the verified size are the full verification's.
    late = merkle.CompactRange.from_leaves(ledger[:1100])
    assert verify_since(Verified(1100, late.root(), late.to_bytes(), ledger[1099], 0), check_state=False).ok
    assert n > 1100


def test_the_migration_fills_the_table_from_a_ledger_made_before_it(ledger: list[bytes]) -> None:
    migration = importlib.import_module("sightline.ledger.migrations.0005_subtree")
    _tamper("DELETE FROM ledger_subtree", [])
    assert not Subtree.objects.exists()
    migration.fill(None, SimpleNamespace(connection=connection))
    stored = {(s.level, s.number): bytes(s.hash) for s in Subtree.objects.all()}
    assert stored == _all_subtrees(ledger, SUBTREE_MIN_LEVEL)
    assert verify().ok
