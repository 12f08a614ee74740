"""Screening tools: a configurable indicator set and its scoring. Pure Python, no database.

The score supports professional judgement and never replaces it (an override needs a reason; see
``services.do_complete_screening``). Ethnicity is never an input: :func:`score_answers` receives only the
indicator set and the ticked answers, never a person, and an indicator set that mentions ethnicity or race
is refused when it is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

DEFAULT_PATH = Path(__file__).resolve().parent / "indicators" / "seraf.yaml"

# Words that must never be part of an indicator: ethnicity is recorded, never scored.
_FORBIDDEN = re.compile(r"\b(ethnic\w*|race|racial|skin colou?r)\b", re.IGNORECASE)


class IndicatorSetError(ValueError):
    """The indicator set file is malformed, or an answer names an indicator it does not have."""


@dataclass(frozen=True)
class KindRule:
    """How one kind of indicator scores: points for "current" and "earlier", summed or the larger."""

    key: str
    label: str
    current_points: int
    earlier_points: int
    combine: str  # "sum" or "max"

    def points(self, current: bool, earlier: bool) -> int:
        parts = [self.current_points if current else 0, self.earlier_points if earlier else 0]
        return max(parts) if self.combine == "max" else sum(parts)


@dataclass(frozen=True)
class Indicator:
    code: str
    kind: str
    label: str
    factor_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    min: int


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    name: str
    version: int
    reassess_after_months: int
    kinds: Mapping[str, KindRule]
    bands: tuple[Band, ...]
    indicators: tuple[Indicator, ...]
    by_code: Mapping[str, Indicator] = field(default_factory=dict)

    def band(self, key: str) -> Band:
        for band in self.bands:
            if band.key == key:
                return band
        raise IndicatorSetError(f"{self.id} has no band {key!r}; bands are {[b.key for b in self.bands]}")

    def band_for(self, score: int) -> Band:
        """The highest band whose minimum the score reaches (bands are sorted by minimum)."""
        chosen = self.bands[0]
        for band in self.bands:
            if score >= band.min:
                chosen = band
        return chosen


@dataclass(frozen=True)
class IndicatorAnswer:
    """One indicator's ticks. ``current``: now (moderate: within the last 6 months); ``earlier``: 6-12
    months ago."""

    current: bool = False
    earlier: bool = False

    @property
    def present(self) -> bool:
        return self.current or self.earlier


@dataclass(frozen=True)
class ScoreLine:
    code: str
    kind: str
    points: int


@dataclass(frozen=True)
class ScreeningScore:
    score: int
    band: Band
    lines: tuple[ScoreLine, ...]


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise IndicatorSetError(f"{where} must be a whole number of 0 or more, not {value!r}")
    return value


def parse_indicator_set(raw: Mapping[str, Any], source: str = "indicator set") -> IndicatorSet:
    """Build an :class:`IndicatorSet` from parsed YAML/JSON, naming the first problem found."""
    if not isinstance(raw, Mapping):
        raise IndicatorSetError(f"{source}: the top level must be a mapping")
    try:
        kinds: dict[str, KindRule] = {}
        for key, rule in dict(raw["kinds"]).items():
            combine = rule.get("combine", "sum")
            if combine not in {"sum", "max"}:
                raise IndicatorSetError(f"{source}: kinds.{key}.combine must be sum or max")
            kinds[key] = KindRule(
                key=key,
                label=str(rule.get("label", key)),
                current_points=_int(rule["current_points"], f"{source}: kinds.{key}.current_points"),
                earlier_points=_int(rule["earlier_points"], f"{source}: kinds.{key}.earlier_points"),
                combine=combine,
            )
        bands = tuple(
            sorted(
                (
                    Band(key=str(b["key"]), label=str(b["label"]), min=_int(b["min"], f"{source}: band"))
                    for b in raw["bands"]
                ),
                key=lambda b: b.min,
            )
        )
        indicators: list[Indicator] = []
        for i, item in enumerate(raw["indicators"]):
            code, kind, label = str(item["code"]), str(item["kind"]), str(item["label"])
            where = f"{source}: indicators[{i}] ({code})"
            if kind not in kinds:
                raise IndicatorSetError(f"{where}: kind {kind!r} is not one of {sorted(kinds)}")
            if _FORBIDDEN.search(code) or _FORBIDDEN.search(label):
                raise IndicatorSetError(f"{where}: ethnicity or race can never be a screening indicator")
            indicators.append(
                Indicator(code, kind, label, tuple(str(c) for c in item.get("factor_codes", ())))
            )
        set_ = IndicatorSet(
            id=str(raw["id"]),
            name=str(raw.get("name", raw["id"])),
            version=_int(raw.get("version", 1), f"{source}: version"),
            reassess_after_months=_int(
                raw.get("reassess_after_months", 3), f"{source}: reassess_after_months"
            ),
            kinds=kinds,
            bands=bands,
            indicators=tuple(indicators),
            by_code={ind.code: ind for ind in indicators},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise IndicatorSetError(f"{source}: missing or malformed entry ({exc})") from exc
    if not set_.bands or set_.bands[0].min != 0:
        raise IndicatorSetError(f"{source}: the lowest band must start at 0")
    if len(set_.by_code) != len(set_.indicators):
        raise IndicatorSetError(f"{source}: indicator codes must be unique")
    return set_


def load_indicator_set(path: str | Path) -> IndicatorSet:
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        return parse_indicator_set(yaml.safe_load(fh), source=str(path))


@lru_cache(maxsize=8)
def _cached(path: str) -> IndicatorSet:
    return load_indicator_set(path)


def default_indicator_set() -> IndicatorSet:
    """The deployment's indicator set: ``settings.SIGHTLINE_SCREENING_INDICATORS`` or the shipped file."""
    return _cached(str(getattr(settings, "SIGHTLINE_SCREENING_INDICATORS", None) or DEFAULT_PATH))


def parse_answers(indicator_set: IndicatorSet, raw: Mapping[str, Any]) -> dict[str, IndicatorAnswer]:
    """Answers from ``{code: {"current": bool, "earlier": bool}}``; unknown codes are refused."""
    answers: dict[str, IndicatorAnswer] = {}
    for code, value in raw.items():
        if code not in indicator_set.by_code:
            raise IndicatorSetError(f"{code!r} is not an indicator of {indicator_set.id}")
        if isinstance(value, IndicatorAnswer):
            answers[code] = value
        elif isinstance(value, Mapping):
            unknown = set(value) - {"current", "earlier"}
            if unknown:
                raise IndicatorSetError(f"{code}: unknown answer fields {sorted(unknown)}")
            answers[code] = IndicatorAnswer(bool(value.get("current")), bool(value.get("earlier")))
        else:
            raise IndicatorSetError(f"{code}: answer must be {{current, earlier}}, not {value!r}")
    return answers


def score_answers(indicator_set: IndicatorSet, answers: Mapping[str, IndicatorAnswer]) -> ScreeningScore:
    """Score ticked indicators. Takes no person and no demographic field, by design."""
    lines: list[ScoreLine] = []
    for code, answer in sorted(answers.items()):
        indicator = indicator_set.by_code.get(code)
        if indicator is None:
            raise IndicatorSetError(f"{code!r} is not an indicator of {indicator_set.id}")
        points = indicator_set.kinds[indicator.kind].points(answer.current, answer.earlier)
        if points:
            lines.append(ScoreLine(code, indicator.kind, points))
    total = sum(line.points for line in lines)
    return ScreeningScore(score=total, band=indicator_set.band_for(total), lines=tuple(lines))
