"""Scoring a few pairs in Python, by the trained model's own conditions (a search's likelihoods).

A search compares what was typed with a hundred people's records: a few hundred pairs. DuckDB runs
Splink's SQL for them in about 90 ms, nearly all of it fixed cost (a connection, loading the rows,
planning one very long statement). Here each level's SQL condition is parsed once per model (sqlglot,
which Splink itself uses) and translated into a Python expression with SQL's three-valued logic, so
a pair gets the level Splink's ``CASE WHEN`` would give it, and the same Bayes factors. A condition
using anything not translated here raises :class:`Unsupported`, and callers run Splink instead.
Agreement with Splink is tested pair by pair (tests/people/test_pyscore.py).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jellyfish
import pandas as pd
from sqlglot import exp, parse_one

from sightline.people.linkage.backends import _column_types as column_types
from sightline.people.linkage.backends import python_value

Record = Mapping[str, Any]
_COLUMN = re.compile(r"^([a-z][a-z0-9_]*)_(l|r)$")


class Unsupported(ValueError):
    """The model uses SQL this module does not translate."""


# --- SQL functions as DuckDB computes them (NULL in, NULL out) -----------------------------------
# DuckDB's string distances count bytes: the strings go in as UTF-8 bytes, one character each.


def _bytes(s: str) -> str:
    return s.encode("utf-8").decode("latin-1")


def _jw(a: str | None, b: str | None) -> float | None:
    if a is None or b is None:
        return None
    return float(jellyfish.jaro_winkler_similarity(_bytes(a), _bytes(b)))


def _lev(a: str | None, b: str | None) -> int | None:
    return None if a is None or b is None else jellyfish.levenshtein_distance(_bytes(a), _bytes(b))


def _dl(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    return jellyfish.damerau_levenshtein_distance(_bytes(a), _bytes(b))


def _cmp(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool | None]:
    return lambda a, b: None if a is None or b is None else op(a, b)


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _substr(s: str | None, start: int, length: int) -> str | None:
    return None if s is None else s[start - 1 : start - 1 + length]


def _overlap(a: Sequence[Any] | None, b: Sequence[Any] | None) -> bool | None:
    if a is None or b is None:
        return None
    return not {x for x in a if x is not None}.isdisjoint(b)


def _contains(items: Sequence[Any] | None, x: Any) -> bool | None:
    return None if items is None or x is None else x in items


HELPERS: dict[str, Any] = {
    "_jw": _jw,
    "_lev": _lev,
    "_dl": _dl,
    "_coalesce": _coalesce,
    "_substr": _substr,
    "_overlap": _overlap,
    "_contains": _contains,
    "_abs": lambda a: None if a is None else abs(a),
    "_len": lambda a: None if a is None else len(a),
    "_sub": _cmp(lambda a, b: a - b),
    "_add": _cmp(lambda a, b: a + b),
    "_eq": _cmp(lambda a, b: a == b),
    "_ne": _cmp(lambda a, b: a != b),
    "_gt": _cmp(lambda a, b: a > b),
    "_ge": _cmp(lambda a, b: a >= b),
    "_lt": _cmp(lambda a, b: a < b),
    "_le": _cmp(lambda a, b: a <= b),
}
_BINARY: dict[type[exp.Expr], str] = {
    exp.EQ: "_eq",
    exp.NEQ: "_ne",
    exp.GT: "_gt",
    exp.GTE: "_ge",
    exp.LT: "_lt",
    exp.LTE: "_le",
    exp.Sub: "_sub",
    exp.Add: "_add",
    exp.JarowinklerSimilarity: "_jw",
    exp.Levenshtein: "_lev",
    exp.ArrayOverlaps: "_overlap",
    exp.ArrayContains: "_contains",
}
_ANONYMOUS = {"damerau_levenshtein": "_dl", "list_has_any": "_overlap", "jaro_winkler_similarity": "_jw"}


# --- translation: is it TRUE, is it FALSE, and its value (None for NULL) --------------------------


def _is(node: exp.Expr, truth: bool) -> str:
    """A Python expression that holds when the SQL ``node`` is TRUE (``truth``) or FALSE: never when
    it is NULL. De Morgan's laws carry NOT through AND and OR."""
    if isinstance(node, exp.Paren):
        return _is(node.this, truth)
    if isinstance(node, (exp.And, exp.Or)):
        joiner = " and " if isinstance(node, exp.And) == truth else " or "
        return f"({_is(node.this, truth)}{joiner}{_is(node.expression, truth)})"
    if isinstance(node, exp.Not):
        return _is(node.this, not truth)
    return f"({_value(node)} is {truth})"


