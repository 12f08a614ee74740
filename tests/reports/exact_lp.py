"""An attacker's exact linear programme, written independently of ``sightline.reports.sdc``.

From a published table alone (the figures as strings), it builds the constraints an attacker knows:
each suppressed count is at least 1 (zeros are published), and each published total fixes the sum of
its line to the range of true totals that round to it. It then finds the smallest and largest value a
suppressed cell can take with a two-phase simplex in exact rational arithmetic (Bland's rule), and,
for tiny tables, by trying every whole-number assignment.
"""

from __future__ import annotations

from fractions import Fraction

Cell = tuple[int, int]


class Infeasible(Exception):
    pass


def true_range(published: str, base: int) -> tuple[int, int] | None:
    """The true totals that publish as ``published`` (rounded to ``base``, halves up)."""
    if published == "low":
        return 1, max(v for v in range(base) if (v + base // 2) // base == 0)
    if published.isdigit():
        r = int(published)
        if r == 0:
            return 0, 0
        values = [v for v in range(max(1, r - base), r + base) if (v + base // 2) // base * base == r]
        return min(values), max(values)
    return None


def constraints(table: object) -> tuple[list[Cell], list[tuple[dict[Cell, int], int, int]]]:
    """Suppressed cells and (cells in line, lowest sum, highest sum) for each published line."""
    cells: tuple[tuple[str, ...], ...] = table.cells  # type: ignore[attr-defined]
    base: int = table.base  # type: ignore[attr-defined]
    n_rows, n_cols = len(cells), len(cells[0])
    hidden = [(i, j) for i in range(n_rows) for j in range(n_cols) if cells[i][j] == "c"]
    lines: list[tuple[list[Cell], str | None]] = []
    rt = table.row_totals  # type: ignore[attr-defined]
    ct = table.column_totals  # type: ignore[attr-defined]
    if rt is not None:
        lines += [([(i, j) for j in range(n_cols)], rt[i]) for i in range(n_rows)]
    if ct is not None:
        lines += [([(i, j) for i in range(n_rows)], ct[j]) for j in range(n_cols)]
    lines.append(([(i, j) for i in range(n_rows) for j in range(n_cols)], table.grand_total))  # type: ignore[attr-defined]
    out = []
    for line, total in lines:
        rng = true_range(total, base) if total is not None else None
        if rng is None:
            continue
        known = sum(int(cells[i][j]) for i, j in line if cells[i][j].isdigit())
        out.append(({c: 1 for c in line if c in hidden}, rng[0] - known, rng[1] - known))
    return hidden, out


class _Tableau:
    """max c.y subject to a.y <= b, y >= 0, for several objectives c: phase 1 (finding a feasible
    basis) runs once; each objective then runs phase 2 on a copy. A dense tableau in exact
    fractions with Bland's rule, so it always ends."""

    def __init__(self, a: list[list[Fraction]], b: list[Fraction]) -> None:
        m = len(a)
        n = len(a[0]) if a else 0
        self.n, self.m = n, m
        art_rows = [i for i in range(m) if b[i] < 0]
        self.width = n + m + len(art_rows)
        self.tab: list[list[Fraction]] = []
        self.basis: list[int] = []
        for i in range(m):
            row = [*a[i], *([Fraction(0)] * (m + len(art_rows)))]
            row[n + i] = Fraction(1)
            rhs = b[i]
            if rhs < 0:
                row = [-v for v in row]
                rhs = -rhs
                k = n + m + art_rows.index(i)
                row[k] = Fraction(1)
                self.basis.append(k)
            else:
                self.basis.append(n + i)
            self.tab.append([*row, rhs])
        if art_rows:
            phase1 = [Fraction(0)] * self.width
            for k in range(n + m, self.width):
                phase1[k] = Fraction(-1)
            self._run(self.tab, self.basis, phase1, self.width)
            if sum(phase1[bi] * self.tab[i][-1] for i, bi in enumerate(self.basis)) < 0:
                raise Infeasible
            for i in range(len(self.tab)):
                if self.basis[i] >= n + m:
                    col = next((j for j in range(n + m) if self.tab[i][j] != 0), None)
                    if col is not None:
                        self._pivot(self.tab, self.basis, i, col, None)

    def maximise(self, c: list[Fraction]) -> Fraction | None:
        """The optimum of c.y, or None if unbounded."""
        tab = [list(r) for r in self.tab]
        basis = list(self.basis)
        obj = [*c, *([Fraction(0)] * (self.width - self.n))]
        if not self._run(tab, basis, obj, self.n + self.m):
            return None
        return sum((obj[bi] * tab[i][-1] for i, bi in enumerate(basis) if bi < self.n + self.m), Fraction(0))

    @staticmethod
    def _pivot(
        tab: list[list[Fraction]], basis: list[int], r: int, col: int, z: list[Fraction] | None
    ) -> list[Fraction] | None:
        p = tab[r][col]
        if p != 1:
            tab[r] = [v / p for v in tab[r]]
        pr = tab[r]
        for i in range(len(tab)):
            f = tab[i][col]
            if i != r and f != 0:
                tab[i] = [v - f * w for v, w in zip(tab[i], pr)]
        basis[r] = col
        if z is None or z[col] == 0:
            return z
        f = z[col]
        return [v - f * w for v, w in zip(z, pr)]

    def _run(self, tab: list[list[Fraction]], basis: list[int], obj: list[Fraction], allowed: int) -> bool:
        """Pivot to the optimum; False if unbounded."""
        z = [*obj, Fraction(0)]
        for i, bi in enumerate(basis):
            if obj[bi] != 0:
                f = obj[bi]
                z = [zv - f * tv for zv, tv in zip(z, tab[i])]
        while True:
            entering = next((j for j in range(allowed) if z[j] > 0), None)
            if entering is None:
                return True
            best: tuple[Fraction, int, int] | None = None
            for i in range(len(tab)):
                if tab[i][entering] > 0:
                    key = (tab[i][-1] / tab[i][entering], basis[i], i)
                    if best is None or key < best:
                        best = key
            if best is None:
                return False
            z = self._pivot(tab, basis, best[2], entering, z)  # type: ignore[assignment]


class AttackerLP:
    """The attacker's linear programme for one published table."""

    def __init__(self, table: object) -> None:
        self.hidden, lines = constraints(table)
        self.index = {h: k for k, h in enumerate(self.hidden)}
        n = len(self.hidden)
        a: list[list[Fraction]] = []
        b: list[Fraction] = []
        # y = x - 1 >= 0
        for members, lo, hi in lines:
            row = [Fraction(0)] * n
            for h in members:
                row[self.index[h]] = Fraction(1)
            k = len(members)
            a.append(row)
            b.append(Fraction(hi - k))
            a.append([-v for v in row])
            b.append(Fraction(k - lo))
        self.tableau = _Tableau(a, b) if a else None

    def range(self, cell: Cell) -> tuple[Fraction, Fraction | None]:
        """Smallest and largest value (None: unbounded) the suppressed cell can take."""
        if self.tableau is None:
            return Fraction(1), None
        c = [Fraction(0)] * len(self.hidden)
        c[self.index[cell]] = Fraction(1)
        high = self.tableau.maximise(c)
        low = self.tableau.maximise([-v for v in c])
        assert low is not None
        return 1 - low, None if high is None else 1 + high


def lp_range(table: object, cell: Cell) -> tuple[Fraction, Fraction | None]:
    return AttackerLP(table).range(cell)


def integer_values(table: object) -> dict[Cell, set[int]]:
    """For each suppressed cell, every whole value it takes in some assignment of whole numbers >= 1 to
    the suppressed cells that fits every published line. Depth-first, pruned by the lines' upper
    limits; for tiny tables whose cells all lie in a line with a published total."""
    hidden, lines = constraints(table)
    member_of = {h: [k for k, (members, _lo, _hi) in enumerate(lines) if h in members] for h in hidden}
    caps = {}
    for h in hidden:
        limits = [lines[k][2] for k in member_of[h]]
        if not limits:
            raise ValueError(f"{h} is in no published line: it is unbounded")
        caps[h] = min(limits)
    sums = [0] * len(lines)
    left = [len(members) for members, _lo, _hi in lines]
    found: dict[Cell, set[int]] = {h: set() for h in hidden}
    assign: dict[Cell, int] = {}

    def walk(pos: int) -> None:
        if pos == len(hidden):
            if all(lo <= sums[k] <= hi for k, (_m, lo, hi) in enumerate(lines)):
                for h, v in assign.items():
                    found[h].add(v)
            return
        h = hidden[pos]
        for v in range(1, caps[h] + 1):
            ok = True
            for k in member_of[h]:
                # the cells still to come in this line need at least 1 each
                if sums[k] + v + (left[k] - 1) > lines[k][2]:
                    ok = False
            if not ok:
                break
            for k in member_of[h]:
                sums[k] += v
                left[k] -= 1
            assign[h] = v
            walk(pos + 1)
            for k in member_of[h]:
                sums[k] -= v
                left[k] += 1
            del assign[h]

    walk(0)
    return found
