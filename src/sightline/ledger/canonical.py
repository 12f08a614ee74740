"""Canonical JSON bytes for ledger entries (RFC 8785 for the values the ledger allows).

RFC 8785 and ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` produce the
same bytes for strings, integers, booleans, null, lists and objects whose keys are in the Basic
Multilingual Plane. Floats are where they differ, so entries carry no floats: :func:`jsonable` turns
them (and Decimals) into strings. Keys beyond the BMP sort differently (RFC 8785 orders keys by
UTF-16 code units, Python by code points), so text holding such characters is encoded by the
rfc8785 package instead. The stdlib encoder is six times faster than that pure-Python package,
which the tests use as the reference (docs/decisions/0002-canonical-json.md). orjson produces the
same bytes as that stdlib encoder for every value :func:`jsonable` returns, about six times faster
again; anything it refuses (lone surrogates, say) goes to the stdlib encoder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from typing import Any

import orjson
import rfc8785

# I-JSON (RFC 7493) integers: exactly representable as IEEE 754 doubles, as RFC 8785 requires.
MAX_INT = 2**53 - 1


def _refuse(value: Any) -> Any:
    raise CanonicalError(f"{type(value).__name__} cannot go into a ledger entry; pass it through jsonable()")


# For what orjson refuses. No cycle check: jsonable's output never holds one.
_encoder = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
    default=_refuse,
)


_ASTRAL_UTF8 = re.compile(b"[\xf0-\xf4]")


class CanonicalError(TypeError):
    pass


def jsonable(value: Any) -> Any:
    """Convert a Python value to the JSON subset the ledger stores."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise CanonicalError(f"integer {value} is outside the I-JSON range")
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        # One form per instant: the database hands back UTC, so a local-time value would differ.
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise CanonicalError("bytes are not allowed in ledger entries")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    raise CanonicalError(f"{type(value).__name__} cannot go into a ledger entry")


# Passthrough: dates and dataclasses are refused (as by the stdlib encoder), not silently encoded.
_SORT_KEYS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _stdlib_text(obj: Any) -> str:
    return _encoder.encode(obj)


def encode_text(obj: Any) -> str:
    """JSON text with sorted keys and no whitespace, for jsonable data with keys in the BMP (the
    caller checks for astral characters: see :func:`canonical_bytes`)."""
    try:
        return orjson.dumps(obj, option=_SORT_KEYS).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: lone surrogates, huge integers, foreign types
        return _stdlib_text(obj)


def canonical_bytes(obj: Any) -> bytes:
    """Serialise already-jsonable data; callers pass the output of :func:`jsonable`."""
    try:
        data = orjson.dumps(obj, option=_SORT_KEYS)
    except TypeError:
        data = _stdlib_text(obj).encode("utf-8")
    # A character beyond the BMP (four bytes in UTF-8), perhaps in a key: let the reference order
    # the keys, since RFC 8785 sorts by UTF-16 code units.
    if not data.isascii() and _ASTRAL_UTF8.search(data):
        return rfc8785.dumps(obj)
    return data