def _value(node: exp.Expr) -> str:
    if isinstance(node, (exp.And, exp.Or, exp.Not)):
        return f"(True if {_is(node, True)} else (False if {_is(node, False)} else None))"
    if isinstance(node, exp.Paren):
        return _value(node.this)
    if isinstance(node, exp.Column):
        match = _COLUMN.match(node.name)
        if match is None or node.table:
            raise Unsupported(f"column {node.sql()}")
        side = "L" if match.group(2) == "l" else "R"
        return f"{side}[{match.group(1)!r}]"
    if isinstance(node, exp.Literal):
        return repr(node.this) if node.is_string else repr(float(node.this))
    if isinstance(node, exp.Boolean):
        return repr(bool(node.this))
    if isinstance(node, exp.Null):
        return "None"
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        return f"({_value(node.this)} is None)"
    if isinstance(node, exp.Coalesce):
        return f"_coalesce({', '.join(_value(e) for e in [node.this, *node.expressions])})"
    if isinstance(node, exp.Abs):
        return f"_abs({_value(node.this)})"
    if isinstance(node, exp.Length):
        return f"_len({_value(node.this)})"
    if isinstance(node, exp.Substring):
        start, length = node.args.get("start"), node.args.get("length")
        if not isinstance(start, exp.Literal) or not isinstance(length, exp.Literal):
            raise Unsupported(f"substring {node.sql()}")
        return f"_substr({_value(node.this)}, {int(start.this)}, {int(length.this)})"
    helper = _BINARY.get(type(node))
    if helper is not None:
        return f"{helper}({_value(node.this)}, {_value(node.expression)})"
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in _ANONYMOUS:
        args = ", ".join(_value(e) for e in node.expressions)
        return f"{_ANONYMOUS[str(node.this).lower()]}({args})"
    raise Unsupported(f"{type(node).__name__}: {node.sql()}")


# --- a model, compiled ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    name: str
    level_of: Callable[[Record, Record], int]  # index into weights; -1 for the null level
    weights: tuple[float, ...]  # log2 Bayes factor of each level but the null one


@dataclass(frozen=True)
class Scorer:
    prior_bits: float
    comparisons: tuple[Comparison, ...]
    columns: frozenset[str]  # the record columns the conditions read

    def pair(self, left: Record, right: Record) -> tuple[float, dict[str, float]]:
        """(match probability, match weight of each comparison that is not null) for records whose
        unique ids are in this order, as Splink orders a pair."""
        bits = self.prior_bits
        weights: dict[str, float] = {}
        for c in self.comparisons:
            i = c.level_of(left, right)
            if i >= 0:
                weights[c.name] = c.weights[i]
                bits += c.weights[i]
        odds = 2.0**bits
        return (1.0 if math.isinf(odds) else odds / (1.0 + odds)), weights


def _compile_comparison(comparison: Mapping[str, Any]) -> Comparison:
    name = str(comparison["output_column_name"])
    lines = ["def level_of(L, R):"]
    weights: list[float] = []
    for lv in comparison["comparison_levels"]:
        test = _is(_parsed(lv), True)
        if lv.get("is_null_level"):
            lines.append(f"    if {test}: return -1")
            continue
        m, u = lv.get("m_probability"), lv.get("u_probability")
        if not m or not u:
            raise Unsupported(f"{name}: a level without m and u probabilities")
        weights.append(math.log2(float(m) / float(u)))
        lines.append(f"    if {test}: return {len(weights) - 1}")
    lines.append("    return -2")  # no level held: Splink's CASE gives NULL, which weighs nothing
    namespace = dict(HELPERS)
    # The source is built from the model's own conditions (names checked, literals repr'd).
    exec(compile("\n".join(lines), f"<level of {name}>", "exec"), namespace)  # noqa: S102
    return Comparison(name, namespace["level_of"], tuple(weights))


_compiled: dict[str, Scorer] = {}
_lock = threading.Lock()


def scorer(model: Mapping[str, Any]) -> Scorer:
    """The model compiled (kept per process, by content). Raises Unsupported. Term frequencies are
    neutral, as a search's must be: a few records say nothing about how common a name is."""
    digest = hashlib.sha256(json.dumps(model, sort_keys=True, default=str).encode()).hexdigest()
    found = _compiled.get(digest)
    if found is not None:
        return found
    prior = float(model["probability_two_random_records_match"])
    columns = {
        match.group(1)
        for c in model["comparisons"]
        for lv in c["comparison_levels"]
        for match in [_COLUMN.match(col.name) for col in _parsed(lv).find_all(exp.Column)]
        if match is not None
    }
    made = Scorer(
        math.log2(prior / (1.0 - prior)),
        tuple(_compile_comparison(c) for c in model["comparisons"]),
        frozenset(columns),
    )
    with _lock:
        _compiled[digest] = made
    return made


def _parsed(level: Mapping[str, Any]) -> exp.Expr:
    sql = str(level["sql_condition"]).strip()
    return exp.Boolean(this=True) if sql.upper() == "ELSE" else parse_one(sql, read="duckdb")


def records(features: pd.DataFrame, columns: frozenset[str]) -> dict[str, dict[str, Any]]:
    """The ``columns`` of each prepared record as plain Python values (NULL as None), by unique id,
    each cast as the DuckDB backend casts its column. A column the records lack is NULL."""
    kinds = dict(column_types(features))
    present = [c for c in features.columns if c in columns]
    out: dict[str, dict[str, Any]] = {}
    for key, *values in features[["unique_id", *present]].itertuples(index=False, name=None):
        row = dict.fromkeys(columns)
        row.update((c, python_value(v, kinds[c])) for c, v in zip(present, values, strict=True))
        out[str(key)] = row
    return out
