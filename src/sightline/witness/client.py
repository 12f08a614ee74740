"""The log's side of tlog-witness: submit a new checkpoint to each witness with a consistency proof
from the size that witness last cosigned, and collect the cosignatures into one note.

The log needs no record of those sizes: a witness that has moved on answers 409 with its size, and
the submission is retried once from there. Proofs are computed in the calling thread (a database
proof function then sees the caller's transaction); only the HTTP requests run in parallel.
"""

from __future__ import annotations

import base64
import http.client
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sightline.ledger import merkle, note
from sightline.witness import protocol

#: ``proof(old_size, new_size)``: the RFC 9162 consistency proof between two sizes of the log.
ProofFn = Callable[[int, int], Sequence[bytes]]


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness: its cosigner verifier key and (for submission) its URL prefix."""

    key: str
    url: str | None = None

    @property
    def name(self) -> str:
        return note.parse_cosigner_key(self.key).name


def parse_witnesses(text: str) -> list[WitnessEndpoint]:
    """Read a witnesses list: one ``<vkey> [<url>]`` per line; blank lines and ``#`` comments skipped."""
    found: list[WitnessEndpoint] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2:
            raise ValueError(f"line {n}: expected '<witness key> [<url>]'")
        try:
            note.parse_cosigner_key(parts[0])
        except note.NoteError as exc:
            raise ValueError(f"line {n}: {exc}") from exc
        found.append(WitnessEndpoint(parts[0], parts[1] if len(parts) == 2 else None))
    return found


def load_witnesses(path: Path | str) -> list[WitnessEndpoint]:
    return parse_witnesses(Path(path).read_text(encoding="utf-8"))


def tree_proofs(leaf_hashes: Sequence[bytes]) -> ProofFn:
    """A proof function over leaf hashes held in memory."""
    return lambda old, new: merkle.consistency_proof(leaf_hashes, old, new)


def json_proofs(fn: Callable[[int, int], Mapping[str, Any]]) -> ProofFn:
    """Adapt a function returning ``{"proof": [base64, ...]}`` (``sightline ledger consistency``'s
    form, e.g. ``sightline.ledger.selectors.consistency_proof``)."""
    return lambda old, new: [base64.b64decode(h, validate=True) for h in fn(old, new)["proof"]]


@dataclass(frozen=True)
class WitnessedCheckpoint:
    """The checkpoint note with the cosignature lines gathered, and what each witness said."""

    note: str
    cosigners: tuple[str, ...]  # witness names, in the order given
    sizes: dict[str, int]  # url -> the size that witness has now cosigned, where known
    failures: dict[str, str] = field(default_factory=dict)  # url -> why it did not cosign


def connect(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection to a witness and its URL's path prefix (without a trailing slash)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"witness URL {url!r} must be http:// or https:// with a host")
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    return conn_type(parts.hostname, parts.port, timeout=timeout), parts.path.rstrip("/")


def post(url: str, body: bytes, timeout: float) -> tuple[int, str, bytes]:
    """POST ``body`` to ``<url>/add-checkpoint``: status, content type and response body."""
    conn, prefix = connect(url, timeout)
    try:
        conn.request(
            "POST",
            prefix + "/add-checkpoint",
            body=body,
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        resp = conn.getresponse()
        data = resp.read(protocol.MAX_REQUEST_BYTES)
        return resp.status, resp.getheader("Content-Type", ""), data
    finally:
        conn.close()


def _cosignatures(cp: note.Checkpoint, key: str, data: bytes) -> tuple[note.NoteSignature, ...]:
    """The valid cosignatures by ``key`` in a 200 response; lines by other keys are ignored."""
    cosigner = note.parse_cosigner_key(key)
    try:
        lines = note.parse_checkpoint(cp.body + "\n" + data.decode("utf-8")).signatures
    except (UnicodeDecodeError, note.NoteError) as exc:
        raise ValueError(f"the witness's answer is not signature lines: {exc}") from exc
    good = []
    for sig in lines:
        if sig.name == cosigner.name and sig.key_id == cosigner.key_id:
            note.verify_cosignature(sig, cosigner, cp.body)  # a bad one by its own key is an error
            good.append(sig)
    if not good:
        raise ValueError(f"the witness answered without a cosignature by {cosigner.name}")
    return tuple(good)


def _describe(status: int, data: bytes) -> str:
    return f"HTTP {status}: {data.decode('utf-8', 'replace').strip()[:300]}"


def witness_checkpoint(
    note_text: str,
    witnesses: Sequence[WitnessEndpoint],
    proof: ProofFn,
    sizes: Mapping[str, int] | None = None,
    *,
    timeout: float = 10.0,
) -> WitnessedCheckpoint:
    """Submit the log-signed ``note_text`` to every witness with a URL and gather the cosignatures.

    ``sizes`` maps a witness URL to the size it last cosigned, as far as the log knows (0, or
    absent, if it does not). Witnesses that refuse are listed in ``failures``, never raised: the
    verifier's quorum decides whether enough cosigned.
    """
    cp = note.parse_checkpoint(note_text)
    known = dict(sizes or {})
    by_url = {w.url: w for w in witnesses if w.url}
    proofs: dict[int, Sequence[bytes]] = {}
    got: dict[str, tuple[note.NoteSignature, ...]] = {}
    failures: dict[str, str] = {}

    def request(url: str) -> bytes | None:
        old = known.get(url, 0)
        if old > cp.size:
            failures[url] = f"the witness has cosigned {old} entries, more than this checkpoint's {cp.size}"
            return None
        try:
            if 0 < old < cp.size and old not in proofs:
                proofs[old] = proof(old, cp.size)
            return protocol.format_add_checkpoint(
                old, proofs.get(old, ()) if old < cp.size else (), note_text
            )
        except ValueError as exc:
            failures[url] = f"no consistency proof from size {old}: {exc}"
            return None

    pending = list(by_url)
    for attempt in (1, 2):
        bodies = {url: body for url in pending if (body := request(url)) is not None}
        if not bodies:
            break
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            futures = {url: pool.submit(post, url, body, timeout) for url, body in bodies.items()}
        pending = []
        for url, future in futures.items():
            try:
                status, content_type, data = future.result()
            except (OSError, http.client.HTTPException, ValueError) as exc:
                failures[url] = f"could not reach the witness: {exc}"
                continue
            if status == 200:
                try:
                    got[url] = _cosignatures(cp, by_url[url].key, data)
                except (ValueError, note.NoteError) as exc:
                    failures[url] = str(exc)
                    continue
                known[url] = cp.size
            elif status == 409 and content_type.startswith(protocol.SIZE_CONTENT_TYPE):
                try:
                    known[url] = protocol.parse_size(data.decode("ascii").removesuffix("\n"))
                except (UnicodeDecodeError, protocol.MalformedRequest):
                    failures[url] = _describe(status, data)
                    continue
                if attempt == 1:
                    pending.append(url)
                else:
                    failures[url] = f"the witness's size changed again, to {known[url]}"
            else:
                failures[url] = _describe(status, data)
    order = [w.url for w in witnesses if w.url in got]
    lines = "".join(sig.line() for url in order for sig in got[url])
    names = tuple(by_url[url].name for url in order)
    return WitnessedCheckpoint(note_text + lines, names, known, failures)
