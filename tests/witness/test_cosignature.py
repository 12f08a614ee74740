"""cosignature/v1 (c2sp.org/tlog-cosignature) and the quorum check, without any server."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sightline.ledger import note

from .conftest import ORIGIN, Log

# A real checkpoint of the transparency.dev staging CT log, with its log signatures and the
# cosignatures of public witnesses, made by other implementations. Our verifier must agree.
REAL = """arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""  # noqa: E501
REAL_LOG = "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
REMORA = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
REAL_TIME = 0x6A122120  # the cosignatures' timestamp
T = 1_700_000_000


def test_a_real_witness_cosignature_verifies() -> None:
    result = note.verify_cosigned(REAL, REAL_LOG, [REMORA], 1, now=REAL_TIME)
    assert result.ok, result.problems
    assert result.cosigners == {"remora.n621.de": REAL_TIME}


def test_a_real_cosignature_does_not_cover_another_tree() -> None:
    changed = REAL.replace("1432088532", "1432088533", 1)
    key = note.parse_cosigner_key(REMORA)
    sig = next(s for s in note.parse_checkpoint(changed).signatures if s.name == key.name)
    with pytest.raises(note.NoteError, match="invalid"):
        note.verify_cosignature(sig, key, note.parse_checkpoint(changed).body)


def test_witness_keys_use_signature_type_4() -> None:
    key = note.parse_cosigner_key(REMORA)
    raw = key.raw()
    assert (
        key.key_id == hashlib.sha256(b"remora.n621.de\n\x04" + raw).digest()[:4] == bytes.fromhex("da77ade7")
    )
    assert note.cosigner_verifier_key("remora.n621.de", raw) == REMORA
    # A log key cannot pose as a witness key, nor the other way round.
    with pytest.raises(note.NoteError, match="cosignature/v1"):
        note.parse_cosigner_key(REAL_LOG)
    with pytest.raises(note.NoteError, match="not an Ed25519 key"):
        note.parse_verifier_key(REMORA)
    with pytest.raises(note.NoteError, match="does not match"):
        note.parse_cosigner_key(REMORA.replace("da77ade7", "da77ade8"))


def test_the_signed_message_and_signature_layout_follow_the_spec() -> None:
    key = Ed25519PrivateKey.generate()
    body = f"{ORIGIN}\n3\n{base64.b64encode(bytes(32)).decode()}\n"
    sig = note.cosign_checkpoint(body, key, "police.test/witness", 1679315147)
    assert note.cosignature_message(body, 1679315147) == b"cosignature/v1\ntime 1679315147\n" + body.encode()
    line = sig.line()
    name, b64 = line.removeprefix("\u2014 ").rstrip("\n").split(" ")
    raw = base64.b64decode(b64)
    assert name == "police.test/witness"
    assert len(raw) == 4 + 8 + 64
    assert raw[:4] == note.cosigner_key_id("police.test/witness", key.public_key())
    assert int.from_bytes(raw[4:12], "big") == 1679315147
    key.public_key().verify(raw[12:], b"cosignature/v1\ntime 1679315147\n" + body.encode())  # raises if wrong
    with pytest.raises(note.NoteError, match="timestamp"):
        note.cosign_checkpoint(body, key, "police.test/witness", 0)


def _cosign(text: str, *names_and_keys: tuple[str, Ed25519PrivateKey], at: int = T) -> str:
    body = note.parse_checkpoint(text).body
    return text + "".join(note.cosign_checkpoint(body, k, n, at).line() for n, k in names_and_keys)


Keys = list[tuple[str, Ed25519PrivateKey]]


@pytest.fixture
def three() -> Keys:
    return [(n, Ed25519PrivateKey.generate()) for n in ("council.test/w", "police.test/w", "health.test/w")]


def _vkeys(three: Keys) -> list[str]:
    return [note.cosigner_verifier_key(n, k.public_key()) for n, k in three]


def test_the_quorum_counts_distinct_known_witnesses(log: Log, three: Keys) -> None:
    stranger = ("stranger.test/w", Ed25519PrivateKey.generate())
    # Two witnesses, one of them twice, and a witness nobody configured.
    text = _cosign(log.checkpoint(), three[0], three[1], three[1], stranger)
    keys = _vkeys(three)
    ok = note.verify_cosigned(text, log.vkey, keys, 2, now=T)
    assert ok.ok and set(ok.cosigners) == {"council.test/w", "police.test/w"}
    short = note.verify_cosigned(text, log.vkey, keys, 3, now=T)
    assert not short.ok and "2 of the 3 known witnesses" in short.problems[-1]
    assert not note.verify_cosigned(log.checkpoint(), log.vkey, keys, 1, now=T).ok


def test_a_quorum_must_be_meaningful(log: Log, three: Keys) -> None:
    keys = _vkeys(three)
    text = log.checkpoint()
    for quorum in (0, 4):
        with pytest.raises(note.NoteError, match="quorum"):
            note.verify_cosigned(text, log.vkey, keys, quorum)
    # One witness listed twice, or one key under two names, must not count twice.
    with pytest.raises(note.NoteError, match="own name"):
        note.verify_cosigned(text, log.vkey, [keys[0], keys[0]], 2)
    renamed = note.cosigner_verifier_key("other.test/w", three[0][1].public_key())
    with pytest.raises(note.NoteError, match="own public key"):
        note.verify_cosigned(text, log.vkey, [keys[0], renamed], 2)


def test_cosignatures_moved_to_another_checkpoint_do_not_count(log: Log, three: Keys) -> None:
    honest = _cosign(log.checkpoint(), *three)
    log.leaves[3] = bytes(32)  # rewritten history, freshly signed by the log's own key
    rewritten = log.checkpoint()
    pasted = rewritten + honest.split("\n\n", 1)[1].split("\n", 1)[1]  # the witnesses' lines
    result = note.verify_cosigned(pasted, log.vkey, _vkeys(three), 1, now=T)
    assert not result.ok
    assert result.cosigners == {}
    assert sum("is invalid" in p for p in result.problems) == 3


def test_a_bad_or_future_cosignature_fails_the_note(log: Log, three: Keys) -> None:
    keys = _vkeys(three)
    good = _cosign(log.checkpoint(), *three)
    assert note.verify_cosigned(good, log.vkey, keys, 3, now=T).ok
    later = _cosign(log.checkpoint(), *three, at=T + 3600)
    result = note.verify_cosigned(later, log.vkey, keys, 1, now=T)
    assert not result.ok and "in the future" in result.problems[0]
    assert note.verify_cosigned(later, log.vkey, keys, 3, now=T + 3600).ok


def test_the_log_signature_is_required(log: Log, three: Keys) -> None:
    impostor = Log(Ed25519PrivateKey.generate(), log.leaves)
    text = _cosign(impostor.checkpoint(), *three)
    result = note.verify_cosigned(text, log.vkey, _vkeys(three), 1, now=T)
    assert not result.ok and result.checkpoint is None
    assert "log signature" in result.problems[0]
