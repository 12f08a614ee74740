"""Many writers at once (threads, and on PostgreSQL separate processes): no gaps, no duplicates,
nothing lost, and ``verify`` clean. Transactions really commit here."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, connection

from sightline.access.services import ensure_standard_agencies
from sightline.ledger.canonical import canonical_bytes
from sightline.ledger.models import Checkpoint, Entry, PendingEntry
from sightline.ledger.selectors import rows, verification, verify
from sightline.ledger.services import (
    Actor,
    Integrator,
    do_checkpoint,
    do_create,
    entry_body,
    integrate,
    record_action,
    sequencer,
    start_checkpointer,
    start_integrator,
)
from sightline.people import search_index
from sightline.people.models import NameKey, Person, SearchPosting
from tests.append_only import triggers_bypassed
from tests.processes import wait_for

THREADS = 8
EACH = 12  # each iteration is a do_create and a record_action: two entries

WRITER = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "sightline.config.settings"
    if os.environ.get("TEST_SQLITE_FILE"):  # the test database, not SIGHTLINE_HOME's
        import sightline.config.settings as conf
        conf.DATABASES["default"]["NAME"] = os.environ["TEST_SQLITE_FILE"]
    import django
    django.setup()
    from sightline.ledger.services import Actor, do_create, record_action
    from sightline.people.models import Person
    tag, each = sys.argv[1], int(sys.argv[2])
    actor = Actor(user=f"proc-{tag}", agency="police", role="practitioner")
    for i in range(each):
        person = do_create(Person(given_name=f"{tag}-{i}", family_name="Process"), actor=actor)
        record_action(actor, "read", "people.person", person.id, data={"i": i})
    """
)


def _thread_writer(tag: str, each: int, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        barrier.wait(timeout=60)
        actor = Actor(user=f"thread-{tag}", agency="social_care", role="practitioner")
        for i in range(each):
            person = do_create(Person(given_name=f"{tag}-{i}", family_name="Thread"), actor=actor)
            record_action(actor, "read", "people.person", person.id, data={"i": i})
    except BaseException as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connection.close()


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = str(db["USER"]) + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _assert_gapless_and_complete(before: int, writes: int) -> None:
    size = integrate()
    assert size == before + writes
    assert list(Entry.objects.order_by("index").values_list("index", flat=True)) == list(range(size))
    assert not PendingEntry.objects.exists()
    # Every write appears exactly once: a create and a read per person, none doubled.
    created = Counter(
        Entry.objects.filter(index__gte=before, action="create").values_list("object_id", flat=True)
    )
    read = Counter(Entry.objects.filter(index__gte=before, action="read").values_list("object_id", flat=True))
    assert created == read and set(created.values()) == {1}
    assert len(created) == Person.objects.count() == writes // 2
    report = verify()
    assert report.ok, report.problems
    assert report.entries_checked == size


@pytest.mark.usefixtures("committed")
def test_concurrent_threads_append_without_gaps_or_losses() -> None:
    ensure_standard_agencies()
    before = integrate()
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_thread_writer, args=(f"t{n}", EACH, barrier, errors)) for n in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    _assert_gapless_and_complete(before, THREADS * EACH * 2)


