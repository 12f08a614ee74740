"""Worker processes that use the database: started fresh (spawned), never forked.

A forked child inherits the parent's open database sockets and driver state; two processes speaking
on one connection get each other's rows. A spawned child sets Django up itself and opens its own
connection to the same database as its parent (which, under tests, is not the configured one).
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.pool import Pool
from typing import Any

import django
from django.db import connections


def pool(processes: int) -> Pool:
    """A pool of ``processes`` spawned workers, each connected to this process's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    databases = {alias: dict(connections[alias].settings_dict) for alias in connections}
    return multiprocessing.get_context("spawn").Pool(processes, _set_up, (databases,))


def _set_up(databases: dict[str, dict[str, Any]]) -> None:
    django.setup()
    for alias, settings_dict in databases.items():
        connections[alias].settings_dict.update(settings_dict)
