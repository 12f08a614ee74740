"""Statistical disclosure control for published tables of counts (docs/decisions/0012-disclosure-control.md).

A table is a grid of counts with optional row totals, column totals and a grand total. Publishing it:

- every count from 1 to 5 is replaced by ``c`` (primary suppression);
- zeros are true zeros and are published as ``0`` (DfE practice), so every ``c`` is at least 1;
- every total is rounded to the nearest 10 (halves up); a positive total that rounds to 0 is ``low``;
- secondary suppression: a row or column whose total is published and that holds one ``c`` gets a
  second one (its smallest non-zero count); then an audit solves, from the published figures alone,
  the smallest and largest value each ``c`` could take, and suppresses more until no ``c`` is pinned
  to a single value. Rounded totals and the knowledge that ``c`` >= 1 are part of what the audit
  assumes an attacker knows.

The audit is a linear programme over a transportation network (rows -> cells -> columns), solved
exactly with networkx's network simplex; its matrix is totally unimodular, so the bounds it finds are
whole numbers and every whole number between them is possible.

Cells that are not counts are given as :data:`X` (data not available) or :data:`Z` (not applicable);
they are published as those symbols and take no part in any total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

THRESHOLD = 5
ROUND_TO = 10

# The DfE / GSS symbols (DfE analysts' guide, "Open data standards"; GSS "Symbols in tables").
C = "c"  # confidential: suppressed to protect people
LOW = "low"  # a positive number that rounds to 0
X = "x"  # not available
Z = "z"  # not applicable
SYMBOLS: dict[str, str] = {
    C: "confidential: suppressed so that no small number can be seen or worked out",
    LOW: "a positive number that rounds to 0 (between 1 and 4)",
    X: "not available: no data for this cell (for example, a period before Sightline was in use)",
    Z: "not applicable: this figure cannot exist",
}

Cell = tuple[int, int]
Value = int | str
_Undo = Callable[[], None]


class TableError(ValueError):
    """The table given to :func:`protect` is malformed."""


@dataclass(frozen=True)
class Margins:
    """Which totals are published. A total that would only repeat another figure is left out (see
    :func:`protect`)."""

    rows: bool = True
    columns: bool = True
    grand: bool = True


@dataclass(frozen=True)
class Protected:
    """A table as published: every figure is a string (a number or a symbol)."""

    cells: tuple[tuple[str, ...], ...]
    row_totals: tuple[str, ...] | None
    column_totals: tuple[str, ...] | None
    grand_total: str | None
    base: int = ROUND_TO
    primary: frozenset[Cell] = field(default_factory=frozenset)
    secondary: frozenset[Cell] = field(default_factory=frozenset)

    @property
    def suppressed(self) -> frozenset[Cell]:
        return frozenset((r, c) for r, row in enumerate(self.cells) for c, v in enumerate(row) if v == C)


# --- rounding ------------------------------------------------------------------------------------


def round_count(value: int, base: int = ROUND_TO) -> str:
    """A total as published: rounded to ``base`` (halves up); ``low`` for a positive number that
    rounds to 0; ``0`` only for a true zero."""
    if value < 0:
        raise TableError(f"a count cannot be negative ({value})")
    if value == 0:
        return "0"
    rounded = (value + base // 2) // base * base
    return LOW if rounded == 0 else str(rounded)


def total_range(published: str, base: int = ROUND_TO) -> tuple[int, int] | None:
    """Every true total that publishes as ``published``: (lowest, highest). None if nothing is known."""
    if published == LOW:
        return 1, base - base // 2 - 1
    if published.isdigit():
        value = int(published)
        if value == 0:
            return 0, 0
        return value - base // 2, value - base // 2 + base - 1
    return None


# --- protection ----------------------------------------------------------------------------------


def _check(counts: Sequence[Sequence[Value]]) -> list[list[Value]]:
    rows = [list(r) for r in counts]
    if not rows or not rows[0]:
        raise TableError("a table needs at least one row and one column")
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise TableError(f"row {i + 1} has {len(row)} cells, the first row has {width}")
        for j, v in enumerate(row):
            if isinstance(v, bool) or not ((isinstance(v, int) and v >= 0) or v in (X, Z)):
                raise TableError(f"row {i + 1}, column {j + 1}: {v!r} is not a count, {X!r} or {Z!r}")
    return rows


def _line_total(values: Iterable[Value], base: int) -> str:
    values = list(values)
    counts = [v for v in values if isinstance(v, int)]
    if not counts:
        return X if X in values else Z
    return round_count(sum(counts), base)


def protect(
    counts: Sequence[Sequence[Value]],
    *,
    margins: Margins = Margins(),
    threshold: int = THRESHOLD,
    base: int = ROUND_TO,
) -> Protected:
    """Publish ``counts`` (rows of whole numbers, :data:`X` or :data:`Z`) safely."""
    grid = _check(counts)
    n_rows, n_cols = len(grid), len(grid[0])
    # A total that would repeat another figure is left out: a one-column table's row totals are its
    # cells, and a one-row table's row total is its grand total.
    show_rows = margins.rows and n_cols > 1 and not (n_rows == 1 and margins.grand)
    show_cols = margins.columns and n_rows > 1 and not (n_cols == 1 and margins.grand)
    row_totals = [_line_total(row, base) for row in grid] if show_rows else None
    col_totals = [_line_total((row[j] for row in grid), base) for j in range(n_cols)] if show_cols else None
    grand = _line_total((v for row in grid for v in row), base) if margins.grand else None

    primary = {
        (i, j)
        for i, row in enumerate(grid)
        for j, v in enumerate(row)
        if isinstance(v, int) and 1 <= v <= threshold
    }
    state = _State(grid, set(primary), row_totals, col_totals, grand, base)
    state.pair_lines()
    state.audit()
    published = state.published()
    return Protected(
        cells=published,
        row_totals=tuple(state.row_totals) if state.row_totals is not None else None,
        column_totals=tuple(state.col_totals) if state.col_totals is not None else None,
        grand_total=state.grand,
        base=base,
        primary=frozenset(primary),
        secondary=frozenset(state.suppressed - primary),
    )


class _State:
    """The table while suppression is being decided."""

    def __init__(
        self,
        grid: list[list[Value]],
        suppressed: set[Cell],
        row_totals: list[str] | None,
        col_totals: list[str] | None,
        grand: str | None,
        base: int,
    ) -> None:
        self.grid = grid
        self.suppressed = suppressed
        self.row_totals = row_totals
        self.col_totals = col_totals
        self.grand = grand
        self.base = base

    def published(self) -> tuple[tuple[str, ...], ...]:
        return tuple(
            tuple(C if (i, j) in self.suppressed else str(v) for j, v in enumerate(row))
            for i, row in enumerate(self.grid)
        )

    def _lines(self) -> list[list[Cell]]:
        """Rows and columns whose totals are published (the lines an attacker can subtract along)."""
        lines: list[list[Cell]] = []
        n_rows, n_cols = len(self.grid), len(self.grid[0])
        if self.row_totals is not None:
            lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows) if self.row_totals[i] != C]
        if self.col_totals is not None:
            lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols) if self.col_totals[j] != C]
        return lines

    def _candidates(self, cells: Iterable[Cell]) -> list[Cell]:
        """Unsuppressed non-zero counts, smallest first: zeros stay published as true zeros."""
        found = [
            c
            for c in cells
            if c not in self.suppressed and isinstance(self.grid[c[0]][c[1]], int) and self.grid[c[0]][c[1]]
        ]
        return sorted(found, key=lambda c: (self.grid[c[0]][c[1]], c))

    def pair_lines(self) -> None:
        """The standard rule: no published line holds exactly one suppressed cell, where avoidable."""
        changed = True
        while changed:
            changed = False
            for line in self._lines():
                if sum(c in self.suppressed for c in line) == 1:
                    options = self._candidates(line)
                    if options:
                        self.suppressed.add(options[0])
                        changed = True

    def audit(self) -> None:
        """Suppress more until no suppressed cell is pinned to one value by the published figures."""
        while True:
            pinned = self._first_pinned()
            if pinned is None:
                return
            i, j = pinned
            near = self._candidates(
                [(i, k) for k in range(len(self.grid[0]))] + [(k, j) for k in range(len(self.grid))]
            )
            far = [c for c in self._candidates(_all_cells(self.grid)) if c not in near]
            totals = self._total_candidates(i, j)
            options: list[tuple[str, object]] = [("cell", c) for c in near + far] + totals
            if not options:
                self._suppress_everything()
                return
            for kind, what in options:
                undo = self._apply(kind, what)
                if not self._is_pinned(pinned):
                    break
                undo()
            else:
                self._apply(*options[0])  # none frees it alone: keep one and look again
            self.pair_lines()  # a new suppression may have left another line with only one

    def _total_candidates(self, i: int, j: int) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        if self.row_totals is not None and _is_figure(self.row_totals[i]):
            out.append(("row", i))
        if self.col_totals is not None and _is_figure(self.col_totals[j]):
            out.append(("col", j))
        if self.grand is not None and _is_figure(self.grand):
            out.append(("grand", None))
        return out

    def _apply(self, kind: str, what: object) -> _Undo:
        if kind == "cell":
            assert isinstance(what, tuple)
            cell: Cell = what
            self.suppressed.add(cell)
            return lambda: self.suppressed.discard(cell)
        if kind == "row":
            assert self.row_totals is not None and isinstance(what, int)
            old, totals, idx = self.row_totals[what], self.row_totals, what
        elif kind == "col":
            assert self.col_totals is not None and isinstance(what, int)
            old, totals, idx = self.col_totals[what], self.col_totals, what
        else:
            old = self.grand or ""
            self.grand = C

            def undo_grand() -> None:
                self.grand = old

            return undo_grand
        totals[idx] = C

        def undo() -> None:
            totals[idx] = old

        return undo

    def _suppress_everything(self) -> None:
        """Last resort: every non-zero count and every total that is a figure."""
        self.suppressed |= set(self._candidates(_all_cells(self.grid)))
        for totals in (self.row_totals, self.col_totals):
            if totals is not None:
                totals[:] = [C if _is_figure(t) and t != "0" else t for t in totals]
        if self.grand is not None and _is_figure(self.grand) and self.grand != "0":
            self.grand = C

    def _view(self) -> Protected:
        return Protected(
            cells=self.published(),
            row_totals=tuple(self.row_totals) if self.row_totals is not None else None,
            column_totals=tuple(self.col_totals) if self.col_totals is not None else None,
            grand_total=self.grand,
            base=self.base,
        )

    def _first_pinned(self) -> Cell | None:
        view = self._view()
        for cell in sorted(self.suppressed):
            lo, hi = feasible_range(view, cell)
            if hi is not None and lo == hi:
                return cell
        return None

    def _is_pinned(self, cell: Cell) -> bool:
        lo, hi = feasible_range(self._view(), cell)
        return hi is not None and lo == hi


def _is_figure(published: str) -> bool:
    return published == LOW or published.isdigit()


def _all_cells(grid: Sequence[Sequence[Value]]) -> list[Cell]:
    return [(i, j) for i in range(len(grid)) for j in range(len(grid[0]))]


# --- the attacker's view -------------------------------------------------------------------------


def feasible_range(table: Protected, cell: Cell) -> tuple[int, int | None]:
    """The smallest and largest value (None: no limit) the suppressed ``cell`` can take given only
    what ``table`` publishes: the published counts, every total's rounding range, and that a
    suppressed count is at least 1 (zeros are published)."""
    if table.cells[cell[0]][cell[1]] != C:
        raise ValueError(f"cell {cell} is not suppressed")
    net = _network(table)
    low = _solve(net, cell, +1)
    high = _solve(net, cell, -1)
    assert low is not None, "the minimum of a count is never unbounded"
    return low, high


@dataclass
class _Edge:
    tail: object
    head: object
    low: int
    high: int | None  # None: no upper limit


def _bounds(published: str | None, known: int, count: int, base: int) -> tuple[int, int | None]:
    """Bounds on the sum of a line's suppressed cells: its total's range less its published counts."""
    rng = total_range(published, base) if published is not None else None
    if rng is None:
        return count, None
    lo, hi = rng
    return max(lo - known, count), hi - known


def _network(table: Protected) -> list[_Edge]:
    cells = table.cells
    n_rows, n_cols = len(cells), len(cells[0])
    hidden = [(i, j) for i in range(n_rows) for j in range(n_cols) if cells[i][j] == C]

    def known(values: Iterable[str]) -> int:
        return sum(int(v) for v in values if v.isdigit())

    edges: list[_Edge] = []
    rows_used = sorted({i for i, _ in hidden})
    cols_used = sorted({j for _, j in hidden})
    for i in rows_used:
        count = sum(1 for r, _ in hidden if r == i)
        total = table.row_totals[i] if table.row_totals is not None else None
        lo, hi = _bounds(total, known(cells[i]), count, table.base)
        edges.append(_Edge("S", ("r", i), lo, hi))
    for i, j in hidden:
        edges.append(_Edge(("r", i), ("c", j), 1, None))
    for j in cols_used:
        count = sum(1 for _, c in hidden if c == j)
        total = table.column_totals[j] if table.column_totals is not None else None
        lo, hi = _bounds(total, known(row[j] for row in cells), count, table.base)
        edges.append(_Edge(("c", j), "T", lo, hi))
    lo, hi = _bounds(table.grand_total, known(v for row in cells for v in row), len(hidden), table.base)
    edges.append(_Edge("T", "S", lo, hi))
    return edges


def _solve(edges: list[_Edge], cell: Cell, sign: int) -> int | None:
    """Minimise (sign +1) or maximise (sign -1) the flow through ``cell``'s edge. None if unbounded."""
    graph = nx.DiGraph()
    demand: dict[object, int] = {}
    target = (("r", cell[0]), ("c", cell[1]))
    for e in edges:
        # Lower bounds by substitution (x = low + x'): the tail sends ``low`` more, the head takes it.
        demand[e.tail] = demand.get(e.tail, 0) + e.low
        demand[e.head] = demand.get(e.head, 0) - e.low
        attrs: dict[str, int] = {"weight": sign if (e.tail, e.head) == target else 0}
        if e.high is not None:
            if e.high < e.low:
                raise ValueError("the published figures contradict each other")
            attrs["capacity"] = e.high - e.low
        graph.add_edge(e.tail, e.head, **attrs)
    for node, d in demand.items():
        graph.nodes[node]["demand"] = d
    try:
        cost, _flow = nx.network_simplex(graph)
    except nx.NetworkXUnbounded:
        return None
    except nx.NetworkXUnfeasible as exc:
        raise ValueError("the published figures contradict each other") from exc
    base = next(e.low for e in edges if (e.tail, e.head) == target)
    return base + sign * int(cost)


def pinned_cells(table: Protected) -> list[Cell]:
    """Suppressed cells whose value the published figures fix exactly (should always be empty)."""
    out = []
    for cell in sorted(table.suppressed):
        lo, hi = feasible_range(table, cell)
        if hi is not None and lo == hi:
            out.append(cell)
    return out
