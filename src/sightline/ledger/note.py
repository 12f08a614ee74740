"""Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes, Ed25519.

Specs: https://c2sp.org/tlog-checkpoint and https://c2sp.org/signed-note.
A checkpoint note looks like::

    <origin>
    <tree size>
    <base64 root hash>
    [<extension line>...]

    — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>

The signature covers the body (everything before the blank line, including its
final newline). Verifier keys use the Go ``golang.org/x/mod/sumdb/note`` form
``<name>+<8 hex key ID>+<base64(0x01 || public key)>`` so standard tools can
check our checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "ALG_ED25519",
    "Checkpoint",
    "NoteError",
    "NoteSignature",
    "VerifierKey",
    "checkpoint_body",
    "generate_signing_key",
    "key_id",
    "load_or_create_signing_key",
    "parse_checkpoint",
    "parse_verifier_key",
    "public_key_bytes",
    "sign_checkpoint",
    "verifier_key",
    "verify_checkpoint",
]

ALG_ED25519 = 0x01
ROOT_SIZE = 32
SIG_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16
MAX_TREE_SIZE = 2**64 - 1

_SIZE_RE = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A signed note or checkpoint is malformed, unsigned by the key, or forged."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key ID and the raw signature."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        sig = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{SIG_PREFIX}{self.name} {sig}\n"


@dataclass(frozen=True)
class Checkpoint:
    """A parsed checkpoint. ``body`` is the exact signed text."""

    origin: str
    size: int
    root: bytes
    body: str
    signatures: tuple[NoteSignature, ...]
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 32-byte RFC 8032 encoding of a public key."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _check_key_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise NoteError("key name must be a non-empty string")
    if "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"key name {name!r} must not contain spaces or '+'")
    _check_no_controls(name, "key name")


def _check_no_controls(text: str, what: str, allow_newline: bool = False) -> None:
    for ch in text:
        if ch < " " and not (allow_newline and ch == "\n"):
            raise NoteError(f"{what} contains control character {ch!r}")


def key_id(name: str, public_key: Ed25519PublicKey | bytes) -> bytes:
    """First 4 bytes of SHA-256(name || 0x0A || 0x01 || public key)."""
    raw = public_key if isinstance(public_key, bytes) else public_key_bytes(public_key)
    if len(raw) != 32:
        raise NoteError(f"Ed25519 public key is {len(raw)} bytes, expected 32")
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + raw).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey | bytes) -> str:
    """Return the note verifier key string ``<name>+<hex key ID>+<base64 key>``."""
    _check_key_name(name)
    raw = public_key if isinstance(public_key, bytes) else public_key_bytes(public_key)
    kid = key_id(name, raw)
    return f"{name}+{kid.hex()}+{base64.b64encode(bytes([ALG_ED25519]) + raw).decode('ascii')}"


def parse_verifier_key(vkey: str) -> VerifierKey:
    """Parse and check a verifier key string made by :func:`verifier_key`."""
    return VerifierKey(
        *_parse_key(vkey, "verifier key", ALG_ED25519, "an Ed25519 key (expected 0x01", key_id)
    )


def _parse_key(
    vkey: str, what: str, alg: int, kind: str, make_id: Callable[[str, bytes], bytes]
) -> tuple[str, bytes, Ed25519PublicKey]:
    """``<name>+<key id hex>+<base64 of alg byte and key>``: its name, key ID and public key."""
    # The name and key ID cannot hold '+', but the base64 key can.
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"{what} must have the form <name>+<key id hex>+<base64 key>")
    name, kid_hex, key_b64 = parts
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", kid_hex):
        raise NoteError(f"{what} ID {kid_hex!r} is not 8 lower-case hex digits")
    key_data = _b64decode(key_b64, what)
    if len(key_data) != 33 or key_data[0] != alg:
        raise NoteError(f"{what} is not {kind} and 32 bytes)")
    raw = key_data[1:]
    if make_id(name, raw) != bytes.fromhex(kid_hex):
        raise NoteError(f"{what} ID {kid_hex} does not match its name and public key")
    try:
        public = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise NoteError(f"{what} holds an invalid Ed25519 public key: {exc}") from exc
    return name, bytes.fromhex(kid_hex), public


def _b64decode(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise NoteError(f"{what} is not valid base64") from exc
    # Only the canonical encoding is accepted, so one value has one text.
    if base64.b64encode(data).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return data


def checkpoint_body(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """Return the checkpoint note text (ends with a newline)."""
    if not isinstance(origin, str) or not origin:
        raise NoteError("checkpoint origin must be a non-empty string")
    if "\n" in origin:
        raise NoteError("checkpoint origin must not contain a newline")
    _check_no_controls(origin, "checkpoint origin")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_TREE_SIZE:
        raise NoteError(f"checkpoint tree size {size!r} must be an integer in [0, 2^64)")
    if not isinstance(root, bytes) or len(root) != ROOT_SIZE:
        raise NoteError(f"checkpoint root hash must be {ROOT_SIZE} bytes")
    for ext in extensions:
        if not ext or "\n" in ext:
            raise NoteError("checkpoint extension lines must be non-empty single lines")
        _check_no_controls(ext, "checkpoint extension line")
    lines = [origin, str(size), base64.b64encode(root).decode("ascii"), *extensions]
    return "".join(line + "\n" for line in lines)


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    key: Ed25519PrivateKey,
    key_name: str | None = None,
    *,
    extensions: Sequence[str] = (),
) -> str:
    """Return a signed checkpoint note. ``key_name`` defaults to the origin, as the spec advises."""
    name = origin if key_name is None else key_name
    _check_key_name(name)
    body = checkpoint_body(origin, size, root, extensions)
    sig = NoteSignature(name, key_id(name, key.public_key()), key.sign(body.encode("utf-8")))
    return body + "\n" + sig.line()


def _split_note(text: str) -> tuple[str, list[NoteSignature]]:
    if not isinstance(text, str):
        raise NoteError("note must be text")
    _check_no_controls(text, "note", allow_newline=True)
    if not text.endswith("\n"):
        raise NoteError("note does not end with a newline")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise NoteError("note has no blank line before its signatures")
    body, sig_text = text[: cut + 1], text[cut + 2 :]
    lines = sig_text.split("\n")[:-1]  # text ends with "\n"
    if not lines:
        raise NoteError("note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    sigs: list[NoteSignature] = []
    for n, line in enumerate(lines, 1):
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"signature line {n} does not start with an em dash and a space")
        name, sep, b64 = line[len(SIG_PREFIX) :].partition(" ")
        if not sep:
            raise NoteError(f"signature line {n} has no space between key name and signature")
        _check_key_name(name)
        raw = _b64decode(b64, f"signature line {n}")
        if len(raw) < 5:
            raise NoteError(f"signature line {n} is too short to hold a key ID and signature")
        sigs.append(NoteSignature(name, raw[:4], raw[4:]))
    return body, sigs


def _parse_body(body: str, sigs: Sequence[NoteSignature]) -> Checkpoint:
    lines = body.split("\n")[:-1]  # body ends with "\n"
    if len(lines) < 3:
        raise NoteError(f"checkpoint needs origin, tree size and root hash lines, got {len(lines)} line(s)")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise NoteError("checkpoint origin line is empty")
    if not _SIZE_RE.fullmatch(size_text):
        raise NoteError(f"checkpoint tree size {size_text!r} is not a decimal number without leading zeros")
    size = int(size_text)
    if size > MAX_TREE_SIZE:
        raise NoteError(f"checkpoint tree size {size} does not fit in 64 bits")
    root = _b64decode(root_text, "checkpoint root hash")
    if len(root) != ROOT_SIZE:
        raise NoteError(f"checkpoint root hash is {len(root)} bytes, expected {ROOT_SIZE}")
    for ext in extensions:
        if not ext:
            raise NoteError("checkpoint has an empty extension line")
    return Checkpoint(origin, size, root, body, tuple(sigs), tuple(extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a signed checkpoint note WITHOUT checking any signature.

    For inspection only; trust nothing in it until :func:`verify_checkpoint` passes.
    """
    body, sigs = _split_note(text)
    return _parse_body(body, sigs)


