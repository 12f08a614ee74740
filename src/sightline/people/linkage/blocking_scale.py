"""Blocking that scales: a key whose blocks grow with the town is narrowed by birth bucket.

Within one town, a key such as given and family name sounds gives pairs that grow with the square
of the town: every "Jack Smith" of a county meets every other. At 100,000 records that is a few
pairs per record; at a million it was about 55 million pairs for the exact names alone, and the
link ran out of memory. A key over the budget is split into three rules: the same key and the same
three-year birth bucket (two overlapping bucketings, so neighbours across a boundary still meet),
and the same key where either side has no birth year (those records keep their name-only block).
Keys that already hold a date, an identifier or a condition are left alone. Small towns, far under
the budget, get exactly BLOCKING_KEYS.
"""

from __future__ import annotations

import logging

import pandas as pd

from . import model as mdl

log = logging.getLogger(__name__)

# Pairs per record a key may give before it is narrowed: the name keys give 5.8 and 12.2 at
# 98,939 records (50,000 children), and about ten times that at a million.
PAIRS_PER_RECORD = 40
NARROW_BY = ("birth_3y_a", "birth_3y_b")
UNDATED_SIDE = "(l.birth_year IS NULL OR r.birth_year IS NULL)"
_DATED = {"dob", "dob_ym", "birth_year", *NARROW_BY}

Keys = tuple[tuple[tuple[str, ...], str | None], ...]


def key_pairs(features: pd.DataFrame, spec: tuple[str, ...]) -> int:
    """Pairs that blocking on ``spec`` makes: the sum of n(n-1)/2 over its blocks (exploded arrays
    count each shared element, as Splink's exploded blocking does before removing repeats)."""
    cols = [c.removesuffix("[]") for c in spec]
    frame = features[cols]
    for c in spec:
        if c.endswith("[]"):
            frame = frame.explode(c.removesuffix("[]"))
    sizes = frame.dropna().groupby(cols, sort=False).size()
    return int((sizes * (sizes - 1) // 2).sum())


def scaled_keys(features: pd.DataFrame, per_record: int | None = None) -> Keys:
    budget = (PAIRS_PER_RECORD if per_record is None else per_record) * max(len(features), 1)
    out: list[tuple[tuple[str, ...], str | None]] = []
    for spec, condition in mdl.BLOCKING_KEYS:
        plain = condition is None and not _DATED & {c.removesuffix("[]") for c in spec}
        pairs = key_pairs(features, spec) if plain and len(spec) > 1 else 0
        if pairs > budget:
            log.info("blocking on %s narrowed by birth bucket: %s pairs", "+".join(spec), f"{pairs:,}")
            out += [((*spec, bucket), None) for bucket in NARROW_BY]
            out.append((spec, UNDATED_SIDE))
        else:
            out.append((spec, condition))
    return tuple(out)
