"""Blocking that scales: a key whose blocks grow with the town is narrowed until it fits a budget.

Within one town, a key such as given and family name sounds gives pairs that grow with the square
of the town: every "Jack Smith" of a county meets every other. At 100,000 records that is a few
pairs per record; at a million it was about 55 million pairs for the exact names alone, and the
link ran out of memory. A rule over the budget is narrowed, step by step, until it fits:

* a key with no date is split into three rules: the same key and the same three-year birth bucket
  (two overlapping bucketings, so neighbours across a boundary still meet), and the same key where
  either side has no birth year (those records keep their name-only block);
* a piece still over gets the postcode district, or else the exact birth year for its bucket, or
  else both; it is kept (with a warning) if nothing is left to add;
* the undated piece gets the postcode district, and is dropped (with a warning) if still over.

A conditional rule is counted after its condition, and its join (before the condition) must also
stay within JOIN_FACTOR budgets, so that the join itself is selective. Small towns, far under the
budget, get exactly BLOCKING_KEYS.
"""

from __future__ import annotations

import logging

import pandas as pd

from . import model as mdl

log = logging.getLogger(__name__)

# Pairs per record a rule may give before it is narrowed: the name keys give 5.8 and 12.2 at
# 98,939 records (50,000 children), and about ten times that at a million.
PAIRS_PER_RECORD: float = 40
# A conditional rule's join may give this many budgets before its condition filters it: the
# "no family name" rules joined a billion pairs at a million records to keep a few per cent.
JOIN_FACTOR: float = 5
NARROW_BY = ("birth_3y_a", "birth_3y_b")
UNDATED_SIDE = "(l.birth_year IS NULL OR r.birth_year IS NULL)"
# The column a condition needs missing on one side or the other: its pairs are all the key's pairs
# less those among records that have it.
SIDE_MISSING = {UNDATED_SIDE: "birth_year", mdl.SPARSE_SIDE: "family"}
_DATED = {"dob", "dob_ym", "birth_year", *NARROW_BY}

Rule = tuple[tuple[str, ...], str | None]
Keys = tuple[Rule, ...]


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


def rule_pairs(features: pd.DataFrame, rule: Rule) -> tuple[int, int]:
    """(pairs after the rule's condition, pairs its join makes before it). A condition this module
    cannot count is taken as keeping every pair, which errs towards narrowing."""
    spec, condition = rule
    joined = key_pairs(features, spec)
    side = SIDE_MISSING.get(condition or "")
    if condition is None or side is None or side not in features.columns:
        return joined, joined
    return joined - key_pairs(features[features[side].notna()], spec), joined


def _narrower(rule: Rule) -> list[Rule]:
    """Single rules that each block within ``rule``, tried in turn: the postcode district added
    (loses movers), the birth bucket made the exact year (loses estimated ages a year off, common
    where the family name is missing too), then both. District first lost less in the test town."""
    spec, condition = rule
    cols = {c.removesuffix("[]") for c in spec}
    # A postcode already holds its district.
    district = not cols & {"pc_district", "postcode"}
    by_year = tuple(dict.fromkeys("birth_year" if c in NARROW_BY else c for c in spec))
    out: list[tuple[str, ...]] = []
    if district:
        out.append((*spec, "pc_district"))
    if by_year != spec:
        out.append(by_year)
        if district:
            out.append((*by_year, "pc_district"))
    return [(s, condition) for s in out]


def _show(rule: Rule) -> str:
    spec, condition = rule
    name = "+".join(spec)
    if condition == UNDATED_SIDE:
        return name + " (a side undated)"
    if condition is not None:
        return name + " (conditional)"
    return name


def _narrow(features: pd.DataFrame, rule: Rule, budget: int) -> list[Rule]:
    def fits(r: Rule) -> tuple[bool, int]:
        after, joined = rule_pairs(features, r)
        return after <= budget and joined <= JOIN_FACTOR * budget, after

    ok, pairs = fits(rule)
    if ok:
        return [rule]
    spec, condition = rule
    if condition is None and not _DATED & {c.removesuffix("[]") for c in spec}:
        pieces: list[Rule] = [((*spec, b), None) for b in NARROW_BY] + [(spec, UNDATED_SIDE)]
        log.info("blocking on %s narrowed by birth bucket: %s pairs", _show(rule), f"{pairs:,}")
        return [r for piece in pieces for r in _narrow(features, piece, budget)]
    options = _narrower(rule)
    for option in options:
        ok, after = fits(option)
        if ok:
            log.info(
                "blocking on %s (%s pairs) narrowed to %s: %s pairs",
                _show(rule),
                f"{pairs:,}",
                _show(option),
                f"{after:,}",
            )
            return [option]
    if condition == UNDATED_SIDE:
        # Records with no birth year still meet by the other keys (dates, postcodes, identifiers).
        log.warning(
            "blocking on %s dropped: %s pairs, over the budget however narrowed", _show(rule), f"{pairs:,}"
        )
        return []
    last = options[-1] if options else rule
    log.warning(
        "blocking on %s kept as %s over the budget: nothing left to narrow by", _show(rule), _show(last)
    )
    return [last]


def scaled_keys(features: pd.DataFrame, per_record: float | None = None) -> Keys:
    budget = int((PAIRS_PER_RECORD if per_record is None else per_record) * max(len(features), 1))
    out: list[Rule] = []
    for spec, condition in mdl.BLOCKING_KEYS:
        # Single identifiers are left alone: a shared phone or NHS number is worth every pair.
        rules = [(spec, condition)] if len(spec) == 1 else _narrow(features, (spec, condition), budget)
        # Both birth buckets may narrow to the same exact-year rule.
        out += [r for r in dict.fromkeys(rules) if r not in out]
    return tuple(out)
