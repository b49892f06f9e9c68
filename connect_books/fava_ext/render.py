"""A report as the page shows it: any :class:`~connect_books.reports.table.Report`, generically.

Nothing here knows one statement from another: each table becomes a header of its
columns and a list of lines (label indented by level, styled as heading, item, subtotal
or total, each cell written by the kind of its column: yen with ``▲`` for negatives,
percentages, dates, ✓/✗ marks, text), each line linked where its key leads
(:mod:`connect_books.fava_ext.links`). Long tables (the account books) are shown a page
of :data:`PER_PAGE` lines at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from connect_books.reports.table import Cell, Column, Report, Row, Table

#: Lines of a table shown at once.
PER_PAGE = 500
#: The CSS class of a mark (the tie-out's result).
MARKS = {"✓": "cb-ok", "✗": "cb-ng", "—": "cb-info"}


@dataclass(frozen=True)
class CellView:
    """One cell as shown: its text and CSS classes."""

    text: str
    css: str


@dataclass(frozen=True)
class LineView:
    """One line of a table as shown."""

    label: str
    key: str
    css: str
    level: int
    cells: tuple[CellView, ...]
    href: str | None


@dataclass(frozen=True)
class TableView:
    """One table as shown: its title, headers, and the lines of the page asked for."""

    title: str
    headers: tuple[CellView, ...]
    lines: tuple[LineView, ...]
    first: int  # 1-based number of the first line shown
    total: int  # lines in the whole table

    @property
    def last(self) -> int:
        """Number of the last line shown."""
        return self.first + len(self.lines) - 1

    @property
    def paged(self) -> bool:
        """Whether only part of the table is shown."""
        return len(self.lines) < self.total


def cell_text(value: Cell, kind: str) -> str:
    """A value as printed on the page (amounts in yen without the unit)."""
    if value is None:
        return ""
    if kind == "yen" and isinstance(value, int | Decimal):
        number = int(value)
        return f"▲{-number:,}" if number < 0 else f"{number:,}"
    if kind == "ratio" and isinstance(value, Decimal):
        return f"{value * 100:.1f}%"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _cell(value: Cell, column: Column) -> CellView:
    text = cell_text(value, column.kind)
    css = f"cb-{column.kind} cb-col-{column.key}"
    if column.kind == "yen" and isinstance(value, int | Decimal) and value < 0:
        css += " cb-negative"
    if column.kind == "mark":
        css += " " + MARKS.get(text, "")
    return CellView(text, css)


def table_view(
    table: Table,
    href: Callable[[Row], str | None],
    page: int = 1,
    per_page: int = PER_PAGE,
) -> TableView:
    """``table`` as shown, lines ``(page-1)·per_page+1`` … (pages past the end show the last)."""
    total = len(table.rows)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    lines = tuple(
        LineView(
            row.label,
            row.key,
            f"cb-{row.style}",
            row.level,
            tuple(_cell(row.get(c.key), c) for c in table.columns),
            href(row),
        )
        for row in table.rows[start : start + per_page]
    )
    headers = tuple(
        CellView(c.label, f"cb-{c.kind} cb-col-{c.key}") for c in table.columns
    )
    return TableView(table.title, headers, lines, start + 1, total)


def tables_view(
    report: Report, href: Callable[[Row], str | None], page: int = 1
) -> tuple[TableView, ...]:
    """Every table of ``report`` as shown."""
    return tuple(table_view(t, href, page) for t in report.tables)
