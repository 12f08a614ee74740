"""Disclosure control over random tables (hypothesis): no published figure shows a count from 1 to 5, and
no suppressed count can be worked out from the published counts and totals, by an attacker who knows
the rounding rule and that zeros are published. Checked with an independent exact LP
(``exact_lp.py``) and, on tiny tables, by trying every whole-number assignment."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.reports import sdc

from .exact_lp import AttackerLP, integer_values, lp_range, true_range

# Many zeros and counts from 1 to 5, some middling, a few large.
COUNT = st.one_of(
    st.just(0),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(6, 15),
    st.integers(16, 120),
)
MARGINS = st.builds(sdc.Margins, rows=st.booleans(), columns=st.booleans(), grand=st.booleans())


@st.composite
def tables(draw: Any, max_rows: int = 5, max_cols: int = 5, cell: Any = COUNT) -> list[list[Any]]:
    rows = draw(st.integers(1, max_rows))
    cols = draw(st.integers(1, max_cols))
    return [[draw(cell) for _ in range(cols)] for _ in range(rows)]


def _lines(grid: list[list[Any]], out: sdc.Protected) -> list[list[tuple[int, int]]]:
    n_rows, n_cols = len(grid), len(grid[0])
    lines = []
    if out.row_totals is not None:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows) if out.row_totals[i] != "c"]
    if out.column_totals is not None:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols) if out.column_totals[j] != "c"]
    return lines


def _check_published(grid: list[list[Any]], out: sdc.Protected, base: int) -> None:
    for i, row in enumerate(grid):
        for j, true in enumerate(row):
            shown = out.cells[i][j]
            if true in (sdc.X, sdc.Z):
                assert shown == true
            elif true == 0:
                assert shown == "0", "zeros are true zeros and are always published"
            elif 1 <= true <= sdc.THRESHOLD:
                assert shown == "c", f"count {true} published directly"
            else:
                assert shown in ("c", str(true))
            assert shown in ("c", "x", "z") or shown.isdigit()
            if shown.isdigit():
                assert not 1 <= int(shown) <= sdc.THRESHOLD

    def check_total(shown: str, values: list[Any]) -> None:
        counts = [v for v in values if isinstance(v, int)]
        if not counts:
            assert shown in ("x", "z")
            return
        if shown == "c":
            return  # a total suppressed as a last resort
        assert shown == sdc.round_count(sum(counts), base)
        rng = true_range(shown, base)
        assert rng is not None and rng[0] <= sum(counts) <= rng[1]
        if shown.isdigit():
            assert int(shown) % base == 0
            assert int(shown) == 0 or int(shown) > sdc.THRESHOLD or base == 1

    if out.row_totals is not None:
        for i, shown in enumerate(out.row_totals):
            check_total(shown, grid[i])
    if out.column_totals is not None:
        for j, shown in enumerate(out.column_totals):
            check_total(shown, [row[j] for row in grid])
    if out.grand_total is not None:
        check_total(out.grand_total, [v for row in grid for v in row])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=tables(), margins=MARGINS, base=st.sampled_from([10, 10, 1]))
def test_no_small_count_is_published_or_recoverable(
    grid: list[list[int]], margins: sdc.Margins, base: int
) -> None:
    out = sdc.protect(grid, margins=margins, base=base)
    _check_published(grid, out, base)
    assert out.primary == {
        (i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if 1 <= v <= sdc.THRESHOLD
    }
    assert out.primary | out.secondary == out.suppressed
    attacker = AttackerLP(out)
    for cell in out.suppressed:
        true = grid[cell[0]][cell[1]]
        lo, hi = attacker.range(cell)
        assert lo <= true and (hi is None or true <= hi), "the true value must be feasible"
        assert hi is None or hi > lo, f"suppressed cell {cell} (true {true}) is pinned to {lo}"
        # The production audit (network simplex) finds the same bounds as the independent LP.
        assert sdc.feasible_range(out, cell) == (lo, hi)
    # The standard rule holds wherever it can: a published line with one suppressed cell has a
    # second, unless nothing non-zero is left in it to suppress.
    for line in _lines(grid, out):
        hidden = [c for c in line if out.cells[c[0]][c[1]] == "c"]
        if len(hidden) == 1:
            assert not [c for c in line if out.cells[c[0]][c[1]].isdigit() and out.cells[c[0]][c[1]] != "0"]


@settings(max_examples=150, deadline=None)
@given(
    grid=tables(max_rows=3, max_cols=3, cell=st.integers(0, 7)),
    margins=st.builds(sdc.Margins, rows=st.just(True), columns=st.booleans(), grand=st.booleans()),
    base=st.sampled_from([10, 1]),
)
def test_every_suppressed_cell_has_two_whole_number_values_by_exhaustive_search(
    grid: list[list[int]], margins: sdc.Margins, base: int
) -> None:
    out = sdc.protect(grid, margins=margins, base=base)
    hidden = sorted(out.suppressed)
    if not hidden or len(hidden) > 6:
        return  # exhaustive search is for tiny cases; the LP test covers the rest
    try:
        values = integer_values(out)
    except ValueError:
        return  # a cell in no published line can take any value
    for cell in hidden:
        assert grid[cell[0]][cell[1]] in values[cell]
        assert len(values[cell]) >= 2, f"cell {cell} can only be {values[cell]}"
        lo, hi = sdc.feasible_range(out, cell)
        # Whole numbers fill the audit's range (the network matrix is totally unimodular).
        assert values[cell] == set(range(lo, (hi or 0) + 1))


@settings(max_examples=100, deadline=None)
@given(grid=tables(max_rows=6, max_cols=4), marker=st.sampled_from([sdc.X, sdc.Z]), data=st.data())
def test_unavailable_and_not_applicable_cells_keep_their_symbols(
    grid: list[list[Any]], marker: str, data: Any
) -> None:
    i = data.draw(st.integers(0, len(grid) - 1))
    grid[i] = [marker] * len(grid[0])  # e.g. a period before the service existed
    out = sdc.protect(grid)
    _check_published(grid, out, 10)
    assert all(v == marker for v in out.cells[i])
    attacker = AttackerLP(out)
    for cell in out.suppressed:
        lo, hi = attacker.range(cell)
        assert hi is None or hi > lo


# --- worked examples -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (1, "low"), (4, "low"), (5, "10"), (14, "10"), (15, "20"), (104, "100"), (105, "110")],
)
def test_totals_round_to_the_nearest_ten_halves_up(value: int, shown: str) -> None:
    assert sdc.round_count(value) == shown
    assert sdc.total_range(shown) is not None
    lo, hi = sdc.total_range(shown)  # type: ignore[misc]
    assert lo <= value <= hi


def test_a_lone_small_count_gets_a_partner_in_its_row_and_column() -> None:
    out = sdc.protect([[3, 20, 14], [8, 30, 9], [12, 22, 40]], base=1)
    assert out.cells[0][0] == "c"
    assert out.primary == {(0, 0)}
    # Row 0's smallest other count (14) and column 0's (8) go too, and so on until no line has one.
    assert (0, 2) in out.secondary and (1, 0) in out.secondary
    assert sdc.pinned_cells(out) == []


def test_the_two_per_line_rule_alone_would_leave_a_bridge_cell_pinned() -> None:
    # Two blocks joined by one cell: every row and column has two suppressed cells, yet with exact
    # totals the joining cell is row 0 + row 1 - column 0 - column 1. The audit catches it.
    grid = [[2, 3, 4, 0], [3, 2, 0, 0], [0, 0, 2, 3], [0, 0, 3, 2]]
    rule_only = sdc.Protected(
        cells=tuple(tuple("c" if v else "0" for v in row) for row in grid),
        row_totals=tuple(str(sum(r)) for r in grid),
        column_totals=tuple(str(sum(r[j] for r in grid)) for j in range(4)),
        grand_total=str(sum(map(sum, grid))),
        base=1,
    )
    assert sdc.feasible_range(rule_only, (0, 2)) == (4, 4)
    out = sdc.protect(grid, base=1)
    assert sdc.pinned_cells(out) == []


def test_counts_that_fill_a_low_total_are_not_left_pinned() -> None:
    # Four 1s whose row total is "low" (1 to 4): each would have to be exactly 1.
    out = sdc.protect([[1, 1, 1, 1], [20, 30, 40, 50]])
    assert sdc.pinned_cells(out) == []
    for cell in out.suppressed:
        lo, hi = lp_range(out, cell)
        assert hi is None or hi > lo


def test_rounded_total_alone_can_pin_a_count_so_the_audit_adds_a_second() -> None:
    # 103 published and a total of 104 shown as 100 (95 to 104) would leave the 1 between 1 and 1.
    out = sdc.protect([[103], [1]])
    assert out.cells == (("c",), ("c",))
    assert sdc.pinned_cells(out) == []


def test_zeros_are_never_used_for_secondary_suppression() -> None:
    out = sdc.protect([[2, 0, 0], [0, 0, 0], [9, 0, 50]])
    assert out.cells[0][1] == "0" and out.cells[1][0] == "0"
    assert sdc.pinned_cells(out) == []


def test_malformed_tables_are_refused() -> None:
    with pytest.raises(sdc.TableError, match="row 2 has 1 cells"):
        sdc.protect([[1, 2], [3]])
    with pytest.raises(sdc.TableError, match="not a count"):
        sdc.protect([[1, -2]])
    with pytest.raises(sdc.TableError, match="at least one row"):
        sdc.protect([])
