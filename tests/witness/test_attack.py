"""A hostile operator against three partners' witnesses, on the real ledger (SQLite and PostgreSQL).

The operator holds the database and the log's signing key. It rewrites the ledger's history and
re-signs it, and it shows different histories to different partners. Its own ``ledger verify``
cannot tell; the witnesses refuse, and verifiers who require a quorum of cosignatures catch it.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from sightline.cli import main
from sightline.ledger import merkle, note
from sightline.ledger.models import Entry, TreeHead
from sightline.ledger.selectors import consistency_proof, verify
from sightline.ledger.services import Actor, do_checkpoint, public_key, record_action
from sightline.witness import protocol
from sightline.witness.audit import fetch_latest, find_forks
from sightline.witness.client import WitnessEndpoint, json_proofs, post, tree_proofs, witness_checkpoint

from .conftest import Process, Running

pytestmark = pytest.mark.django_db

OFFICER = Actor(user="ola.officer", agency="police", role="practitioner")
TRIGGERS = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")
TABLES = [*TRIGGERS.TABLES, *importlib.import_module("sightline.ledger.migrations.0005_subtree").TABLES]
PROOFS = json_proofs(consistency_proof)  # from the database, through the ledger's public selector


def _record(n: int, tag: str) -> str:
    """``n`` real ledger entries, then a checkpoint signed with the log's key."""
    for i in range(n):
        record_action(OFFICER, "read", "people.person", f"P-{tag}-{i}", data={"basis": tag})
    return do_checkpoint().note


def _leaves() -> list[bytes]:
    return [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]


@contextmanager
def _triggers_off() -> Iterator[Any]:
    """Step around the append-only triggers, as the operator of the database can."""
    with connection.cursor() as cur:
        for table in TABLES:
            if connection.vendor == "sqlite":
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            else:
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield cur
        finally:
            for table in TABLES:
                if connection.vendor == "sqlite":
                    for sql in TRIGGERS._sqlite(table):
                        cur.execute(sql)
                else:
                    cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _rewrite_from(index: int, n: int, tag: str) -> str:
    """The operator's rewrite: entries from ``index`` on replaced by ``n`` others, the tree head and
    chain made consistent again, old checkpoints destroyed, and a fresh checkpoint signed."""
    kept = _leaves()[:index]
    with _triggers_off() as cur:
        cur.execute('DELETE FROM ledger_entry WHERE "index" >= %s', [index])
        cur.execute("DELETE FROM ledger_checkpoint")
    compact = merkle.CompactRange.from_leaves(kept)
    TreeHead.objects.filter(id=1).update(
        size=index, root=compact.root(), frontier=compact.to_bytes(), last_leaf_hash=kept[-1]
    )
    for path in Path(settings.LEDGER_CHECKPOINT_DIR).glob("*"):
        path.unlink()
    return _record(n, tag)


def _cosigned(text: str, endpoints: list[WitnessEndpoint], quorum: int) -> bool:
    return note.verify_cosigned(text, public_key(), [e.key for e in endpoints], quorum).ok


def _root(text: str) -> bytes:
    return note.parse_checkpoint(text).root


