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
    start: int = 0,
    stop: int | None = None,
) -> TableView:
    """``table`` as shown, its lines ``start`` up to ``stop`` (all by default)."""
    lines = tuple(
        LineView(
            row.label,
            row.key,
            f"cb-{row.style}",
            row.level,
            tuple(_cell(row.get(c.key), c) for c in table.columns),
            href(row),
        )
        for row in table.rows[start:stop]
    )
    headers = tuple(
        CellView(c.label, f"cb-{c.kind} cb-col-{c.key}") for c in table.columns
    )
    return TableView(table.title, headers, lines, start + 1, len(table.rows))


def page_count(report: Report, per_page: int = PER_PAGE) -> int:
    """How many pages of ``per_page`` lines the report's tables fill, one after another."""
    lines = sum(len(t.rows) for t in report.tables)
    return max(1, -(-lines // per_page))


def tables_view(
    report: Report,
    href: Callable[[Row], str | None],
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[TableView, ...]:
    """The report's tables on page ``page``: its lines ``(page-1)·per_page+1`` … counted
    through all its tables (a page past the end shows the last)."""
    pages = page_count(report, per_page)
    page = min(max(page, 1), pages)
    begin, end = (page - 1) * per_page, page * per_page
    total = sum(len(t.rows) for t in report.tables)
    shown = []
    offset = 0
    for table in report.tables:
        count = len(table.rows)
        low, high = max(begin - offset, 0), min(end - offset, count)
        if low < high:
            shown.append(table_view(table, href, low, high))
        elif not count and (
            begin <= offset < end or (offset == total and page == pages)
        ):
            shown.append(table_view(table, href, 0, 0))  # an empty table, in its place
        offset += count
    return tuple(shown)
