"""The ledger's scheduled jobs in ``sightline serve``: checkpoint any growth, and verify what was
added since the last verification. Every worker process runs this thread; a lock shared by the
processes lets one of them do each round, so checkpoints and runs never double up.

The lock is a PostgreSQL advisory lock (so it also holds across servers sharing the database), or on
SQLite an ``flock`` on a file beside the database.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from sightline.ledger.runs import run_due
from sightline.ledger.services import checkpoint_if_due

log = logging.getLogger(__name__)

# Any fixed number, other than the integrator's: the advisory lock of the scheduled jobs.
JOBS_LOCK_KEY = 0x51_6C_6A_62
_local_lock = threading.Lock()


@contextmanager
def jobs_lock() -> Iterator[bool]:
    """Try to become the one process doing this round's jobs; yields whether it did."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [JOBS_LOCK_KEY])
            got = bool(cur.fetchone()[0])
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s)", [JOBS_LOCK_KEY])
        return
    name = str(connection.settings_dict["NAME"])
    if not _local_lock.acquire(blocking=False):
        yield False
        return
    try:
        if name == ":memory:" or name.startswith("file:"):
            yield True
            return
        fd = os.open(Path(f"{name}.jobs-lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True  # closing the file lets go of the lock
        finally:
            os.close(fd)
    finally:
        _local_lock.release()


class Stopped(Exception):
    """The server is stopping: the round is abandoned (a run is recorded only when it ends)."""


def run_jobs(verify_every: dt.timedelta, stopping: threading.Event | None = None) -> bool:
    """One round: checkpoint growth and, when due, verify incrementally. False if another process
    holds the round."""

    def progress(_checked: int) -> None:
        if stopping is not None and stopping.is_set():
            raise Stopped

    with jobs_lock() as mine:
        if not mine:
            return False
        checkpoint_if_due(min_growth=1)
        run = run_due(verify_every, progress)
        if run is not None and not run.ok:
            log.error("ledger verification FAILED: %s problems (%s)", run.problem_count, run.problem_kinds)
        return True


class LedgerJobs(threading.Thread):
    """Every ``interval`` seconds, one round of :func:`run_jobs`; a verification every
    ``verify_every`` seconds."""

    def __init__(self, interval: float, verify_every: float) -> None:
        super().__init__(name="sightline-ledger-jobs", daemon=True)
        if interval <= 0 or verify_every <= 0:
            raise ValueError("job intervals must be positive")
        self.interval = interval
        self.verify_every = dt.timedelta(seconds=verify_every)
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    run_jobs(self.verify_every, self._stop_event)
                except Stopped:
                    break
                except Exception:
                    log.exception("scheduled ledger job failed; will retry")
                    connection.close()  # a broken connection must not poison the next round
        finally:
            connection.close()

    def stop(self, timeout: float | None = 30) -> None:
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def start_jobs(interval: float, verify_every: float) -> LedgerJobs:
    thread = LedgerJobs(interval, verify_every)
    thread.start()
    return thread