@pytest.mark.slow
def test_witness_processes_refuse_a_rewritten_history(
    witness_processes: Callable[[str], list[Process]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    partners = witness_processes(public_key())
    endpoints = [p.endpoint for p in partners]
    council, police, _ = endpoints

    first = witness_checkpoint(_record(6, "a"), endpoints, PROOFS)
    assert len(first.cosigners) == 3 and not first.failures
    assert _cosigned(first.note, endpoints, 2) and _cosigned(first.note, endpoints, 3)

    # Health is offline for one checkpoint: two cosignatures meet a quorum of 2, not of 3.
    second = witness_checkpoint(_record(5, "b"), [council, police], PROOFS, first.sizes)
    assert second.cosigners == ("council.test/witness", "police.test/witness")
    assert _cosigned(second.note, endpoints, 2) and not _cosigned(second.note, endpoints, 3)

    # Each witness is brought up to date from the size it last cosigned (health from 6, others 11).
    honest = witness_checkpoint(_record(3, "c"), endpoints, PROOFS, second.sizes)
    assert len(honest.cosigners) == 3, honest.failures
    assert set(honest.sizes.values()) == {14}

    # The rewrite: entry 3 onwards replaced, same size, chain and head consistent, re-signed.
    rewritten = _rewrite_from(3, 11, "rewritten")
    assert note.parse_checkpoint(rewritten).size == 14 and _root(rewritten) != _root(honest.note)
    assert verify().ok  # the operator's own tools see nothing wrong

    refused = witness_checkpoint(rewritten, endpoints, PROOFS, honest.sizes)
    assert refused.cosigners == ()
    assert all(f.startswith("HTTP 422") for f in refused.failures.values()), refused.failures
    fresh = witness_checkpoint(rewritten, endpoints, PROOFS)  # as if the log knew nothing: 409, then 422
    assert fresh.cosigners == () and all(f.startswith("HTTP 422") for f in fresh.failures.values())
    status, _, body = post(council.url or "", protocol.format_add_checkpoint(0, [], rewritten), 10)
    assert (status, body) == (409, b"14\n")

    # Growing the rewritten ledger does not help: no proof links it to what the partners saw.
    grown = witness_checkpoint(_record(4, "d"), endpoints, PROOFS, honest.sizes)
    assert grown.cosigners == () and len(grown.failures) == 3
    assert not _cosigned(rewritten, endpoints, 2) and not _cosigned(grown.note, endpoints, 1)

    # The partners still hold the honest history, and the two signed heads expose the rewrite.
    for endpoint in endpoints:
        latest = fetch_latest(endpoint.url or "", settings.LEDGER_ORIGIN)
        assert latest is not None and _root(latest) == _root(honest.note)
    forks, problems = find_forks([("published", honest.note), ("now", rewritten)], public_key())
    assert not problems and [f.size for f in forks] == [14]
    assert all(any((p.directory / "evidence").iterdir()) for p in partners)

    # The command a partner or an auditor runs, with no database.
    keys = tmp_path / "witnesses.txt"
    keys.write_text("".join(f"{e.key} {e.url}\n" for e in endpoints))
    for text, quorum, code in ((honest.note, 3, 0), (rewritten, 2, 1), (second.note, 3, 1)):
        path = tmp_path / "checkpoint.txt"
        path.write_text(text)
        argv = ["--checkpoint", str(path), "--log-key", public_key(), "--witnesses", str(keys)]
        assert main(["witness", "verify", *argv, "--quorum", str(quorum)]) == code
    out = capsys.readouterr().out
    assert "at size 14 witnessed: cosigned by council.test/witness, health.test/witness" in out
    assert "PROBLEM: 0 of the 3 known witnesses cosigned this checkpoint" in out


def test_a_split_view_is_cosigned_only_by_those_who_saw_it(start_witness: Callable[..., Running]) -> None:
    partners = [start_witness(name, [public_key()]) for name in ("council.t/w", "police.t/w", "health.t/w")]
    endpoints = [p.endpoint for p in partners]
    council, police, health = endpoints
    base = witness_checkpoint(_record(8, "shared"), endpoints, PROOFS)
    assert len(base.cosigners) == 3

    # View A for council and police; view B, a different tree of the same size, for health.
    view_a = _record(4, "A")
    leaves_a = _leaves()
    a = witness_checkpoint(view_a, [council, police], PROOFS, base.sizes)
    view_b = _rewrite_from(8, 4, "B")
    b = witness_checkpoint(view_b, [health], PROOFS, base.sizes)
    assert a.cosigners == ("council.t/w", "police.t/w") and b.cosigners == ("health.t/w",)

    # Each witness keeps to what it saw: neither view can be shown to the other side.
    cross_b = witness_checkpoint(view_b, [council, police], PROOFS, a.sizes)
    cross_a = witness_checkpoint(view_a, [health], tree_proofs(leaves_a), b.sizes)
    assert cross_a.cosigners == cross_b.cosigners == ()
    assert all("HTTP 422" in f for f in [*cross_a.failures.values(), *cross_b.failures.values()])

    # A verifier requiring 2 of the 3 accepts view A only; one cosignature is not a quorum.
    assert _cosigned(a.note, endpoints, 2) and not _cosigned(b.note, endpoints, 2)
    assert _cosigned(b.note, endpoints, 1)  # why a quorum of one is not enough

    # Given both cosigned checkpoints, or each witness's latest, anyone sees they do not agree.
    forks, _ = find_forks([("view A", a.note), ("view B", b.note)], public_key())
    assert len(forks) == 1 and forks[0].size == 12
    roots = {
        base64.b64encode(_root(a.note)).decode(): ("view A",),
        base64.b64encode(_root(b.note)).decode(): ("view B",),
    }
    assert forks[0].roots == roots
    latest = [(e.url or "", fetch_latest(e.url or "", settings.LEDGER_ORIGIN) or "") for e in endpoints]
    forks, _ = find_forks(latest, public_key())
    assert len(forks) == 1 and sorted(map(len, forks[0].roots.values())) == [1, 2]
    assert str(forks[0]).startswith(f"{settings.LEDGER_ORIGIN} has 2 different trees of size 12")
