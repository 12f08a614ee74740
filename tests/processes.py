"""For tests that run other processes: polling for what they do, a free port, and the test database
named in their environment."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection


def wait_for(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    """True as soon as ``predicate()`` is; False if it is still false after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` pointed at the test database, for a child process."""
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        auth = f"{db['USER']}" + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)
        env["TEST_SQLITE_FILE"] = str(db["NAME"])
    return env