@pytest.mark.usefixtures("committed")
def test_concurrent_processes_and_threads_append_without_gaps_or_losses(tmp_path: Path) -> None:
    ensure_standard_agencies()
    before = integrate()
    env = dict(os.environ, SIGHTLINE_HOME=str(tmp_path / "home"))
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url()
    else:
        env.pop("DATABASE_URL", None)
        env["TEST_SQLITE_FILE"] = str(settings.DATABASES["default"]["NAME"])
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, f"p{n}", str(EACH)], env=env, stderr=subprocess.PIPE)
        for n in range(4)
    ]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)
    threads = [
        threading.Thread(target=_thread_writer, args=(f"t{n}", EACH, barrier, errors)) for n in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    for p in procs:
        _out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
    assert not errors, errors
    _assert_gapless_and_complete(before, 8 * EACH * 2)


@pytest.mark.usefixtures("committed")
def test_committed_writes_are_sequenced_without_an_explicit_integrate() -> None:
    person = do_create(
        Person(given_name="Now", family_name="Sequenced"), actor=Actor("a", "police", "analyst")
    )
    entry = Entry.objects.get(object_id=person.id)
    assert entry.version == 1
    assert not PendingEntry.objects.exists()


@pytest.mark.usefixtures("committed")
def test_a_writer_sequences_what_was_left_queued_before_its_own_entry() -> None:
    # A queued entry whose writer died before integrating; the next writer takes it first.
    actor = Actor("a", "police", "analyst")
    before = integrate()
    left = entry_body(actor, "read", "people.person", "P-LEFT", None, None, "")
    PendingEntry.objects.create(body=canonical_bytes(left).decode())
    person = do_create(Person(given_name="Next", family_name="Writer"), actor=actor)
    assert not PendingEntry.objects.exists()
    objects = list(
        Entry.objects.filter(index__gte=before).order_by("index").values_list("object_id", flat=True)
    )
    assert objects == ["P-LEFT", person.id]
    assert verify().ok


@pytest.mark.usefixtures("committed")
def test_a_writer_does_not_wait_for_a_busy_integrator() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite each writer sequences its own entries inside its transaction")
    holding = threading.Event()
    release = threading.Event()

    def hold_the_integrator_lock() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [sequencer.LOCK_KEY])
            holding.set()
            release.wait(60)
            cur.execute("SELECT pg_advisory_unlock(%s)", [sequencer.LOCK_KEY])
        connection.close()

    holder = threading.Thread(target=hold_the_integrator_lock)
    holder.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        person = do_create(
            Person(given_name="Queued", family_name="Writer"), actor=Actor("a", "police", "analyst")
        )
        assert time.monotonic() - started < 20  # returned, although the integrator lock is held
        assert PendingEntry.objects.count() == 1  # committed and durable, waiting to be sequenced
        assert not Entry.objects.filter(object_id=person.id).exists()
    finally:
        release.set()
        holder.join(60)
    integrate()
    assert Entry.objects.filter(object_id=person.id).count() == 1
    assert not PendingEntry.objects.exists()
    assert verify().ok


@pytest.mark.usefixtures("committed")
def test_the_periodic_checkpointer_signs_growth_and_stops() -> None:
    ensure_standard_agencies()
    thread = start_checkpointer(0.05)
    try:
        assert wait_for(lambda: Checkpoint.objects.exists())
        first = Checkpoint.objects.get()
        assert first.size == integrate()
        time.sleep(0.3)  # several intervals with no growth: no new checkpoint
        assert Checkpoint.objects.count() == 1
        record_action(Actor("a", "police", "analyst"), "export", "report", "R-1")
        assert wait_for(lambda: Checkpoint.objects.count() == 2)
        assert Checkpoint.objects.order_by("-id").first().size == first.size + 1  # type: ignore[union-attr]
    finally:
        thread.stop()
    assert not thread.is_alive()
    files = sorted(Path(settings.LEDGER_CHECKPOINT_DIR).glob("checkpoint-*.txt"))
    assert len(files) == 2
    assert verify().ok


@pytest.mark.usefixtures("committed")
def test_the_background_integrator_sequences_what_writers_only_queue() -> None:
    ensure_standard_agencies()
    before = integrate()
    thread = start_integrator()
    if connection.vendor != "postgresql":
        # SQLite has one writer at a time, which sequences inside its own transaction: no thread.
        assert thread is None
        person = do_create(Person(given_name="Own", family_name="Txn"), actor=Actor("a", "police", "analyst"))
        assert Entry.objects.filter(object_id=person.id).exists() and not PendingEntry.objects.exists()
        return
    assert thread is not None
    try:
        # One entry, then many at once: each is sequenced by the thread, never by its writer.
        person = do_create(
            Person(given_name="Queued", family_name="Only"), actor=Actor("a", "police", "analyst")
        )
        assert wait_for(lambda: Entry.objects.filter(object_id=person.id).exists(), 10)
        errors: list[BaseException] = []
        barrier = threading.Barrier(THREADS)
        writers = [
            threading.Thread(target=_thread_writer, args=(f"b{n}", EACH, barrier, errors))
            for n in range(THREADS)
        ]
        for t in writers:
            t.start()
        for t in writers:
            t.join(timeout=600)
        assert not errors, errors
        total = before + 1 + THREADS * EACH * 2
        assert wait_for(lambda: Entry.objects.count() == total, 30)
        assert not PendingEntry.objects.exists()
    finally:
        thread.stop()
    assert not thread.is_alive()
    assert list(Entry.objects.order_by("index").values_list("index", flat=True)) == list(range(total))
    assert verify().ok


