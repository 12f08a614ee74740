"""The witness's memory: the latest checkpoint it cosigned for each log, one file per origin.

Each file holds that checkpoint as a signed note (the log's signature and the witness's own), so
it can be served to monitors as is. Updates are checked and written under a lock, threads and
processes alike, and replace the file atomically: the check against the stored size and the
write of the new checkpoint must be one step, or two racing requests could roll the witness back.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sightline.ledger import merkle, note


@dataclass(frozen=True)
class Latest:
    """What the witness last cosigned for one origin (size 0 and the empty root if nothing yet)."""

    size: int
    root: bytes
    note: str | None


def origin_hash(origin: str) -> str:
    """The tlog-witness monitoring path component: lower-case hex SHA-256 of the origin."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write via a temporary file, fsync and rename, so a reader or a crash never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # directory fsync is not possible everywhere
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class WitnessState:
    """Latest cosigned checkpoint per origin, under ``directory/logs/``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.logs = self.directory / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self._thread_lock = threading.Lock()

    def _path(self, origin: str) -> Path:
        return self.logs / f"{origin_hash(origin)}.checkpoint"

    def note_by_hash(self, digest: str) -> str | None:
        """The stored note for the origin with this hash, or None (for the monitoring endpoint)."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            return None
        path = self.logs / f"{digest}.checkpoint"
        return path.read_text(encoding="utf-8") if path.exists() else None

    def latest(self, origin: str) -> Latest:
        path = self._path(origin)
        if not path.exists():
            return Latest(0, merkle.EMPTY_ROOT, None)
        text = path.read_text(encoding="utf-8")
        cp = note.parse_checkpoint(text)  # our own file; a damaged one must stop us, not reset us
        if cp.origin != origin:
            raise note.NoteError(f"{path} holds a checkpoint for {cp.origin!r}, not {origin!r}")
        return Latest(cp.size, cp.root, text)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive access for a check-then-write, across threads and processes on this directory."""
        with self._thread_lock, open(self.directory / "lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def store(self, origin: str, text: str) -> None:
        """Record ``text`` as the latest cosigned checkpoint for ``origin``. Call inside :meth:`locked`."""
        write_atomically(self._path(origin), text.encode("utf-8"))
