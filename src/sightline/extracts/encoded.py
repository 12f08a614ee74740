"""Checks for encoded extracts (`encoding` in the manifest, docs/pprl.md), and how their rows are
split into what is stored as an ordinary record and what is kept only as encodings.

An encoded extract must hold no plain identifier, every filter must have the manifest's length and
every salted filter list its salts, one for one. Each fault is a ``Problem`` naming file, row and
column, so an extract with any of them is refused whole, like any other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Collection
from typing import Any

from sightline.extracts.reading import Problem
from sightline.pprl.bloom import HARDENINGS, SCHEME
from sightline.pprl.records import EVENT_FIELDS, IDENTIFYING_EVENTS, IDENTIFYING_PEOPLE, PEOPLE_FIELDS

PEOPLE_ENCODED = frozenset(f.column for f in PEOPLE_FIELDS if f.kind != "plain")
FILTERS = {f.column for f in (*PEOPLE_FIELDS, *EVENT_FIELDS) if f.kind.startswith("bloom")}
DIGESTS = {f.column for f in (*PEOPLE_FIELDS, *EVENT_FIELDS) if f.kind.startswith("digest")}
# Filter lists salted one for one: the salt at position i is the salt of the filter at position i.
SALTED = {"given_bf": "given_salts", "family_bf": "family_salts", "fullname_bf": "fullname_salts"}
# Never in an encoded extract: the encoder leaves these out (ethnicity is special-category data).
PLAIN_PEOPLE = IDENTIFYING_PEOPLE | {"ethnicity"}
# Free-text summaries name people: the encoder never keeps them, so neither does an import.
PLAIN_EVENTS = IDENTIFYING_EVENTS


def agreement_of(encoding: dict[str, Any]) -> str:
    """What two extracts must share for their encodings to compare (not secret: no key is in it)."""
    keys = ("scheme", "salt", "key_check", "hardening", "filter_bits", "names_salted_by_year")
    text = json.dumps([encoding.get(k) for k in keys], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def check_manifest(encoding: Any, file: str, problems: list[Problem]) -> int | None:
    """The manifest's `encoding`; returns the filter length in bytes, or None when unusable."""
    before = len(problems)

    def bad(key: str, reason: str) -> None:
        problems.append(Problem(file, 1, f"encoding.{key}" if key else "encoding", reason))

    if not isinstance(encoding, dict):
        bad("", "must be an object describing the encoding (docs/pprl.md)")
        return None
    if encoding.get("scheme") != SCHEME:
        bad("scheme", f"is {encoding.get('scheme')!r}; this importer reads {SCHEME!r}")
    for key in ("salt", "key_check"):
        if not isinstance(encoding.get(key), str) or not encoding[key]:
            bad(key, "required: the agreement's salt and key check, as `sightline pprl encode` writes them")
    if encoding.get("hardening") not in HARDENINGS:
        bad("hardening", f"is {encoding.get('hardening')!r}; expected one of {', '.join(HARDENINGS)}")
    bits = encoding.get("filter_bits")
    if not isinstance(bits, int) or isinstance(bits, bool) or bits <= 0 or bits % 8:
        bad("filter_bits", f"is {bits!r}; expected a positive whole number of bytes in bits (e.g. 1024)")
        return None
    return None if len(problems) > before else bits // 8


def _decoded_length(value: str) -> int | None:
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return None


def check_rows(
    label: str,
    columns: Collection[str],
    rows: list[tuple[int, dict[str, Any]]],
    nbytes: int,
    plain: Collection[str],
    problems: list[Problem],
) -> None:
    """Every row of one file of an encoded extract: no plain identifier, filters of the right length,
    digests in base64, salts for every salted filter."""
    for column in sorted(set(columns) & set(plain)):
        problems.append(
            Problem(label, 1, column, "a plain identifying column in an encoded extract: encode or drop it")
        )
    filters = [c for c in columns if c in FILTERS]
    digests = [c for c in columns if c in DIGESTS]
    salted = [(c, s) for c, s in SALTED.items() if c in columns]
    for row, data in rows:
        for column in filters:
            for i, item in enumerate(x for x in str(data.get(column) or "").split(";") if x):
                size = _decoded_length(item)
                if size != nbytes:
                    what = "not base64" if size is None else f"{size * 8} bits"
                    reason = f"filter {i + 1} is {what}; the manifest says filter_bits {nbytes * 8}"
                    problems.append(Problem(label, row, column, reason))
        for column in digests:
            for item in (x for x in str(data.get(column) or "").split(";") if x):
                if _decoded_length(item) is None:
                    problems.append(Problem(label, row, column, f"{item[:20]!r} is not a base64 digest"))
                    break
        for column, salts in salted:
            n = len([x for x in str(data.get(column) or "").split(";") if x])
            if not n:
                continue
            m = len([x for x in str(data.get(salts) or "").split(";") if x])
            if salts not in columns or m == 0:
                problems.append(Problem(label, row, salts, f"missing: {column} has {n} filters and no salts"))
            elif m != n:
                problems.append(
                    Problem(label, row, salts, f"{m} salts for {n} filters in {column}: they go one for one")
                )


def split_record(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An encoded people.csv row as (what the ordinary record holds, the encoded columns). The first
    carries a digest of the second, so a re-sent row whose encodings changed is a new version."""
    encoded = {k: v for k, v in data.items() if k in PEOPLE_ENCODED}
    plain = {k: v for k, v in data.items() if k not in PEOPLE_ENCODED}
    text = json.dumps(encoded, sort_keys=True, separators=(",", ":"))
    plain["encoded"] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return plain, encoded
