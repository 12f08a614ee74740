"""Encoding an extract's rows in chunks, in this process or in several (``encode --workers N``).

Each process has its own encoder and caches; chunks come back in order, so the output is the same
whatever the number of processes.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
from collections.abc import Iterator, Sequence
from datetime import date
from multiprocessing.pool import Pool
from typing import Any

from .bloom import Encoder, Params
from .rows import RowEncoder

# Rows planned and built together: large enough to amortise numpy's calls, small enough to keep
# a chunk's filters (about 2 KB each while built) and the workers' messages modest.
CHUNK = 2000
_worker: RowEncoder | None = None
Items = Sequence[dict[str, str]] | Sequence[tuple[dict[str, str], date]]  # events, or people


def _start(secret: bytes, params: Params) -> None:
    global _worker
    _worker = RowEncoder(Encoder.create(secret, params))


def _encode(rows: RowEncoder, kind: str, chunk: Sequence[Any]) -> list[list[str]]:
    return rows.people(chunk) if kind == "people" else rows.events(chunk)


def _csv(rows: RowEncoder, kind: str, chunk: Sequence[Any], kept: list[str]) -> str:
    """The chunk's CSV lines: its kept columns as they are, then its encodings. Written where the
    chunk was encoded, so that a worker sends back one string rather than many."""
    plain = [item[0] for item in chunk] if kind == "people" else chunk
    buffer = io.StringIO(newline="")
    encoded = _encode(rows, kind, chunk)
    csv.writer(buffer).writerows([row[c] for c in kept] + values for row, values in zip(plain, encoded))
    return buffer.getvalue()


def _work(job: tuple[str, Sequence[Any]]) -> list[list[str]]:
    assert _worker is not None
    return _encode(_worker, *job)


def _work_csv(job: tuple[str, Sequence[Any], list[str]]) -> str:
    assert _worker is not None
    return _csv(_worker, *job)


class Chunks:
    """Encodes people ((row, reference day) pairs) and events a chunk at a time, in order."""

    def __init__(self, secret: bytes, params: Params, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1 (got {workers})")
        self.workers = workers
        self._secret, self._params = secret, params
        self._rows: RowEncoder | None = None
        self._pool: Pool | None = None

    def encode(self, kind: str, items: Items) -> Iterator[list[list[str]]]:
        """Each chunk's encoded columns (in the order of PEOPLE_FIELDS or EVENT_FIELDS)."""
        jobs = [(kind, items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
        if self.workers == 1 or len(jobs) == 1:
            rows = self._local()
            return (_encode(rows, *job) for job in jobs)
        return self._workers().imap(_work, jobs)

    def csv(self, kind: str, items: Items, kept: list[str]) -> Iterator[tuple[int, str]]:
        """Each chunk's rows and CSV lines: the `kept` columns as they are, then the encodings."""
        jobs = [(kind, items[i : i + CHUNK], kept) for i in range(0, len(items), CHUNK)]
        if self.workers == 1 or len(jobs) == 1:
            rows = self._local()
            texts: Iterator[str] = (_csv(rows, *job) for job in jobs)
        else:
            texts = self._workers().imap(_work_csv, jobs)
        return zip((len(job[1]) for job in jobs), texts)

    def _local(self) -> RowEncoder:
        if self._rows is None:
            self._rows = RowEncoder(Encoder.create(self._secret, self._params))
        return self._rows

    def _workers(self) -> Pool:
        if self._pool is None:
            self._pool = multiprocessing.get_context().Pool(
                self.workers, initializer=_start, initargs=(self._secret, self._params)
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Chunks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
