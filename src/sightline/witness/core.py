"""The witness's decision: check a submitted checkpoint, and cosign it only if it extends what the
witness already cosigned. HTTP-free, so the server and the tests share it.

Checks, in the order c2sp.org/tlog-witness gives its answers: 400 malformed, 404 unknown origin,
403 not signed by a trusted log key, 400 old size above the checkpoint's, 409 old size is not the
size the witness last cosigned (the body says which), 422 bad proof, fork or wrong empty root.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sightline.ledger import merkle, note
from sightline.witness import protocol
from sightline.witness.state import WitnessState, write_atomically

log = logging.getLogger("sightline.witness")

# Refused checkpoints that carry a valid log signature are kept as evidence of the log's
# misbehaviour, up to this many (only the log's key holder can make more, but disks fill up).
MAX_EVIDENCE_FILES = 1000


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = protocol.TEXT_CONTENT_TYPE


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, (message.rstrip("\n") + "\n").encode("utf-8"))


class Witness:
    """One witness key, the logs it follows (origin -> trusted log keys) and its state directory."""

    def __init__(
        self,
        name: str,
        key: Ed25519PrivateKey,
        logs: Mapping[str, Iterable[str]],
        state: WitnessState,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.key = key
        self.vkey = note.cosigner_verifier_key(name, key.public_key())  # checks the name too
        self.logs = {origin: [note.parse_verifier_key(k) for k in keys] for origin, keys in logs.items()}
        if not self.logs or not all(self.logs.values()):
            raise ValueError("a witness needs at least one log and one key for each log")
        self.state = state
        self.clock = clock

    def add_checkpoint(self, data: bytes) -> Reply:
        try:
            req = protocol.parse_add_checkpoint(data)
        except protocol.MalformedRequest as exc:
            return text_reply(400, f"malformed request: {exc}")
        cp = note.parse_checkpoint(req.checkpoint)
        keys = self.logs.get(cp.origin)
        if keys is None:
            return text_reply(404, f"unknown log origin {cp.origin!r}")
        signed = self._log_signatures(cp, keys)
        if isinstance(signed, Reply):
            return signed
        if req.old_size > cp.size:
            return text_reply(400, f"old size {req.old_size} is larger than the checkpoint's size {cp.size}")
        if cp.size == 0 and cp.root != merkle.EMPTY_ROOT:
            return text_reply(422, "a checkpoint of size 0 must have the empty tree's root")
        with self.state.locked():
            latest = self.state.latest(cp.origin)
            if req.old_size != latest.size:
                return Reply(409, f"{latest.size}\n".encode("ascii"), protocol.SIZE_CONTENT_TYPE)
            problem = self._inconsistency(req, cp, latest.root)
            if problem is not None:
                self._keep_evidence(cp, data)
                log.warning("refused %s at size %d: %s", cp.origin, cp.size, problem)
                return text_reply(422, problem)
            stamp = int(self.clock())
            cosig = note.cosign_checkpoint(cp.body, self.key, self.name, stamp)
            kept = cp.body + "\n" + "".join(s.line() for s in signed) + cosig.line()
            self.state.store(cp.origin, kept)  # persisted before we answer
        log.info("cosigned %s at size %d", cp.origin, cp.size)
        return Reply(200, cosig.line().encode("utf-8"))

    def _log_signatures(
        self, cp: note.Checkpoint, keys: list[note.VerifierKey]
    ) -> list[note.NoteSignature] | Reply:
        """The checkpoint's valid signatures by trusted log keys, or a 403 reply."""
        body = cp.body.encode("utf-8")
        good: list[note.NoteSignature] = []
        for sig in cp.signatures:
            for key in keys:
                if sig.name != key.name or sig.key_id != key.key_id:
                    continue  # unknown keys are ignored (they may be other witnesses)
                try:
                    key.public_key.verify(sig.signature, body)
                except InvalidSignature:
                    return text_reply(
                        403, f"the signature by log key {key.name}+{key.key_id.hex()} is invalid"
                    )
                good.append(sig)
        if not good:
            return text_reply(403, f"the checkpoint is not signed by a trusted key for {cp.origin!r}")
        return good

    @staticmethod
    def _inconsistency(req: protocol.AddCheckpoint, cp: note.Checkpoint, old_root: bytes) -> str | None:
        if req.old_size == 0:
            return "the consistency proof from size 0 must be empty" if req.proof else None
        try:
            merkle.verify_consistency(req.old_size, cp.size, req.proof, old_root, cp.root)
        except merkle.ProofError as exc:
            return f"not consistent with the checkpoint of size {req.old_size} this witness cosigned: {exc}"
        return None

    def _keep_evidence(self, cp: note.Checkpoint, data: bytes) -> None:
        folder = self.state.directory / "evidence"
        folder.mkdir(exist_ok=True)
        if sum(1 for _ in folder.iterdir()) >= MAX_EVIDENCE_FILES:
            return
        digest = hashlib.sha256(data).hexdigest()[:16]
        write_atomically(Path(folder / f"size-{cp.size}-{digest}.txt"), data)

    def latest_note(self, digest: str) -> Reply:
        """The monitoring endpoint: the latest cosigned checkpoint for the origin with this hash."""
        text = self.state.note_by_hash(digest)
        if text is None:
            return text_reply(404, "this witness has cosigned no checkpoint for that origin")
        return Reply(200, text.encode("utf-8"))
