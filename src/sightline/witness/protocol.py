"""The tlog-witness ``add-checkpoint`` request and response formats.

A request body is ``old <size>\\n``, up to 63 base64 consistency-proof hashes one per line, an
empty line, then the checkpoint note. A 200 response is the witness's cosignature line(s); a 409
response is the witness's current size for the log, ``text/x.tlog.size``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sightline.ledger import merkle, note

MAX_PROOF_LINES = 63
# A checkpoint with the spec's 16 signatures plus a full proof is a few kilobytes.
MAX_REQUEST_BYTES = 64 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"

_SIZE_RE = re.compile(r"0|[1-9][0-9]{0,19}")


class MalformedRequest(ValueError):
    """The request body does not follow the protocol (the witness answers 400)."""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, exactly as sent


def parse_size(text: str) -> int:
    """A tree size in decimal without leading zeros, as the protocol writes them."""
    if not _SIZE_RE.fullmatch(text) or int(text) > note.MAX_TREE_SIZE:
        raise MalformedRequest(f"{text[:30]!r} is not a tree size (decimal, no leading zeros, 64 bits)")
    return int(text)


def _hash(line: str, n: int) -> bytes:
    try:
        raw = base64.b64decode(line.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedRequest(f"consistency proof line {n} is not base64") from exc
    if len(raw) != merkle.HASH_SIZE or base64.b64encode(raw).decode("ascii") != line:
        raise MalformedRequest(f"consistency proof line {n} is not one base64 SHA-256 hash")
    return raw


def parse_add_checkpoint(data: bytes) -> AddCheckpoint:
    """Parse a request body; the checkpoint is parsed but its signatures are not checked here."""
    if len(data) > MAX_REQUEST_BYTES:
        raise MalformedRequest(f"request body is larger than {MAX_REQUEST_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("request body is not UTF-8") from exc
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise MalformedRequest("request has no empty line between the proof and the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise MalformedRequest("request does not start with an 'old <size>' line")
    old_size = parse_size(lines[0][4:])
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedRequest(f"request has {len(lines) - 1} proof lines, more than {MAX_PROOF_LINES}")
    proof = tuple(_hash(line, n) for n, line in enumerate(lines[1:], 1))
    try:
        note.parse_checkpoint(checkpoint)
    except note.NoteError as exc:
        raise MalformedRequest(f"checkpoint: {exc}") from exc
    return AddCheckpoint(old_size, proof, checkpoint)


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], checkpoint: str) -> bytes:
    """The request body for ``checkpoint`` with a proof from ``old_size``."""
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes, not {len(proof)}")
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return ("".join(f"{line}\n" for line in lines) + "\n" + checkpoint).encode("utf-8")
