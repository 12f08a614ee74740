"""The witness over real HTTP on loopback: every answer c2sp.org/tlog-witness defines."""

from __future__ import annotations

import base64
import http.client
import threading
import urllib.parse
from collections.abc import Callable, Sequence

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sightline.ledger import merkle, note
from sightline.witness import protocol
from sightline.witness.audit import fetch_latest
from sightline.witness.client import WitnessEndpoint, post, tree_proofs, witness_checkpoint
from sightline.witness.config import load_witness

from .conftest import ORIGIN, Log, Running


def _post(w: Running, old: int, proof: Sequence[bytes], text: str) -> tuple[int, str, bytes]:
    return post(w.server.url, protocol.format_add_checkpoint(old, proof, text), timeout=10)


def _raw(w: Running, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(w.server.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("POST", "/add-checkpoint", body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _proof(log: Log, old: int, new: int | None = None) -> list[bytes]:
    return merkle.consistency_proof(log.leaves, old, len(log.leaves) if new is None else new)


@pytest.fixture
def one(start_witness: Callable[..., Running], log: Log) -> Running:
    return start_witness("police.test/witness", [log.vkey])


def test_a_first_checkpoint_is_cosigned_and_remembered(one: Running, log: Log) -> None:
    text = log.checkpoint()
    status, content_type, body = _post(one, 0, [], text)
    assert status == 200, body
    assert content_type.startswith("text/plain")
    lines = body.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("\u2014 police.test/witness ")
    assert note.verify_cosigned(text + body.decode(), log.vkey, [one.witness.vkey], 1).ok
    # Kept with the log's signature and its own, and served to monitors.
    kept = fetch_latest(one.server.url, ORIGIN)
    assert kept is not None and kept.startswith(note.parse_checkpoint(text).body)
    assert note.verify_cosigned(kept, log.vkey, [one.witness.vkey], 1).ok
    assert fetch_latest(one.server.url, "another.test/log") is None


def test_growth_needs_a_proof_from_what_it_cosigned(one: Running, log: Log) -> None:
    assert _post(one, 0, [], log.checkpoint())[0] == 200
    log.grow(7)
    assert _post(one, 10, _proof(log, 10), log.checkpoint())[0] == 200
    log.grow(1)
    status, content_type, body = _post(one, 10, _proof(log, 10), log.checkpoint())  # stale old size
    assert (status, content_type, body) == (409, "text/x.tlog.size", b"17\n")
    status, _, body = _post(one, 17, [bytes(32)] * 3, log.checkpoint())  # a made-up proof
    assert status == 422 and b"not consistent" in body
    assert _post(one, 17, _proof(log, 17), log.checkpoint())[0] == 200
    assert _post(one, 18, [], log.checkpoint())[0] == 200  # the same tree again


def test_a_fork_or_rollback_is_refused_and_kept_as_evidence(one: Running, log: Log) -> None:
    assert _post(one, 0, [], log.checkpoint())[0] == 200
    other = log.fork(6, 4, "rewritten")  # same size, different history, signed by the log
    status, _, body = _post(one, 10, [], other.checkpoint())
    assert status == 422 and b"roots differ" in body
    other.grow(5, "more")  # a longer rewritten history, with the best proof it can make
    assert _post(one, 10, _proof(other, 10), other.checkpoint())[0] == 422
    # The witness keeps both refused requests: the log's own signature on a history it denied.
    evidence = sorted(e.read_bytes() for e in (one.witness.state.directory / "evidence").iterdir())
    assert len(evidence) == 2
    for kept_request in evidence:
        refused = note.verify_checkpoint(protocol.parse_add_checkpoint(kept_request).checkpoint, log.vkey)
        assert refused.size in (10, 15) and refused.root != merkle.root(log.leaves[: refused.size])
    assert _post(one, 10, [], log.checkpoint(6))[0] == 400  # old size above the checkpoint's
    assert _post(one, 6, [], log.checkpoint(6))[:3:2] == (409, b"10\n")  # a smaller size is stale
    assert _post(one, 0, [], other.checkpoint())[:3:2] == (409, b"10\n")  # and so is starting over
    kept = fetch_latest(one.server.url, ORIGIN)
    assert kept is not None and note.parse_checkpoint(kept).root == merkle.root(log.leaves)


def test_proofs_from_the_empty_tree(one: Running, log: Log) -> None:
    assert _post(one, 0, [bytes(32)], log.checkpoint())[0] == 422  # old size 0 takes no proof
    empty = Log(log.key, [])
    assert _post(one, 0, [], note.sign_checkpoint(ORIGIN, 0, bytes(32), log.key))[0] == 422
    assert _post(one, 0, [], empty.checkpoint())[0] == 200
    assert _post(one, 0, [], log.checkpoint())[0] == 200  # anything extends the empty tree


def test_only_the_logs_key_counts(one: Running, log: Log) -> None:
    stranger = Log(Ed25519PrivateKey.generate(), log.leaves)
    status, _, body = _post(one, 0, [], stranger.checkpoint())
    assert status == 403 and b"not signed by a trusted key" in body
    # The log's name and key ID, but a signature that does not verify.
    text = log.checkpoint()
    forged = (
        text[: text.rindex(" ") + 1]
        + base64.b64encode(note.key_id(ORIGIN, log.key.public_key()) + bytes(64)).decode()
        + "\n"
    )
    status, _, body = _post(one, 0, [], forged)
    assert status == 403 and b"invalid" in body
    other_origin = note.sign_checkpoint("another.test/log", 10, merkle.root(log.leaves), log.key)
    assert _post(one, 0, [], other_origin)[0] == 404
    assert fetch_latest(one.server.url, ORIGIN) is None  # nothing was cosigned


@pytest.mark.parametrize(
    "body",
    [
        b"garbage",
        b"old 0\n",
        b"old 01\n\nx\n",
        b"old -1\n\n",
        b"old 0\nnot base64!\n\n",
        b"\xff\xfe",
    ],
)
def test_garbage_is_a_bad_request(one: Running, log: Log, body: bytes) -> None:
    assert _raw(one, body)[0] == 400
    assert _raw(one, body + log.checkpoint().encode())[0] == 400


def test_request_limits(one: Running, log: Log) -> None:
    too_long = b"old 1\n" + b"".join(base64.b64encode(bytes(32)) + b"\n" for _ in range(64))
    assert _raw(one, too_long + b"\n" + log.checkpoint().encode())[0] == 400
    non_canonical = b"old 1\n" + base64.b64encode(bytes(32))[:-1] + b"B\n\n"  # same bytes, other text
    assert _raw(one, non_canonical + log.checkpoint().encode())[0] == 400
    huge = b"x" * (protocol.MAX_REQUEST_BYTES + 1)
    assert _raw(one, huge)[0] == 413
    assert _raw(one, b"", {"Transfer-Encoding": "chunked"})[0] == 411


def test_racing_submissions_never_roll_the_witness_back(one: Running, log: Log) -> None:
    assert _post(one, 0, [], log.checkpoint())[0] == 200
    log.grow(40)
    sizes = list(range(11, 51, 4))
    barrier = threading.Barrier(len(sizes))
    answers: dict[int, int] = {}

    def submit(size: int) -> None:
        body = protocol.format_add_checkpoint(10, _proof(log, 10, size), log.checkpoint(size))
        barrier.wait()
        answers[size] = post(one.server.url, body, timeout=30)[0]

    threads = [threading.Thread(target=submit, args=(s,)) for s in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers.values()) == [200] + [409] * (len(sizes) - 1)
    winner = next(s for s, status in answers.items() if status == 200)
    assert one.witness.state.latest(ORIGIN).size == winner


def test_the_state_survives_a_restart(one: Running, log: Log) -> None:
    assert _post(one, 0, [], log.checkpoint())[0] == 200
    again = load_witness(one.witness.state.directory, [log.vkey])
    assert again.vkey == one.witness.vkey
    reply = again.add_checkpoint(protocol.format_add_checkpoint(0, [], log.checkpoint()))
    assert (reply.status, reply.body) == (409, b"10\n")
    assert not list(one.witness.state.logs.glob(".*"))  # no temporary file left behind


def test_the_client_catches_up_and_reports_refusals(partners: list[Running], log: Log) -> None:
    endpoints = [p.endpoint for p in partners]
    first = witness_checkpoint(log.checkpoint(), endpoints, tree_proofs(log.leaves))
    assert len(first.cosigners) == 3 and not first.failures
    log.grow(5)
    # The log forgot what the witnesses saw: each answers 409 and the client retries from there.
    second = witness_checkpoint(log.checkpoint(), endpoints, tree_proofs(log.leaves), sizes={})
    assert second.cosigners == tuple(p.witness.name for p in partners)
    assert set(second.sizes.values()) == {15}
    keys = [e.key for e in endpoints]
    assert note.verify_cosigned(second.note, log.vkey, keys, 3).ok
    # A witness that is down, and one that has seen more than this checkpoint, do not cosign.
    down = WitnessEndpoint(endpoints[2].key, "http://127.0.0.1:9")
    old = witness_checkpoint(log.checkpoint(12), [endpoints[0], down], tree_proofs(log.leaves), second.sizes)
    assert old.cosigners == ()
    assert "more than this checkpoint" in old.failures[endpoints[0].url or ""]
    assert "could not reach" in old.failures["http://127.0.0.1:9"]
