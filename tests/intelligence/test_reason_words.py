"""An alert's reasons as pages show them: dates in words, agencies by name, no people's ids in lists."""

from __future__ import annotations

from sightline.intelligence.selectors import plain_reason, top_reasons

REASONS = (
    "Child aged 14; no agency has flagged this child for sexual exploitation. "
    "Missing or absent 3 times, 2026-09-23 to 2026-10-10 [police:OCC-0001057, social_care:CSE0001314]. "
    "With adult of concern Mad-Dog (P-344F227F8EF8), linked to 7 children (score 16.3): named as suspect "
    "[police:OCC-0000965]."
)


def test_lists_show_reasons_in_words_without_evidence_or_ids() -> None:
    assert top_reasons(REASONS) == [
        "Child aged 14; no agency has flagged this child for sexual exploitation.",
        "Missing or absent 3 times, 23 Sep 2026 to 10 Oct 2026.",
        "With adult of concern Mad-Dog, linked to 7 children (score 16.3): named as suspect.",
    ]


def test_the_alert_page_names_each_records_agency() -> None:
    names = {"police": "Police", "social_care": "Children's social care"}
    line = "Missing or absent 3 times, 2026-09-23 to 2026-10-10 [police:OCC-0001057, social_care:CSE0001314]."
    assert plain_reason(line, names) == (
        "Missing or absent 3 times, 23 Sep 2026 to 10 Oct 2026"
        " [Police OCC-0001057, Children's social care CSE0001314]."
    )
    # an unknown agency keeps its code; an impossible date is left as written
    assert plain_reason("Seen 2026-02-30 [youth:Y1].", names) == "Seen 2026-02-30 [youth Y1]."