def verify_checkpoint(text: str, vkey: str, origin: str | None = None) -> Checkpoint:
    """Parse ``text`` and check it carries a valid signature by ``vkey``.

    Signatures by other keys are ignored (they may be witnesses). Any signature
    that claims to be by ``vkey`` must verify. If ``origin`` is given the
    checkpoint must be for that log.
    """
    verifier = parse_verifier_key(vkey)
    cp = parse_checkpoint(text)
    body_bytes = cp.body.encode("utf-8")
    matched = 0
    for sig in cp.signatures:
        if sig.name != verifier.name or sig.key_id != verifier.key_id:
            continue
        matched += 1
        try:
            verifier.public_key.verify(sig.signature, body_bytes)
        except InvalidSignature as exc:
            raise NoteError(
                f"checkpoint signature by key {verifier.name} ({verifier.key_id.hex()}) is invalid"
            ) from exc
    if matched == 0:
        names = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in cp.signatures)
        raise NoteError(
            f"checkpoint is not signed by key {verifier.name}+{verifier.key_id.hex()} (signed by: {names})"
        )
    if origin is not None and cp.origin != origin:
        raise NoteError(f"checkpoint is for origin {cp.origin!r}, expected {origin!r}")
    return cp


def _load_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise NoteError(f"{path}: not a PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path}: holds a {type(key).__name__}, expected an Ed25519 private key")
    return key


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load the PEM (PKCS#8) Ed25519 key at ``path``, creating it if missing.

    A new key is written to a 0o600 temporary file and hard-linked into place,
    so a reader never sees a half-written key and two processes starting at
    once end up sharing one key instead of overwriting each other's.
    """
    path = Path(path)
    if path.exists():
        return _load_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_signing_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp_name = tempfile.mkstemp(prefix=".key-", dir=path.parent)  # mode 0o600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o600)
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return _load_key(path)  # another process won the race
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    with contextlib.suppress(OSError):  # directory fsync is not possible everywhere
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return key


# --- witness cosignatures --------------------------------------------------------------------------
#
# c2sp.org/tlog-cosignature, Ed25519 ``cosignature/v1``: a witness signs
# "cosignature/v1\ntime <T>\n" + checkpoint body, and its note signature is
# 4-byte key ID || 8-byte big-endian T || 64-byte Ed25519 signature. The key ID
# uses signature type 0x04, so a witness key can never pass as a log key.

ALG_COSIGNATURE_V1 = 0x04
COSIGNATURE_HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1
# A cosignature dated further ahead than this is refused: a witness's clock may drift, not leap.
FUTURE_SKEW_SECONDS = 600

__all__ += [
    "ALG_COSIGNATURE_V1",
    "CosignedCheckpoint",
    "CosignerKey",
    "cosign_checkpoint",
    "cosignature_message",
    "cosigner_key_id",
    "cosigner_verifier_key",
    "parse_cosigner_key",
    "verify_cosignature",
    "verify_cosigned",
]


@dataclass(frozen=True)
class CosignerKey:
    """A witness's cosignature/v1 verifier key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    def raw(self) -> bytes:
        return public_key_bytes(self.public_key)


def cosigner_key_id(name: str, public_key: Ed25519PublicKey | bytes) -> bytes:
    """First 4 bytes of SHA-256(name || 0x0A || 0x04 || public key)."""
    raw = public_key if isinstance(public_key, bytes) else public_key_bytes(public_key)
    if len(raw) != 32:
        raise NoteError(f"Ed25519 public key is {len(raw)} bytes, expected 32")
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1]) + raw).digest()[:4]