@pytest.mark.usefixtures("committed")
def test_stopping_the_background_integrator_loses_nothing() -> None:
    before = integrate()
    sequencer.background_sequencing.set()  # writers only queue, but no thread is sequencing yet
    try:
        people = [
            do_create(
                Person(given_name=f"Held{i}", family_name="Back"), actor=Actor("a", "police", "analyst")
            )
            for i in range(5)
        ]
        if connection.vendor == "postgresql":
            assert PendingEntry.objects.count() == 5  # committed, durable, waiting
            assert Entry.objects.count() == before
        else:  # SQLite writers always sequence in their own transaction
            assert Entry.objects.count() == before + 5
        thread = Integrator()
        thread.start()
        thread.stop()  # whatever its loop did not reach, stop() sequences
    finally:
        sequencer.background_sequencing.clear()
    assert not PendingEntry.objects.exists()
    assert set(Entry.objects.filter(index__gte=before).values_list("object_id", flat=True)) == {
        p.id for p in people
    }
    # Writers integrate for themselves again once no integrator runs.
    person = do_create(Person(given_name="After", family_name="Stop"), actor=Actor("a", "police", "analyst"))
    assert Entry.objects.filter(object_id=person.id).exists()
    assert verify().ok


@pytest.fixture
def small_subtrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parallel verification, scaled down: entries fetched 3 at a time, workers from 8 entries."""
    monkeypatch.setattr(rows, "CHUNK", 3)
    monkeypatch.setattr(verification, "PARALLEL_FROM", 8)


@pytest.mark.usefixtures("committed", "small_subtrees")
def test_parallel_verification_agrees_and_names_what_is_wrong(cli: Any) -> None:
    actor = Actor("a", "police", "analyst")
    people = []
    for i in range(29):
        if i % 3 == 0:
            people.append(do_create(Person(given_name=f"Par{i}", family_name="Allel"), actor=actor))
        else:
            record_action(actor, "read", "people.person", f"P-{i}")
        if i in (5, 12, 20):
            do_checkpoint()
    size = integrate()
    assert verification._ranges(3) == [(0, 10), (10, 20), (20, size)]
    one, three = verify(workers=1), verify(workers=3)
    assert one.ok and three.ok, three.problems
    assert (three.size, three.root, three.entries_checked, three.rows_checked) == (
        one.size,
        one.root,
        one.entries_checked,
        one.rows_checked,
    )
    assert three.checkpoints_checked == 3

    # Entry #19 ends the second worker's range: its rewrite shows up where the ranges join.
    raw = bytes(Entry.objects.get(index=19).canonical).replace(b'"reason":""', b'"reason":"edited"')
    leaf = hashlib.sha256(b"\x00" + raw).digest()
    with triggers_bypassed() as cursor:
        cursor.execute(
            'UPDATE ledger_entry SET canonical = %s, leaf_hash = %s WHERE "index" = 19', [raw, leaf]
        )
        cursor.execute("UPDATE ledger_entry SET actor_user = 'x' WHERE \"index\" = 17")
    result = cli("ledger", "verify", "--workers", "3")
    assert result.code == 1
    assert "entry #20 does not follow entry #19: the hash chain is broken" in result.text
    assert "entry #19: its reason column says '' but the hashed entry says 'edited'" in result.text
    assert "entry #17: its actor_user column says 'x'" in result.text
    assert "no longer hash to the signed root" in result.text  # the checkpoint at 21 entries and more
    parallel = [p for p in result.text.splitlines() if p.startswith("PROBLEM")]
    single = [
        p for p in cli("ledger", "verify", "--workers", "1").text.splitlines() if p.startswith("PROBLEM")
    ]
    assert sorted(parallel) == sorted(single)  # the same findings, perhaps in another order


@pytest.mark.usefixtures("committed")
def test_a_lone_create_queued_for_the_background_is_one_statement_with_its_search_index() -> None:
    """As `serve` runs (background sequencing), a create in its own transaction writes the row, its
    queued entry and the person search index in one statement: all of them, or on failure none."""
    actor = Actor("a", "police", "analyst")
    sequencer.background_sequencing.set()
    try:
        zora = Person(given_name="Zora", family_name="Quillfeather", date_of_birth="2012-03-04")
        zora.postcode = "S60 1AA"
        do_create(zora, actor=actor)
        queued = PendingEntry.objects.count()
        if connection.vendor == "postgresql":
            assert queued == 1
        postings = set(SearchPosting.objects.filter(owner_id=zora.id).values_list("person_id", "term"))
        assert postings == {(zora.id, t) for t in ("zora", "quillfeather", "#y2012", "#pS60")}
        assert search_index.candidate_tokens("quilfeather") >= {"quillfeather"}  # by its keys
        assert NameKey.objects.filter(token="zora").exists()
        assert {pid for pid, _t in search_index.people_with(["zora"])} == {zora.id}
        with pytest.raises(IntegrityError):  # Django's error, as from any other write
            do_create(Person(id=zora.id, given_name="Yuri", family_name="Other"), actor=actor)
        assert PendingEntry.objects.count() == queued
        assert not SearchPosting.objects.filter(term="yuri").exists()
        assert not NameKey.objects.filter(token="yuri").exists()
    finally:
        sequencer.background_sequencing.clear()
    integrate()
    assert verify().ok
