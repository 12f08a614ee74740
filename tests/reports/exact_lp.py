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


def _simplex_max(c: list[Fraction], a: list[list[Fraction]], b: list[Fraction]) -> Fraction | None:
    """max c.y subject to a.y <= b, y >= 0. None if unbounded; Infeasible if no y fits."""
    m, n = len(a), len(c)
    art_rows = [i for i in range(m) if b[i] < 0]
    width = n + m + len(art_rows)
    tab: list[list[Fraction]] = []
    basis: list[int] = []
    for i in range(m):
        row = [*a[i], *([Fraction(0)] * (m + len(art_rows)))]
        row[n + i] = Fraction(1)
        rhs = b[i]
        if rhs < 0:
            row = [-v for v in row]
            rhs = -rhs
            k = n + m + art_rows.index(i)
            row[k] = Fraction(1)
            basis.append(k)
        else:
            basis.append(n + i)
        tab.append([*row, rhs])

    def run(obj: list[Fraction], allowed: int) -> bool:
        """Pivot to optimum; False if unbounded."""
        while True:
            entering = None
            for j in range(allowed):
                reduced = obj[j] - sum(obj[basis[i]] * tab[i][j] for i in range(len(tab)))
                if reduced > 0:
                    entering = j
                    break
            if entering is None:
                return True
            best = None
            for i in range(len(tab)):
                if tab[i][entering] > 0:
                    ratio = tab[i][-1] / tab[i][entering]
                    if best is None or (ratio, basis[i]) < (best[0], basis[best[1]]):
                        best = (ratio, i)
            if best is None:
                return False
            pivot(best[1], entering)

    def pivot(r: int, col: int) -> None:
        p = tab[r][col]
        tab[r] = [v / p for v in tab[r]]
        for i in range(len(tab)):
            if i != r and tab[i][col] != 0:
                f = tab[i][col]
                tab[i] = [v - f * w for v, w in zip(tab[i], tab[r])]
        basis[r] = col

    if art_rows:
        phase1 = [Fraction(0)] * width
        for k in range(n + m, width):
            phase1[k] = Fraction(-1)
        run(phase1, width)
        if sum(phase1[basis[i]] * tab[i][-1] for i in range(len(tab))) < 0:
            raise Infeasible
        for i in range(len(tab)):
            if basis[i] >= n + m:
                col = next((j for j in range(n + m) if tab[i][j] != 0), None)
                if col is not None:
                    pivot(i, col)
    obj = [*c, *([Fraction(0)] * (width - n))]
    if not run(obj, n + m):
        return None
    return sum(obj[basis[i]] * tab[i][-1] for i in range(len(tab)) if basis[i] < n + m)


def lp_range(table: object, cell: Cell) -> tuple[Fraction, Fraction | None]:
    """Smallest and largest value (None: unbounded) of a suppressed cell, as a linear programme."""
    hidden, lines = constraints(table)
    index = {h: k for k, h in enumerate(hidden)}
    n = len(hidden)
    a: list[list[Fraction]] = []
    b: list[Fraction] = []
    # y = x - 1 >= 0
    for members, lo, hi in lines:
        row = [Fraction(0)] * n
        for h in members:
            row[index[h]] = Fraction(1)
        k = len(members)
        a.append(row)
        b.append(Fraction(hi - k))
        a.append([-v for v in row])
        b.append(Fraction(k - lo))
    c = [Fraction(0)] * n
    c[index[cell]] = Fraction(1)
    high = _simplex_max(c, a, b)
    low = _simplex_max([-v for v in c], a, b)
    assert low is not None
    return 1 - low, None if high is None else 1 + high


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