def cosigner_verifier_key(name: str, public_key: Ed25519PublicKey | bytes) -> str:
    """The witness's vkey ``<name>+<hex key ID>+<base64(0x04 || public key)>``."""
    _check_key_name(name)
    raw = public_key if isinstance(public_key, bytes) else public_key_bytes(public_key)
    kid = cosigner_key_id(name, raw).hex()
    return f"{name}+{kid}+{base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + raw).decode('ascii')}"


def parse_cosigner_key(vkey: str) -> CosignerKey:
    """Parse and check a witness vkey made by :func:`cosigner_verifier_key` (or any C2SP witness)."""
    return CosignerKey(
        *_parse_key(
            vkey,
            "witness key",
            ALG_COSIGNATURE_V1,
            "an Ed25519 cosignature/v1 key (expected 0x04",
            cosigner_key_id,
        )
    )


def cosignature_message(body: str, timestamp: int) -> bytes:
    """The exact bytes a cosignature/v1 signs: header, time line, then the checkpoint body."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp!r} must be an integer in [0, 2^63)")
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{body}".encode()


def cosign_checkpoint(body: str, key: Ed25519PrivateKey, name: str, timestamp: int) -> NoteSignature:
    """The witness's signature line over checkpoint ``body`` at ``timestamp`` (POSIX seconds)."""
    _check_key_name(name)
    if timestamp <= 0:
        raise NoteError("a witness's cosignature must carry a timestamp (the spec forbids zero)")
    message = cosignature_message(body, timestamp)
    return NoteSignature(
        name,
        cosigner_key_id(name, key.public_key()),
        timestamp.to_bytes(8, "big") + key.sign(message),
    )


