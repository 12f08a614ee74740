"""Incremental verification from the last verified run: new entries, the chain link to the last
verified one, the new root against the tree head, checkpoints and a consistency proof, and the rows
the new entries wrote; tampering with any of them is caught without re-reading old entries."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from sightline.access.services import ensure_standard_agencies
from sightline.ledger import jobs, merkle
from sightline.ledger.models import Checkpoint, Entry, VerificationRun
from sightline.ledger.runs import latest_run, run_verification
from sightline.ledger.services import Actor, do_checkpoint, do_create, do_update, integrate, record_action
from sightline.people.models import Person
from tests.append_only import triggers_bypassed
from tests.ledger.test_ledger_tamper import _leaf, _row, _set_entry

pytestmark = pytest.mark.django_db

NURSE = Actor(user="nina.nurse", agency="health", role="practitioner")


def _people(n: int, start: int = 0) -> list[Person]:
    return [
        do_create(Person(given_name=f"Inc{start + i}", family_name="Walker", kind="child"), actor=NURSE)
        for i in range(n)
    ]


@pytest.fixture
def verified() -> int:
    """A ledger with a passing full run; returns its size."""
    ensure_standard_agencies()
    _people(3)
    run, report = run_verification()
    assert run.kind == "full" and run.ok, report.problems
    return run.size


def test_an_incremental_run_reads_only_the_new_entries(verified: int) -> None:
    people = _people(4, 10)
    do_update(people[0], actor=NURSE, reason="address")
    for p in people:
        record_action(NURSE, "read", "people.person", p.id)
    size = integrate()
    do_checkpoint()
    run, report = run_verification()
    assert run.kind == "incremental" and run.ok, report.problems
    assert (run.from_size, run.size) == (verified, size)
    assert run.entries_checked == size - verified
    assert run.checkpoints_checked == 1 and run.rows_checked == 4
    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert bytes(run.root) == merkle.root(leaves)
    again, _ = run_verification()  # nothing new: still intact, nothing read
    assert again.ok and again.entries_checked == 0 and again.size == size


def test_tampering_with_a_new_entry_is_caught(verified: int) -> None:
    _people(3, 20)
    integrate()
    k = verified + 1
    raw = bytes(_row(k)["canonical"])
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=raw.replace(b"Inc21", b"Inc99"))
    run, report = run_verification()
    assert run.kind == "incremental" and not run.ok
    assert f"entry #{k} was altered: its bytes do not match its recorded leaf hash" in report.problems
    assert run.problem_kinds["altered"] == 1


def test_a_new_entry_rewritten_with_its_leaf_hash_breaks_the_chain_and_root(verified: int) -> None:
    _people(3, 30)
    size = integrate()
    k = verified
    edited = bytes(_row(k)["canonical"]).replace(b"Inc30", b"Inc39")
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=edited, leaf_hash=_leaf(edited))
    _run, report = run_verification()
    assert f"entry #{k + 1} does not follow entry #{k}: the hash chain is broken" in " ".join(report.problems)
    assert any(p.startswith(f"tree head says {size} entries") for p in report.problems)
    assert any("field given_name is 'Inc30' in the table but 'Inc39'" in p for p in report.problems)


def test_the_last_verified_entry_rewritten_is_caught(verified: int) -> None:
    _people(1, 40)
    integrate()
    k = verified - 1
    edited = bytes(_row(k)["canonical"]).replace(b"Walker", b"Walken")
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=edited, leaf_hash=_leaf(edited))
    _run, report = run_verification()
    # The new entries still chain from its old leaf hash: only this check sees the rewrite.
    assert report.problems == [f"entry #{k}, the last one verified, was altered since"]


def test_a_deleted_new_entry_and_a_forged_checkpoint_are_caught(verified: int) -> None:
    _people(4, 50)
    size = integrate()
    forged = Checkpoint.objects.create(size=size, root=b"\x01" * 32, note="not a signed note\n")
    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM ledger_entry WHERE "index" = %s', [verified + 2])
    _run, report = run_verification()
    text = " ".join(report.problems)
    assert f"entry #{verified + 2} is missing (deleted)" in text
    assert f"stored checkpoint {forged.id} (size {size}): signature or format is invalid" in text


def test_a_checkpoint_whose_root_is_not_the_ledgers_is_caught(verified: int) -> None:
    _people(2, 60)
    integrate()
    cp = do_checkpoint()
    k = verified
    edited = bytes(_row(k)["canonical"]).replace(b"Inc60", b"Inc69")
    with triggers_bypassed() as cursor:
        _set_entry(cursor, k, canonical=edited, leaf_hash=_leaf(edited))
    _run, report = run_verification()
    assert (
        f"stored checkpoint {cp.id} (size {cp.size}): the ledger's first {cp.size} entries do not hash to it"
        in (report.problems)
    )


@pytest.mark.usefixtures("verified")
def test_a_forged_stored_state_is_refused_and_the_consistency_proof_holds() -> None:
    base = VerificationRun.objects.get(ok=True)
    VerificationRun.objects.filter(pk=base.pk).update(root=b"\x02" * 32)
    _people(1, 70)
    _run, report = run_verification()
    assert report.problems == ["the stored state of the last verification does not give its root"]
    VerificationRun.objects.filter(pk=base.pk).update(root=base.root)
    old = merkle.CompactRange.from_bytes(bytes(base.frontier))
    new = [
        bytes(h)
        for h in Entry.objects.filter(index__gte=base.size)
        .order_by("index")
        .values_list("leaf_hash", flat=True)
    ]
    proof = merkle.consistency_proof_extending(old, new)
    assert merkle.is_valid_consistency(
        base.size,
        base.size + len(new),
        proof,
        bytes(base.root),
        merkle.root(
            [
                *[
                    bytes(h)
                    for h in Entry.objects.filter(index__lt=base.size)
                    .order_by("index")
                    .values_list("leaf_hash", flat=True)
                ],
                *new,
            ]
        ),
    )


@pytest.mark.usefixtures("verified")
def test_a_failure_stays_until_a_full_run_passes() -> None:
    people = _people(2, 80)
    integrate()
    with triggers_bypassed() as cursor:  # a current-state row edited straight in the table
        cursor.execute("UPDATE people_person SET given_name = 'Quiet' WHERE id = %s", [people[0].id])
    failed, _report = run_verification()
    assert not failed.ok and failed.problem_kinds == {"state": 1}
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE people_person SET given_name = 'Inc80' WHERE id = %s", [people[0].id])
    _people(1, 90)
    still, report = run_verification()
    assert still.kind == "incremental" and report.ok and not still.ok and still.problem_kinds == {"state": 1}
    cleared, _report = run_verification(full=True)
    assert cleared.ok and latest_run() == cleared


def test_the_cli_runs_an_incremental_check(verified: int, cli: Any) -> None:
    _people(2, 100)
    size = integrate()
    result = cli("ledger", "verify", "--incremental")
    assert result.code == 0, result.text
    assert f"ledger intact: {size} entries" in result.text
    assert f"(incremental check of {size - verified} entries, from entry #{verified})" in result.text
    assert cli("ledger", "verify", "--incremental", "--checkpoint", "x").code == 2


@pytest.mark.usefixtures("verified")
def test_one_process_does_each_round_of_the_scheduled_jobs() -> None:
    _people(2, 110)
    size = integrate()
    others: list[bool] = []
    with jobs.jobs_lock() as mine:
        assert mine
        thread = threading.Thread(target=lambda: others.append(jobs.run_jobs(dt.timedelta(0))))
        thread.start()
        thread.join()
    assert others == [False]
    assert jobs.run_jobs(dt.timedelta(0))
    assert Checkpoint.objects.order_by("-id").first().size == size  # type: ignore[union-attr]
    last = latest_run()
    assert last is not None and last.kind == "incremental" and last.size == size and last.ok
    assert jobs.run_jobs(dt.timedelta(hours=1))
    assert latest_run() == last  # not due yet: no new run


@pytest.mark.django_db
def test_a_stopping_server_abandons_a_full_verification_and_records_no_run() -> None:
    _people(3)
    integrate()
    stopping = threading.Event()
    stopping.set()
    with pytest.raises(jobs.Stopped):
        jobs.run_jobs(dt.timedelta(0), stopping)
    assert latest_run() is None
    assert jobs.run_jobs(dt.timedelta(0), threading.Event())
    run = latest_run()
    assert run is not None and run.kind == "full" and run.ok
