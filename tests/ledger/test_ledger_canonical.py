"""Canonical bytes are RFC 8785 (checked against the rfc8785 package) over everything entries hold."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline.ledger import canonical
from sightline.ledger.canonical import MAX_INT, CanonicalError, canonical_bytes, jsonable

# Text without lone surrogates (they have no UTF-8 form, so no entry can hold one).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
BMP_KEYS = st.text(st.characters(exclude_categories=["Cs"], max_codepoint=0xFFFF), max_size=8)
ANY_KEYS = TEXT
SCALARS = st.none() | st.booleans() | st.integers(-MAX_INT, MAX_INT) | TEXT


def values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=25,
    )


@settings(max_examples=400, deadline=None)
@given(values(BMP_KEYS))
def test_canonical_bytes_equal_rfc8785_for_bmp_keys(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(values(ANY_KEYS))
def test_canonical_bytes_equal_rfc8785_for_any_keys(value: Any) -> None:
    # Keys beyond the BMP sort by UTF-16 code units in RFC 8785, not by code points.
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(values(BMP_KEYS))
def test_the_standard_library_fallback_gives_the_same_bytes(value: Any) -> None:
    # What orjson refuses goes to json.JSONEncoder (public API, no private C hooks): same bytes.
    assert canonical._stdlib_text(value).encode("utf-8") == canonical_bytes(value)


def test_keys_beyond_the_bmp_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\uffff": 2}
    assert canonical_bytes(value) == rfc8785.dumps(value)
    assert canonical_bytes(value).index("\U0001f600".encode()) < canonical_bytes(value).index(b"\xef\xbf\xbf")


def test_escapes_and_non_ascii_text_as_rfc8785() -> None:
    value = {"b": 'quote " backslash \\ tab \t nul \x00 del \x7f', "a": "Zoë 🚸 \u2028"}
    assert canonical_bytes(value) == rfc8785.dumps(value)
    assert canonical_bytes(value).startswith(b'{"a":"Zo\xc3\xab')


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.decimals(allow_nan=False, allow_infinity=False))
def test_floats_and_decimals_become_strings_that_round_trip(number: float | Decimal) -> None:
    stored = jsonable({"x": number})["x"]
    assert isinstance(stored, str)
    assert type(number)(stored) == number


def test_python_values_the_models_hold() -> None:
    value = jsonable(
        {
            "when": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
            "day": dt.date(2026, 3, 1),
            "tags": {"b", "a"},
            "pair": (1, 2),
            "n": 7,
        }
    )
    assert value == {
        "when": "2026-03-01T09:30:00+00:00",
        "day": "2026-03-01",
        "tags": ["a", "b"],
        "pair": [1, 2],
        "n": 7,
    }
    assert canonical_bytes(value) == rfc8785.dumps(value)
    assert json.loads(canonical_bytes(value)) == value


@pytest.mark.parametrize("bad", [2**53, -(2**53), b"raw", object()])
def test_values_outside_the_ledger_space_are_refused(bad: Any) -> None:
    with pytest.raises(CanonicalError):
        jsonable({"x": bad})
