"""Worker processes that use the database: never forked from a process that has connected.

A child forked from this process inherits its database sockets and driver state; two processes
speaking on one connection get each other's rows. Children come instead from a fork server, a clean
process that has set Django up but never connected (so a pool starts in milliseconds after the
first), and each opens its own connection to its parent's database (under tests, not the configured
one).
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
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sightline.core.django_ready"])
    return context.Pool(processes, _set_up, (databases,))


def _set_up(databases: dict[str, dict[str, Any]]) -> None:
    django.setup()
    for alias, settings_dict in databases.items():
        connections[alias].settings_dict.update(settings_dict)
