from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_pragmas(sender: Any, connection: Any, **kwargs: Any) -> None:
    # WAL lets readers run beside the single writer; FULL sync makes each commit durable.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")


class LedgerConfig(AppConfig):
    name = "sightline.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        connection_created.connect(_sqlite_pragmas, dispatch_uid="sightline-sqlite-pragmas")
