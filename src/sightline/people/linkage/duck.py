"""DuckDB connections for linkage, with bounded memory.

DuckDB takes 80% of the machine's memory by default and, in memory, never spills: a million records
once grew the link past 18 GB and the kernel killed it. Here each connection gets a limit
(``SIGHTLINE_LINKAGE_MEMORY``, e.g. ``8GB``; default half the machine) and spills to
``SIGHTLINE_HOME/linkage/spill`` beyond it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

MEMORY_ENV = "SIGHTLINE_LINKAGE_MEMORY"
_SIZE = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def memory_limit() -> str:
    """The limit to give DuckDB: the environment's, checked, or half of physical memory."""
    value = os.environ.get(MEMORY_ENV, "").strip()
    if value:
        if not _SIZE.match(value):
            raise ValueError(f"{MEMORY_ENV}={value!r}: give a size such as 8GB or 512MB")
        return value.replace(" ", "")
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(256, total // 2 // 2**20)}MiB"


def spill_directory() -> Path:
    # SIGHTLINE_HOME as the settings read it: the engine imports no Django.
    path = Path(os.environ.get("SIGHTLINE_HOME", "var")).resolve() / "linkage" / "spill"
    path.mkdir(parents=True, exist_ok=True)
    return path


def connect() -> Any:
    # Imported here, not with the module: duckdb's threads do not survive a fork, and web
    # workers are forked from a process that imported this module.
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit()}'")
    spill = str(spill_directory()).replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    return con
