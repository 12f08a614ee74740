"""Tests for C2SP signed-note checkpoints with Ed25519."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline.ledger.merkle import EMPTY_ROOT, leaf_hash
from sightline.ledger.note import (
    Checkpoint,
    NoteError,
    NoteSignature,
    checkpoint_body,
    generate_signing_key,
    key_id,
    load_or_create_signing_key,
    parse_checkpoint,
    parse_verifier_key,
    public_key_bytes,
    sign_checkpoint,
    verifier_key,
    verify_checkpoint,
)

ORIGIN = "sightline.example/ledger"
ROOT = leaf_hash(b"root")
EM_DASH = "\u2014"


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return generate_signing_key()


@pytest.fixture(scope="module")
def vkey(key: Ed25519PrivateKey) -> str:
    return verifier_key(ORIGIN, key.public_key())


def test_sign_and_verify_roundtrip(key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint(ORIGIN, 12345, ROOT, key, ORIGIN)
    body = f"{ORIGIN}\n12345\n{base64.b64encode(ROOT).decode()}\n"
    assert note.startswith(body + "\n" + EM_DASH + " " + ORIGIN + " ")
    assert note.endswith("\n")
    cp = verify_checkpoint(note, vkey)
    assert cp == Checkpoint(ORIGIN, 12345, ROOT, body, cp.signatures)
    (sig,) = cp.signatures
    assert sig.name == ORIGIN
    assert sig.key_id == key_id(ORIGIN, key.public_key())
    assert len(sig.signature) == 64
    # The signature line carries exactly 4 + 64 bytes and is plain Ed25519 over the body.
    key.public_key().verify(sig.signature, body.encode())
    assert verify_checkpoint(note, vkey, origin=ORIGIN).size == 12345


def test_key_name_defaults_to_origin_and_extensions_are_signed(key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint(ORIGIN, 0, EMPTY_ROOT, key, extensions=["x-ext 1"])
    cp = verify_checkpoint(note, vkey)
    assert (cp.size, cp.root, cp.extensions) == (0, EMPTY_ROOT, ("x-ext 1",))
    tampered = note.replace("x-ext 1", "x-ext 2")
    with pytest.raises(NoteError, match="invalid"):
        verify_checkpoint(tampered, vkey)


def test_verifier_key_format(key: Ed25519PrivateKey, vkey: str) -> None:
    raw = public_key_bytes(key)
    name, kid_hex, key_b64 = vkey.split("+", 2)
    assert name == ORIGIN
    expected_id = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + raw).digest()[:4]
    assert kid_hex == expected_id.hex()
    assert len(kid_hex) == 8
    assert base64.b64decode(key_b64) == b"\x01" + raw
    assert verifier_key(ORIGIN, raw) == vkey
    parsed = parse_verifier_key(vkey)
    assert (parsed.name, parsed.key_id) == (ORIGIN, expected_id)
    assert public_key_bytes(parsed.public_key) == raw


# Reference vector from golang.org/x/mod/sumdb/note (note_test.go / package docs): an
# independent implementation, so this pins the wire format, not just self-consistency.
GO_SIGNER_SEED_B64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || seed
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIG_LINE = (
    EM_DASH + " PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_sumdb_note_reference_vector() -> None:
    seed = base64.b64decode(GO_SIGNER_SEED_B64)
    assert seed[0] == 1
    sk = Ed25519PrivateKey.from_private_bytes(seed[1:])
    assert verifier_key("PeterNeumann", sk.public_key()) == GO_VKEY
    kid = key_id("PeterNeumann", sk.public_key())
    assert kid.hex() == "c74f20a3"
    line = NoteSignature("PeterNeumann", kid, sk.sign(GO_TEXT.encode())).line()
    assert line == GO_SIG_LINE
    # A checkpoint signed with the same key verifies under the Go-format verifier key.
    note = sign_checkpoint(ORIGIN, 3, ROOT, sk, "PeterNeumann")
    assert verify_checkpoint(note, GO_VKEY).size == 3


@pytest.mark.parametrize(
    "bad",
    [
        "nope",
        "a+b",
        "a+b+c+d",
        "name+zzzzzzzz+AdddamAGCsQq31Uv",
        "name+0000000+AQ==",
        "na me+00000000+AQ==",
    ],
)
def test_bad_verifier_keys_are_rejected(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_verifier_key(bad)


def test_verifier_key_whose_base64_contains_plus() -> None:
    # From transparency-dev/formats note tests: the key material itself holds a '+'.
    plus_key = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
    parsed = parse_verifier_key(plus_key)
    assert (parsed.name, parsed.key_id.hex()) == ("TEST", "7997405c")
    assert verifier_key("TEST", parsed.public_key) == plus_key


def test_verifier_key_with_wrong_key_id_is_rejected(vkey: str) -> None:
    name, kid, b64 = vkey.split("+", 2)
    wrong = f"{int(kid, 16) ^ 1:08x}"
    with pytest.raises(NoteError, match="does not match"):
        parse_verifier_key(f"{name}+{wrong}+{b64}")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("12345", "12346"),  # size
        (ORIGIN + "\n", "sightline.example/other\n"),  # origin
    ],
)
def test_tampered_body_is_rejected(key: Ed25519PrivateKey, vkey: str, old: str, new: str) -> None:
    note = sign_checkpoint(ORIGIN, 12345, ROOT, key)
    tampered = note.replace(old, new, 1)
    assert tampered != note
    with pytest.raises(NoteError, match=r"signature by key .* is invalid"):
        verify_checkpoint(tampered, vkey)


def test_tampered_root_is_rejected(key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint(ORIGIN, 7, ROOT, key)
    other = base64.b64encode(leaf_hash(b"other")).decode()
    tampered = note.replace(base64.b64encode(ROOT).decode(), other)
    with pytest.raises(NoteError, match="invalid"):
        verify_checkpoint(tampered, vkey)


@settings(max_examples=40, deadline=None)
@given(pos=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_bit_flip_in_the_signature_is_rejected(pos: int, bit: int) -> None:
    sk = Ed25519PrivateKey.from_private_bytes(bytes(32))
    vk = verifier_key(ORIGIN, sk.public_key())
    note = sign_checkpoint(ORIGIN, 99, ROOT, sk)
    body, _, line = note.rpartition("\n\n")
    prefix, b64 = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(b64))
    raw[4 + pos % 64] ^= 1 << bit  # flip inside the Ed25519 signature
    forged = f"{body}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(NoteError, match="invalid"):
        verify_checkpoint(forged, vk)


def test_wrong_key_is_rejected(key: Ed25519PrivateKey) -> None:
    note = sign_checkpoint(ORIGIN, 5, ROOT, key)
    other = generate_signing_key()
    # Same name, different key: not a known signature, so the note is unsigned for us.
    with pytest.raises(NoteError, match="not signed by key"):
        verify_checkpoint(note, verifier_key(ORIGIN, other.public_key()))
    # A forger who copies our key ID but signs with their own key is caught.
    forged = sign_checkpoint(ORIGIN, 5, ROOT, other)
    forged_line = forged.split("\n\n")[1]
    real_line = note.split("\n\n")[1]
    raw = base64.b64decode(forged_line.rsplit(" ", 1)[1])
    real_id = base64.b64decode(real_line.rsplit(" ", 1)[1])[:4]
    spliced = (
        forged.split("\n\n")[0]
        + "\n\n"
        + f"{EM_DASH} {ORIGIN} {base64.b64encode(real_id + raw[4:]).decode()}\n"
    )
    with pytest.raises(NoteError, match="invalid"):
        verify_checkpoint(spliced, verifier_key(ORIGIN, key.public_key()))


def test_other_signatures_are_ignored(key: Ed25519PrivateKey, vkey: str) -> None:
    witness = generate_signing_key()
    note = sign_checkpoint(ORIGIN, 5, ROOT, key)
    cosigned = sign_checkpoint(ORIGIN, 5, ROOT, witness, "witness.example/w1")
    both = note + cosigned.split("\n\n")[1]
    cp = verify_checkpoint(both, vkey)
    assert [s.name for s in cp.signatures] == [ORIGIN, "witness.example/w1"]
    assert verify_checkpoint(both, verifier_key("witness.example/w1", witness.public_key()))


def test_origin_must_match_when_asked(key: Ed25519PrivateKey, vkey: str) -> None:
    note = sign_checkpoint(ORIGIN, 5, ROOT, key)
    with pytest.raises(NoteError, match="expected 'elsewhere'"):
        verify_checkpoint(note, vkey, origin="elsewhere")


def _fake_note(body: str) -> str:
    return body + "\n" + f"{EM_DASH} k " + base64.b64encode(bytes(68)).decode() + "\n"


R64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_fake_note(f"o\n05\n{R64}\n"), "leading zeros"),
        (_fake_note(f"o\n-5\n{R64}\n"), "leading zeros"),
        (_fake_note(f"o\n+5\n{R64}\n"), "leading zeros"),
        (_fake_note(f"o\n\u0665\n{R64}\n"), "leading zeros"),  # Arabic-Indic digit
        (_fake_note(f"o\n{2**64}\n{R64}\n"), "64 bits"),
        (_fake_note(f"\n5\n{R64}\n"), "origin line is empty"),
        (_fake_note(f"o\n5\n{base64.b64encode(ROOT[:31]).decode()}\n"), "31 bytes"),
        (_fake_note(f"o\n5\n{R64.rstrip('=')}\n"), "base64"),
        (_fake_note(f"o\n5\n{R64}x\n"), "base64"),
        (_fake_note("o\n5\n"), "got 2 line"),
        (_fake_note(f"o\n5\n{R64}\n\next\n"), "empty extension"),
        (f"o\n5\n{R64}\n", "no blank line"),
        (f"o\n5\n{R64}\n\n", "no signature lines"),
        (_fake_note(f"o\n5\n{R64}\n").rstrip("\n"), "end with a newline"),
        (f"o\n5\n{R64}\n\n- k AAAA\n", "em dash"),
        (f"o\n5\n{R64}\n\n{EM_DASH} kAAAA\n", "no space"),
        (f"o\n5\n{R64}\n\n{EM_DASH} k AAAA\n", "too short"),
        (f"o\n5\n{R64}\n\n{EM_DASH} k+x " + "A" * 92 + "\n", "must not contain"),
        (f"o\n5\n{R64}\n\n{EM_DASH} k ***\n", "base64"),
        (_fake_note(f"o\r\n5\n{R64}\n"), "control character"),
        (_fake_note(f"o\n5\n{R64}\n").replace("\n", "\r\n"), "control character"),
    ],
)
def test_malformed_checkpoints_are_rejected(text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_checkpoint(text)


def test_parse_accepts_well_formed_unverified_note() -> None:
    cp = parse_checkpoint(_fake_note(f"o\n0\n{R64}\n"))
    assert (cp.origin, cp.size, cp.root) == ("o", 0, ROOT)
    assert cp.signatures[0].key_id == bytes(4)


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [("", 1, ROOT), ("a\nb", 1, ROOT), ("o", -1, ROOT), ("o", 2**64, ROOT), ("o", 1, b"x")],
)
def test_signing_refuses_bad_checkpoints(key: Ed25519PrivateKey, origin: str, size: int, root: bytes) -> None:
    with pytest.raises(NoteError):
        sign_checkpoint(origin, size, root, key, "k")


def test_signing_refuses_bad_key_names(key: Ed25519PrivateKey) -> None:
    for name in ("", "has space", "plus+sign", "tab\tname"):
        with pytest.raises(NoteError):
            sign_checkpoint(ORIGIN, 1, ROOT, key, name)


def test_checkpoint_body_exact_bytes() -> None:
    assert checkpoint_body("example.com/log", 20852163, bytes(32)) == (
        "example.com/log\n20852163\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    )


def test_signing_key_file_is_created_private_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "home" / "keys" / "checkpoint.pem"
    key = load_or_create_signing_key(path)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
    loaded = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    again = load_or_create_signing_key(path)
    assert public_key_bytes(again) == public_key_bytes(key)
    assert path.read_bytes() == pem
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pem"]  # no temp files left


def test_signing_key_file_ignores_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "k.pem"
        load_or_create_signing_key(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_signing_key_file_with_wrong_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_text("not a key")
    with pytest.raises(NoteError, match="not a PEM private key"):
        load_or_create_signing_key(path)
    assert path.read_text() == "not a key"  # never overwritten
