"""An alert's reasons split into sentences as the engine wrote them: at ". " before a capital, never
inside an [evidence list] or an (id)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sightline.intelligence.selectors.alerts import reason_lines, split_sentences


def _reference(text: str) -> list[str]:
    """The rule, one character at a time."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth = max(depth - 1, 0)
        elif ch == "." and depth == 0 and text[i + 1 : i + 2] == " " and text[i + 2 : i + 3].isupper():
            out.append(text[start : i + 1])
            start = i + 2
    out.append(text[start:])
    return out


@given(st.text(alphabet="aB. [](). xÉé:-1", max_size=60))
def test_sentences_split_as_the_rule_says(text: str) -> None:
    assert split_sentences(text) == _reference(text)


def test_evidence_and_ids_keep_their_full_stops() -> None:
    text = (
        "Seen at night [police:E1. Also health:R2. ] (P-0123456789AB. Ok). "
        "Missing three times [social_care:M1]. Older boyfriend."
    )
    assert reason_lines(text) == [
        "Seen at night [police:E1. Also health:R2. ] (P-0123456789AB. Ok).",
        "Missing three times [social_care:M1].",
        "Older boyfriend.",
    ]