def verify_cosignature(sig: NoteSignature, key: CosignerKey, body: str) -> int:
    """Check that ``sig`` is ``key``'s cosignature over ``body``; return its timestamp."""
    if sig.name != key.name or sig.key_id != key.key_id:
        raise NoteError(f"signature is by {sig.name}+{sig.key_id.hex()}, not {key.name}+{key.key_id.hex()}")
    if len(sig.signature) != 8 + 64:
        raise NoteError(f"cosignature by {key.name} is {len(sig.signature)} bytes, expected 72")
    timestamp = int.from_bytes(sig.signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise NoteError(f"cosignature by {key.name} has a timestamp beyond 2^63 - 1")
    try:
        key.public_key.verify(sig.signature[8:], cosignature_message(body, timestamp))
    except InvalidSignature as exc:
        raise NoteError(f"cosignature by {key.name} ({key.key_id.hex()}) is invalid") from exc
    return timestamp


@dataclass(frozen=True)
class CosignedCheckpoint:
    """What :func:`verify_cosigned` found. ``ok`` only when the log signed it and a quorum cosigned it."""

    ok: bool
    checkpoint: Checkpoint | None
    cosigners: dict[str, int]  # witness name -> cosignature time, valid ones only
    quorum: int
    problems: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.ok


def _witness_keys(witness_keys: Sequence[str]) -> list[CosignerKey]:
    keys = [parse_cosigner_key(k) for k in witness_keys]
    names = [k.name for k in keys]
    raws = [k.raw() for k in keys]
    # One witness, one vote: a key listed twice, or under two names, must not count twice.
    if len(set(names)) != len(names) or len(set(raws)) != len(raws):
        raise NoteError("each witness key must have its own name and its own public key")
    return keys


def verify_cosigned(
    text: str,
    log_key: str,
    witness_keys: Sequence[str],
    quorum: int,
    *,
    origin: str | None = None,
    now: int | None = None,
) -> CosignedCheckpoint:
    """Check a cosigned checkpoint: the log's signature and at least ``quorum`` valid cosignatures
    from distinct witnesses among ``witness_keys``.

    Lines by unknown keys are ignored. A line that claims to be a known witness but does not verify,
    or is dated in the future, fails the whole note (signed-note: clients SHOULD reject it), since a
    correct log never publishes one. Bad keys or a quorum outside 1..len(witness_keys) raise
    :class:`NoteError`: a quorum of zero would make the check vacuous.
    """
    keys = _witness_keys(witness_keys)
    if isinstance(quorum, bool) or not isinstance(quorum, int) or not 1 <= quorum <= len(keys):
        raise NoteError(f"quorum {quorum!r} must be between 1 and the {len(keys)} witness keys given")
    try:
        cp = verify_checkpoint(text, log_key, origin)
    except NoteError as exc:
        return CosignedCheckpoint(False, None, {}, quorum, (f"log signature: {exc}",))
    limit = (int(time.time()) if now is None else now) + FUTURE_SKEW_SECONDS
    problems: list[str] = []
    cosigners: dict[str, int] = {}
    for key in keys:
        for sig in cp.signatures:
            if sig.name != key.name or sig.key_id != key.key_id:
                continue
            try:
                stamp = verify_cosignature(sig, key, cp.body)
            except NoteError as exc:
                problems.append(str(exc))
                continue
            if stamp > limit:
                problems.append(f"cosignature by {key.name} is dated {stamp}, in the future")
                continue
            cosigners[key.name] = max(stamp, cosigners.get(key.name, 0))
    if len(cosigners) < quorum:
        problems.append(
            f"{len(cosigners)} of the {len(keys)} known witnesses cosigned this checkpoint "
            f"({', '.join(sorted(cosigners)) or 'none'}); the quorum is {quorum}"
        )
    return CosignedCheckpoint(not problems, cp, cosigners, quorum, tuple(problems))
