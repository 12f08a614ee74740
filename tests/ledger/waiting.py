"""Polling for what another thread or process does (commits, sequencing, checkpoints)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    """True as soon as ``predicate()`` is; False if it is still false after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
