"""Scoring a few records at a time (a search's likelihoods) by running again the SQL that Splink
generated for the same model, rules and columns, instead of generating it again.

Splink builds its SQL from the settings on every ``predict``, parsing each comparison's SQL with
sqlglot: about 0.3 s of Python a call, against a few milliseconds for DuckDB to run it on a hundred
records. That SQL depends on the settings, the input's columns and the term-frequency tables
registered, not on the rows. So the statements of one real ``predict`` (and the tables registered
between them) are kept, per process and per key, and run again in order on a new connection that
holds the new rows under the same names. Nothing is kept from a run that failed, and a replay that
fails returns None: the caller then runs Splink as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

# At most this many records go through a replay: larger runs call Splink once and gain nothing.
MAX_RECORDS = 10_000
_KEPT = 8  # scripts kept per process (one per model and rule set in practice)


@dataclass
class Script:
    """What one ``predict`` ran: statements, and which term-frequency table was registered where."""

    steps: list[tuple[str, str]] = field(default_factory=list)  # ("sql", text) or ("tf", name + col)
    output: str = ""  # the physical name of the predictions table: set when recording ends
    replayable: bool = True


_scripts: OrderedDict[str, Script] = OrderedDict()
_lock = threading.Lock()


def key(described: dict[str, Any], columns: list[tuple[str, str]], tf: dict[str, pd.DataFrame]) -> str:
    tf_shape = {col: [str(t) for t in frame.dtypes] + list(frame.columns) for col, frame in tf.items()}
    text = json.dumps([described, columns, tf_shape], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorder(connection: Any, tf: dict[str, pd.DataFrame]) -> tuple[Any, Script]:
    """A DuckDB database API for Splink that writes down what it runs into a new :class:`Script`."""
    from splink import DuckDBAPI  # noqa: PLC0415 - imports duckdb: not before a web worker forks

    script = Script()
    tf_col = {id(frame): col for col, frame in tf.items()}

    class Recording(DuckDBAPI):
        def _execute_sql_against_backend(self, final_sql: str) -> Any:
            out = super()._execute_sql_against_backend(final_sql)
            if not script.output:
                script.steps.append(("sql", final_sql))  # only statements that ran
            return out

        def _table_registration(self, input: Any, table_name: str) -> None:
            super()._table_registration(input, table_name)
            col = tf_col.get(id(input))
            if col is None:  # not a table we can give it again: this predict is not kept
                script.replayable = False
            elif not script.output:
                script.steps.append(("tf", json.dumps([table_name, col])))

    return Recording(connection=connection), script


def keep(name: str, script: Script) -> None:
    if not script.replayable or not script.output:
        return
    with _lock:
        _scripts[name] = script
        _scripts.move_to_end(name)
        while len(_scripts) > _KEPT:
            _scripts.popitem(last=False)


def run(
    name: str, load: Callable[[], Any], tf: dict[str, pd.DataFrame], wanted: list[str]
) -> pd.DataFrame | None:
    """The ``wanted`` columns of the predictions, by the script kept under ``name``; None if there is
    none or it fails. ``load`` gives a new connection holding the input table."""
    script = _scripts.get(name)
    if script is None:
        return None
    con = None
    try:
        con = load()
        for kind, text in script.steps:
            if kind == "sql":
                con.sql(text)
            else:
                table, col = json.loads(text)
                con.register(table, tf[col])
        frame: pd.DataFrame = con.sql(f"SELECT {', '.join(wanted)} FROM {script.output}").df()
        return frame
    except Exception as exc:  # a statement that no longer fits: forget it, Splink runs instead
        log.warning("replaying Splink's SQL failed (%s); generating it again", exc)
        with _lock:
            _scripts.pop(name, None)
        return None
    finally:
        if con is not None:
            con.close()
