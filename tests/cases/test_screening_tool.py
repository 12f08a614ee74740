"""The SERAF-style scoring and bands on hand-built answers, at every boundary. No database."""

from __future__ import annotations

import inspect

import pytest

from sightline.cases import screening as tool
from sightline.cases.screening import IndicatorAnswer as A


@pytest.fixture(scope="module")
def seraf() -> tool.IndicatorSet:
    return tool.load_indicator_set(tool.DEFAULT_PATH)


def codes(s: tool.IndicatorSet, kind: str) -> list[str]:
    return [i.code for i in s.indicators if i.kind == kind]


def test_each_vulnerability_scores_one_whenever_present(seraf: tool.IndicatorSet) -> None:
    v = codes(seraf, "vulnerability")
    answers = {v[0]: A(current=True), v[1]: A(earlier=True), v[2]: A(current=True, earlier=True), v[3]: A()}
    result = tool.score_answers(seraf, answers)
    assert result.score == 3
    assert [line.points for line in result.lines] == [1, 1, 1]


def test_moderate_scores_one_only_if_present_in_last_six_months(seraf: tool.IndicatorSet) -> None:
    m = codes(seraf, "moderate")
    assert tool.score_answers(seraf, {m[0]: A(current=True)}).score == 1
    assert tool.score_answers(seraf, {m[0]: A(earlier=True)}).score == 0
    assert tool.score_answers(seraf, {m[0]: A(current=True, earlier=True)}).score == 1


def test_significant_scores_five_current_one_earlier_six_both(seraf: tool.IndicatorSet) -> None:
    s = codes(seraf, "significant")[0]
    assert tool.score_answers(seraf, {s: A(current=True)}).score == 5
    assert tool.score_answers(seraf, {s: A(earlier=True)}).score == 1
    assert tool.score_answers(seraf, {s: A(current=True, earlier=True)}).score == 6
    assert tool.score_answers(seraf, {s: A()}).score == 0


def answers_for(seraf: tool.IndicatorSet, total: int) -> dict[str, A]:
    """Build answers that score exactly ``total``: significant (5) first, then vulnerabilities (1)."""
    out: dict[str, A] = {}
    sig = iter(codes(seraf, "significant"))
    ones = iter(codes(seraf, "vulnerability") + codes(seraf, "moderate"))
    while total >= 5:
        out[next(sig)] = A(current=True)
        total -= 5
    for _ in range(total):
        out[next(ones)] = A(current=True)
    return out


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "not_at_risk"),
        (5, "not_at_risk"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "significant"),
        (40, "significant"),
    ],
)
def test_bands_at_their_boundaries(seraf: tool.IndicatorSet, score: int, band: str) -> None:
    result = tool.score_answers(seraf, answers_for(seraf, score))
    assert result.score == score
    assert result.band.key == band


def test_bands_are_those_the_issue_names(seraf: tool.IndicatorSet) -> None:
    assert [(b.key, b.min) for b in seraf.bands] == [
        ("not_at_risk", 0),
        ("mild", 6),
        ("moderate", 11),
        ("significant", 16),
    ]
    assert seraf.reassess_after_months == 3


def test_unknown_indicator_is_refused(seraf: tool.IndicatorSet) -> None:
    with pytest.raises(tool.IndicatorSetError, match="not an indicator"):
        tool.score_answers(seraf, {"ZZZ": A(current=True)})
    with pytest.raises(tool.IndicatorSetError):
        tool.parse_answers(seraf, {"V01": {"current": True, "bogus": True}})


def test_ethnicity_cannot_reach_the_score(seraf: tool.IndicatorSet) -> None:
    # The scoring function receives only the indicator set and the ticks: no person, no demographics.
    assert list(inspect.signature(tool.score_answers).parameters) == ["indicator_set", "answers"]
    with pytest.raises(tool.IndicatorSetError):
        tool.parse_answers(seraf, {"ethnicity": {"current": True}})
    # ...and no configured indicator set may ask about it.
    raw = {
        "id": "bad",
        "kinds": {"vulnerability": {"current_points": 1, "earlier_points": 1, "combine": "max"}},
        "bands": [{"key": "low", "label": "Low", "min": 0}],
        "indicators": [{"code": "E1", "kind": "vulnerability", "label": "Ethnic minority background"}],
    }
    with pytest.raises(tool.IndicatorSetError, match="ethnicity"):
        tool.parse_indicator_set(raw)
    for indicator in seraf.indicators:
        assert "ethnic" not in indicator.label.lower()


def test_a_custom_indicator_set_is_scored_by_its_own_rules() -> None:
    raw = {
        "id": "custom",
        "kinds": {"flag": {"current_points": 3, "earlier_points": 2, "combine": "sum"}},
        "bands": [{"key": "high", "label": "High", "min": 4}, {"key": "low", "label": "Low", "min": 0}],
        "indicators": [{"code": "F1", "kind": "flag", "label": "A flag"}],
    }
    custom = tool.parse_indicator_set(raw)
    assert [b.key for b in custom.bands] == ["low", "high"]
    result = tool.score_answers(custom, {"F1": A(current=True, earlier=True)})
    assert (result.score, result.band.key) == (5, "high")


def test_malformed_indicator_set_names_the_problem() -> None:
    with pytest.raises(tool.IndicatorSetError, match="kind 'nope'"):
        tool.parse_indicator_set(
            {
                "id": "x",
                "kinds": {"a": {"current_points": 1, "earlier_points": 0}},
                "bands": [{"key": "b", "label": "B", "min": 0}],
                "indicators": [{"code": "C", "kind": "nope", "label": "L"}],
            }
        )
    with pytest.raises(tool.IndicatorSetError, match="lowest band"):
        tool.parse_indicator_set(
            {"id": "x", "kinds": {}, "bands": [{"key": "b", "label": "B", "min": 3}], "indicators": []}
        )
