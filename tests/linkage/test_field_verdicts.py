"""One definition of "differs": the side-by-side tags follow the waterfall's levels."""

from __future__ import annotations

from sightline.people.linkage import model as mdl
from sightline.people.linkage.explain import PairExplanation, field_verdicts
from sightline.people.linkage.types import FieldWeight


def test_tags_follow_the_models_levels() -> None:
    explanation = PairExplanation(
        "a:1",
        "b:2",
        -1.2,
        0.3,
        (
            FieldWeight("prior", "Chance two records are the same person", -13.5),
            FieldWeight("given_name", "Different", -8.0),
            FieldWeight("location", "Same address", 9.0),
        ),
        True,
    )
    verdicts = field_verdicts(explanation)
    assert verdicts["address"] == ("Same address", False)  # "Coronation Cres" is the same address
    assert verdicts["postcode"] == ("Same address", False)
    assert verdicts["given_name"] == ("Different", True)
    assert "phone" not in verdicts  # no level in this explanation: the page compares the text
    assert field_verdicts(None) == {}


def test_identifiers_that_differ_are_tagged_so_whether_or_not_they_can_be_checked() -> None:
    def verdict(label: str) -> tuple[str, bool]:
        fields = (FieldWeight("identifiers", label, 0.0),)
        return field_verdicts(PairExplanation("a:1", "b:2", 0.0, 0.5, fields, False))["pnc_id"]

    assert verdict("Identifier conflicts")[1]
    assert verdict(mdl.UNCHECKED_DIFFERENT)[1]
    assert not verdict("One keystroke apart (likely a typo)")[1]
