"""Witnesses for the tests: in-process servers on loopback (real HTTP, one thread each) and, for the
end-to-end attack tests, real ``sightline witness serve`` processes."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sightline.ledger import merkle, note
from sightline.witness.client import WitnessEndpoint, tree_proofs, witness_checkpoint
from sightline.witness.config import init_witness, load_witness
from sightline.witness.core import Witness
from sightline.witness.server import WitnessServer, make_server

ORIGIN = "sightline.test/ledger"
PARTNERS = ("council.test/witness", "police.test/witness", "health.test/witness")


@dataclass
class Log:
    """A log held in memory: its key and leaves, signing checkpoints as a real log would."""

    key: Ed25519PrivateKey
    leaves: list[bytes]
    origin: str = ORIGIN

    @property
    def vkey(self) -> str:
        return note.verifier_key(self.origin, self.key.public_key())

    def grow(self, n: int, tag: str = "entry") -> None:
        start = len(self.leaves)
        self.leaves += merkle.hash_leaves(f"{tag} {i}".encode() for i in range(start, start + n))

    def checkpoint(self, size: int | None = None) -> str:
        size = len(self.leaves) if size is None else size
        return note.sign_checkpoint(self.origin, size, merkle.root(self.leaves[:size]), self.key)

    def fork(self, at: int, n: int, tag: str) -> Log:
        """Another history that shares only the first ``at`` entries, signed with the same key."""
        other = Log(self.key, self.leaves[:at], self.origin)
        other.grow(n, tag)
        return other

    def witness(self, witnesses: Sequence[WitnessEndpoint], sizes: dict[str, int] | None = None) -> str:
        result = witness_checkpoint(self.checkpoint(), witnesses, tree_proofs(self.leaves), sizes)
        return result.note


@pytest.fixture
def log() -> Log:
    entries = Log(Ed25519PrivateKey.generate(), [])
    entries.grow(10)
    return entries


@dataclass
class Running:
    witness: Witness
    server: WitnessServer
    thread: threading.Thread

    @property
    def endpoint(self) -> WitnessEndpoint:
        return WitnessEndpoint(self.witness.vkey, self.server.url)


@pytest.fixture
def start_witness(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """``start_witness(name, log_keys)``: a witness in its own directory, serving on a free port."""
    running: list[Running] = []

    def start(name: str, log_keys: Sequence[str]) -> Running:
        directory = tmp_path / name.replace("/", "_")
        init_witness(directory, name)
        witness = load_witness(directory, log_keys)
        server = make_server(witness)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append(Running(witness, server, thread))
        return running[-1]

    yield start
    for r in running:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def partners(start_witness: Callable[..., Running], log: Log) -> list[Running]:
    """Council, police and health, each witnessing ``log``."""
    return [start_witness(name, [log.vkey]) for name in PARTNERS]


# --- real processes ------------------------------------------------------------------------------


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    endpoint: WitnessEndpoint
    directory: Path
    log: Path  # its stderr

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _read_until(proc: subprocess.Popen[bytes], pattern: str, seconds: float) -> re.Match[str]:
    """Read ``proc``'s stdout (unbuffered) until it matches, failing with what it printed if never."""
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=0.2):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk.decode("utf-8", "replace")
            if match := re.search(pattern, seen, re.MULTILINE):
                return match
    raise AssertionError(f"witness never printed {pattern!r}; it printed {seen!r}")


@pytest.fixture
def witness_processes(tmp_path: Path) -> Iterator[Callable[[str], list[Process]]]:
    """``witness_processes(log_vkey)``: three ``sightline witness serve`` processes on free ports."""
    started: list[Process] = []
    spawned: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ, SIGHTLINE_HOME=str(tmp_path / "partner-home"), SIGHTLINE_LOG_LEVEL="WARNING")
    env.pop("DATABASE_URL", None)  # a witness has no database
    cli = [sys.executable, "-c", "import sys; from sightline.cli import main; sys.exit(main())"]

    def start(log_vkey: str) -> list[Process]:
        procs = []
        for name in PARTNERS:
            directory = tmp_path / "partners" / name.split(".")[0]
            init_witness(directory, name)  # `witness init` itself is tested through the CLI elsewhere
            argv = ["witness", "serve", "--dir", str(directory), "--log-key", log_vkey, "--port", "0"]
            log_path = directory / "stderr.txt"
            with open(log_path, "wb") as err:
                proc = subprocess.Popen([*cli, *argv], env=env, stdout=subprocess.PIPE, stderr=err)
            spawned.append(proc)
            procs.append((proc, directory, log_path))
        for proc, directory, log_path in procs:  # all three start at once; then wait for each
            match = _read_until(proc, r"^witness (\S+)\nlistening on (\S+)\n", 120)
            vkey, url = match.group(1), match.group(2)
            started.append(Process(proc, WitnessEndpoint(vkey, url), directory, log_path))
        return started

    yield start
    for proc in spawned:
        proc.send_signal(signal.SIGTERM)
    codes = [proc.wait(timeout=30) for proc in spawned]
    assert codes == [0] * len(spawned), [p.stderr() for p in started]  # SIGTERM stops them cleanly
