"""Encoded records as the linkage reads them, apart from the linking itself (``linkage.encoded``) so
that loading them imports neither Splink nor DuckDB: ``serve``'s master loads this, and DuckDB's
threads do not survive its fork."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sightline.pprl.records import PEOPLE_FIELDS
from sightline.pprl.similarity import prepared_row

COLUMNS = ["unique_id", "sex", *(f.column for f in PEOPLE_FIELDS)]


class SecretMismatch(ValueError):
    """The secret given for a run is not the agreement's: its key check differs."""


def encoded_row(key: str, sex: str, encoded: Mapping[str, str]) -> dict[str, Any]:
    """A stored encoded record as the comparisons read it."""
    row = prepared_row({c: str(encoded.get(c) or "") for c in COLUMNS[2:]})
    return {"unique_id": key, "sex": sex if sex in ("F", "M") else None, **row}
