"""Public statistics: the tables of ``selectors.public_counts`` after disclosure control (``sdc``), and
the open-data files (a tidy CSV and a separate metadata CSV, described in docs/reports.md).

Only the protected figures leave this module: :class:`PublishedTable` keeps the published strings and
the table's labels, never the true counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone

from sightline.cases.selectors import local_authority
from sightline.reports import sdc
from sightline.reports import selectors as sel

TOTAL = "Total"  # the DfE open data standard's label for an aggregate filter value

DATA_COLUMNS: list[tuple[str, str]] = [
    ("table_id", "The table the row belongs to (see the table rows of this file)"),
    ("period_start", "First day of the reporting period (YYYY-MM-DD)"),
    ("period_end", "Last day of the reporting period (YYYY-MM-DD)"),
    ("area_name", "The local authority area the figures cover"),
    ("row_dimension", "What the table's rows are broken down by"),
    ("row_value", "The row; 'Total' for a column total or the grand total"),
    ("column_dimension", "What the table's columns are broken down by"),
    ("column_value", "The column; 'Total' for a row total or the grand total"),
    ("measure", "What is counted (children, episodes, concerns, people)"),
    ("value", "The figure: a whole number or one of the symbols below"),
]


@dataclass(frozen=True)
class PublishedTable:
    key: str
    title: str
    description: str
    measure: str
    row_dimension: str
    column_dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    notes: tuple[str, ...]
    figures: sdc.Protected

    def body(self) -> list[tuple[str, tuple[str, ...], str | None]]:
        """(row label, published cells, published row total or None) for each row."""
        totals = self.figures.row_totals
        return [
            (label, cells, totals[i] if totals is not None else None)
            for i, (label, cells) in enumerate(zip(self.rows, self.figures.cells))
        ]

    @property
    def has_row_totals(self) -> bool:
        return self.figures.row_totals is not None

    @property
    def footer(self) -> list[str] | None:
        """The "Total" row under the columns (and under the row totals), or None if there is none."""
        f = self.figures
        if f.column_totals is not None:
            cells = list(f.column_totals)
        elif f.grand_total is not None and len(self.columns) == 1 and not self.has_row_totals:
            return [f.grand_total]
        elif f.grand_total is not None and self.has_row_totals:
            cells = [""] * len(self.columns)
        else:
            return None
        if self.has_row_totals:
            cells.append(f.grand_total or "")
        return cells

    @property
    def symbols_used(self) -> list[str]:
        seen = {v for row in self.figures.cells for v in row}
        for totals in (self.figures.row_totals, self.figures.column_totals):
            seen |= set(totals or ())
        if self.figures.grand_total is not None:
            seen.add(self.figures.grand_total)
        return [s for s in sdc.SYMBOLS if s in seen]


@dataclass(frozen=True)
class PublicStatistics:
    period: sel.Period
    area: str
    generated_at: dt.datetime
    tables: tuple[PublishedTable, ...]

    @property
    def symbols_used(self) -> list[str]:
        used = {s for t in self.tables for s in t.symbols_used}
        return [s for s in sdc.SYMBOLS if s in used]

    @property
    def file_stem(self) -> str:
        last = self.period.end - dt.timedelta(days=1)
        return f"sightline-statistics-{self.period.start:%Y-%m-%d}-to-{last:%Y-%m-%d}"


def publish(raw: sel.RawTable) -> PublishedTable:
    return PublishedTable(
        key=raw.key,
        title=raw.title,
        description=raw.description,
        measure=raw.measure,
        row_dimension=raw.row_dimension,
        column_dimension=raw.column_dimension,
        rows=tuple(raw.rows),
        columns=tuple(raw.columns),
        notes=tuple(raw.notes),
        figures=sdc.protect(raw.counts, margins=raw.margins),
    )


def public_statistics(today: dt.date | None = None) -> PublicStatistics:
    period = sel.reporting_period(today)
    return PublicStatistics(
        period=period,
        area=local_authority(),
        generated_at=timezone.now(),
        tables=tuple(publish(raw) for raw in sel.public_counts(period)),
    )


# --- open data -----------------------------------------------------------------------------------


def data_rows(stats: PublicStatistics) -> list[list[str]]:
    """Every published figure as one tidy row, cells first, then row, column and grand totals."""
    start = f"{stats.period.start:%Y-%m-%d}"
    end = f"{stats.period.end - dt.timedelta(days=1):%Y-%m-%d}"
    out: list[list[str]] = []
    for t in stats.tables:
        head = [t.key, start, end, stats.area, t.row_dimension]
        f = t.figures
        for i, label in enumerate(t.rows):
            for j, column in enumerate(t.columns):
                out.append([*head, label, t.column_dimension, column, t.measure, f.cells[i][j]])
            if f.row_totals is not None:
                out.append([*head, label, t.column_dimension, TOTAL, t.measure, f.row_totals[i]])
        if f.column_totals is not None:
            for j, column in enumerate(t.columns):
                out.append([*head, TOTAL, t.column_dimension, column, t.measure, f.column_totals[j]])
        if f.grand_total is not None:
            out.append([*head, TOTAL, t.column_dimension, TOTAL, t.measure, f.grand_total])
    return out


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerows(rows)
    return buffer.getvalue()


def data_csv(stats: PublicStatistics) -> str:
    return _csv([[name for name, _ in DATA_COLUMNS], *data_rows(stats)])


METHOD_NOTES: list[tuple[str, str]] = [
    (
        "suppression",
        f"Counts from 1 to {sdc.THRESHOLD} are shown as 'c'. Further counts are shown as 'c' where needed so "
        "that none of them can be worked out from the totals (secondary suppression).",
    ),
    ("zeros", "A 0 is a true zero. Zeros are never suppressed, so every 'c' stands for at least 1."),
    (
        "rounding",
        f"Totals are rounded to the nearest {sdc.ROUND_TO} (halves up), so they may not equal the sum of the "
        "figures shown. A total between 1 and 4 is shown as 'low'.",
    ),
    ("coverage", "Figures cover the last four complete calendar quarters before the file was made."),
    ("symbols not used", "'u' (low reliability) and ':' (the old form of 'x') are not used."),
]


def metadata_csv(stats: PublicStatistics) -> str:
    """The metadata file: one row per data column, table, symbol and note (kind,name,label,description)."""
    rows: list[list[str]] = [["kind", "name", "label", "description"]]
    rows += [["column", name, name.replace("_", " ").capitalize(), desc] for name, desc in DATA_COLUMNS]
    for t in stats.tables:
        description = " ".join([t.description, *t.notes])
        rows.append(["table", t.key, t.title, description])
    rows += [["symbol", s, s, desc] for s, desc in sdc.SYMBOLS.items()]
    rows += [["note", key, key.capitalize(), text] for key, text in METHOD_NOTES]
    rows.append(["note", "generated", "Generated", f"{stats.generated_at:%Y-%m-%dT%H:%M:%SZ}"])
    rows.append(["note", "area", "Area", stats.area])
    rows.append(["note", "period", "Reporting period", stats.period.label])
    return _csv(rows)
