"""The match-weight waterfall: how each field moved a pair of records' match weight, as an accessible
SVG with a text description (the page also shows it as a table)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sightline.people.linkage import explain
from sightline.web.charts import nice_ticks

WF_WIDTH = 680
WF_LABEL_W = 290
WF_RIGHT = 20
WF_TOP = 16
WF_ROW = 40
WF_BOTTOM = 56
POSITIVE = "#00703c"
NEGATIVE = "#d4351c"
NEUTRAL = "#505a5f"
TOTAL = "#1d70b8"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class WaterfallRow:
    title: str
    level: str
    value_l: str
    value_r: str
    weight: float
    running: float


@dataclass(frozen=True)
class Waterfall:
    chart_id: str
    title: str
    description: str
    svg: SafeString
    rows: tuple[WaterfallRow, ...]
    match_weight: float
    match_probability: float
    scored_by_run: bool


def _signed(v: float) -> str:
    return f"{v:+.1f}".replace("-", "\u2212")


def _t(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 13,
    bold: bool = False,
    halo: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    if halo:  # a white outline keeps a value readable where it crosses a line
        weight += ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'

    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-family="arial, sans-serif" fill="{TEXT}"{weight}>{escape(text)}</text>'
    )


def waterfall(explanation: explain.PairExplanation, chart_id: str) -> Waterfall:
    """A horizontal waterfall: from the prior, each field moves the match weight up or down, ending
    at the pair's match weight. Bars carry their signed value as text, so colour is not the only cue."""
    titles = explain.comparison_titles(explanation.encoded)
    rows: list[WaterfallRow] = []
    running = 0.0
    for f in explanation.fields:
        running += f.match_weight
        rows.append(
            WaterfallRow(
                titles.get(f.field, f.field),
                f.level_label,
                f.value_l or "",
                f.value_r or "",
                f.match_weight,
                running,
            )
        )
    starts = [r.running - r.weight for r in rows]
    lo = min([0.0, *starts, *(r.running for r in rows)])
    hi = max([0.0, *starts, *(r.running for r in rows)])
    ticks = nice_ticks(math.floor(lo), math.ceil(hi), 6)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    plot_l, plot_r = WF_LABEL_W + 10, WF_WIDTH - WF_RIGHT
    n = len(rows) + 1
    height = WF_TOP + WF_ROW * n + WF_BOTTOM
    bottom = WF_TOP + WF_ROW * n

    def x(v: float) -> float:
        return plot_l + (plot_r - plot_l) * (v - lo) / ((hi - lo) or 1)

    parts: list[str] = []
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="{WF_TOP}" x2="{x(t):.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(_t(x(t), bottom + 18, _signed(t) if t else "0", anchor="middle", size=12))
    zero = x(0)
    axis = f'x1="{zero:.1f}" y1="{WF_TOP}" x2="{zero:.1f}" y2="{bottom}"'
    parts.append(f'<line {axis} stroke="{TEXT}" stroke-width="2"/>')
    parts.append(
        _t(
            (plot_l + plot_r) / 2,
            bottom + 42,
            "Match weight in bits (above 0: more likely the same person)",
            anchor="middle",
            size=13,
            bold=True,
        )
    )
    for i, (row, start) in enumerate(zip(rows, starts, strict=True)):
        top = WF_TOP + WF_ROW * i
        parts.append(_t(8, top + 17, row.title, bold=True))
        parts.append(_t(8, top + 33, row.level[:46] + ("…" if len(row.level) > 46 else ""), size=12))
        moved = abs(row.weight) >= 0.05
        colour = NEUTRAL if i == 0 or not moved else (POSITIVE if row.weight > 0 else NEGATIVE)
        x0, x1 = sorted((x(start), x(row.running)))
        if x1 - x0 < 2:
            x0, x1 = x0 - 1, x0 + 1  # a field that changed nothing still shows where it stands
        parts.append(
            f'<rect x="{x0:.1f}" y="{top + 8:.1f}" width="{x1 - x0:.1f}" height="24" fill="{colour}"/>'
        )
        label_x, anchor = (x1 + 5, "start") if x1 + 50 < plot_r else (x0 - 5, "end")
        shown = _signed(row.weight) if moved else "0"
        parts.append(_t(label_x, top + 25, shown, anchor=anchor, size=12, bold=True, halo=True))
    top = WF_TOP + WF_ROW * len(rows)
    parts.append(_t(8, top + 17, "Match weight", bold=True))
    parts.append(_t(8, top + 33, f"probability {explanation.match_probability:.1%}", size=12))
    x0, x1 = sorted((x(0), x(explanation.match_weight)))
    parts.append(
        f'<rect x="{x0:.1f}" y="{top + 8:.1f}" width="{max(x1 - x0, 2):.1f}" height="24" fill="{TOTAL}"/>'
    )
    label_x, anchor = (x1 + 5, "start") if x1 + 50 < plot_r else (x0 - 5, "end")
    parts.append(
        _t(label_x, top + 25, _signed(explanation.match_weight), anchor=anchor, size=12, bold=True, halo=True)
    )

    title = (
        f"How each field moved the match weight of {explanation.record_key_l} and {explanation.record_key_r}"
    )
    moves = "; ".join(f"{r.title} {_signed(r.weight)} ({r.level})" for r in rows[1:] if abs(r.weight) >= 0.05)
    description = (
        f"Starting from {_signed(rows[0].weight)} before comparing: {moves or 'no field moved it'}. "
        f"Match weight {_signed(explanation.match_weight)}, probability {explanation.match_probability:.1%}."
    )
    svg = mark_safe(  # noqa: S308  # every text node goes through escape() above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sightline-waterfall__svg" '
        f'viewBox="0 0 {WF_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{WF_WIDTH}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )
    return Waterfall(
        chart_id,
        title,
        description,
        svg,
        tuple(rows),
        explanation.match_weight,
        explanation.match_probability,
        explanation.scored_by_run,
    )
