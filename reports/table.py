"""The report object every output renders: JSON, CSV, the Excel workbooks and Fava pages.

A :class:`Report` is one statement for one 年度: one or more :class:`Table` (the statement,
then its notes), each a list of :class:`Row`. Amounts are integer yen (``int``); a
percentage is a ``Decimal`` ratio (0.5 = 50%); text cells are ``str``. Nothing here knows
about openpyxl or Fava.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from connect_books.fiscal import FiscalYear, jdate
from connect_books.output import spreadsheet_text

Kind = Literal["yen", "ratio", "text", "date", "mark"]
Style = Literal["heading", "item", "subtotal", "total"]
Cell = int | Decimal | str | datetime.date | None


def cells(values: Mapping[str, Cell]) -> dict[str, Cell]:
    """A row's values as the dict :class:`Row` holds (from a dict of ``int`` figures)."""
    return dict(values)


@dataclass(frozen=True)
class Column:
    """A column: ``key`` in JSON, ``label`` as printed (Japanese), and the kind of value."""

    key: str
    label: str
    kind: Kind = "yen"


@dataclass(frozen=True)
class Row:
    """A line of a statement: ``label`` exactly as printed, values by column key.

    ``key`` names the row unambiguously where a label repeats (``人件費計`` under both
    事業費 and 管理費), e.g. an account or ``事業費:人件費計``; empty when the label is enough.
    """

    label: str
    values: dict[str, Cell] = field(default_factory=dict)
    style: Style = "item"
    level: int = 0
    key: str = ""

    def get(self, key: str) -> Cell:
        """The value in column ``key`` (None when empty)."""
        return self.values.get(key)


@dataclass(frozen=True)
class Table:
    """A titled table: the statement itself or one of its notes."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def row(self, label: str) -> Row:
        """The first row printed as ``label`` (KeyError if none)."""
        for row in self.rows:
            if row.label == label:
                return row
        raise KeyError(label)

    def by_key(self, key: str) -> Row:
        """The row whose ``key`` is ``key`` (KeyError if none)."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def figure(self, key: str, column: str) -> int | None:
        """The yen in row ``key``, column ``column`` (None when the row or cell is missing)."""
        row = next((r for r in self.rows if r.key == key), None)
        value = row.get(column) if row is not None else None
        return value if isinstance(value, int) else None


#: Reports that show a position at one date rather than a period.
POINT_IN_TIME = frozenset({"balance-sheet", "inventory"})


@dataclass(frozen=True)
class Report:
    """One statement for one 年度 (and, during the year, an as-of date)."""

    name: str
    title: str
    year: FiscalYear
    start: datetime.date
    end: datetime.date
    tables: tuple[Table, ...]
    remarks: tuple[str, ...] = ()
    as_of: datetime.date | None = None
    #: Why the figures cannot be relied on ("" when they can): the books have errors.
    warning: str = ""

    @property
    def status(self) -> str | None:
        """``年度途中 (2026年11月30日現在)`` when the figures stop before the year end."""
        if self.as_of is None:
            return None
        return f"年度途中 ({jdate(self.as_of)}現在)"

    @property
    def period_text(self) -> str:
        """``2025年度  自 2025年6月28日 至 2026年3月31日`` (``… 2026年3月31日現在`` for a
        statement of one day: the 貸借対照表 and the 財産目録)."""
        if self.name in POINT_IN_TIME:
            return f"{self.year.label}  {jdate(self.end)}現在"
        text = f"{self.year.label}  自 {jdate(self.start)} 至 {jdate(self.end)}"
        if self.as_of is not None and self.as_of < self.year.end:
            text += f"  ({jdate(self.as_of)}現在)"
        return text

    @property
    def main(self) -> Table:
        """The statement itself (the first table)."""
        return self.tables[0]

    @property
    def rows(self) -> tuple[Row, ...]:
        """The rows of the statement itself."""
        return self.main.rows

    def row(self, label: str) -> Row:
        """The first row of the statement printed as ``label``."""
        return self.main.row(label)

    def figure(self, key: str, column: str) -> int | None:
        """The statement's yen in row ``key``, column ``column`` (None when missing)."""
        return self.main.figure(key, column)

    def note(self, title: str) -> Table | None:
        """The note titled ``title`` (None when the report has none)."""
        return next((t for t in self.tables[1:] if t.title == title), None)

    def to_json(self) -> dict[str, Any]:
        """The JSON form: ``report``, ``year``, ``period``, ``rows`` (+ ``tables`` for notes)."""
        return {
            "report": self.name,
            "title": self.title,
            "year": self.year.year,
            "year_label": self.year.label,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "interim": self.as_of is not None,
            "status": self.status,
            "warning": self.warning or None,
            "columns": [_column_json(c) for c in self.main.columns],
            "rows": [_row_json(r, self.main.columns) for r in self.main.rows],
            "tables": [
                {
                    "title": t.title,
                    "columns": [_column_json(c) for c in t.columns],
                    "rows": [_row_json(r, t.columns) for r in t.rows],
                }
                for t in self.tables[1:]
            ],
            "remarks": list(self.remarks),
        }

    def to_csv(self) -> str:
        """CSV of every table (UTF-8 text; a title line before each table)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for index, table in enumerate(self.tables):
            if index:
                writer.writerow([])
            elif (
                table.title != self.title
            ):  # (the 収支計算書's first table is the 合計)
                writer.writerow([self.title])
            writer.writerow([table.title])
            if not index:
                writer.writerow([self.status or self.period_text.replace("  ", " ")])
            if not index and self.warning:
                writer.writerow([self.warning])
            writer.writerow(["科目", *(c.label for c in table.columns)])
            for row in table.rows:
                writer.writerow(
                    [
                        spreadsheet_text(row.label),
                        *(_csv_cell(row.get(c.key)) for c in table.columns),
                    ]
                )
        return out.getvalue()


def _column_json(column: Column) -> dict[str, str]:
    return {"key": column.key, "label": column.label, "kind": column.kind}


def _row_json(row: Row, columns: tuple[Column, ...]) -> dict[str, Any]:
    item: dict[str, Any] = {"label": row.label, "style": row.style, "level": row.level}
    if row.key:
        item["key"] = row.key
    for column in columns:
        value = row.get(column.key)
        if isinstance(value, Decimal):
            item[column.key] = float(value) if column.kind == "ratio" else int(value)
        elif isinstance(value, datetime.date):
            item[column.key] = value.isoformat()
        else:
            item[column.key] = value
    return item


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):  # text from the books: never a formula in a spreadsheet
        return spreadsheet_text(value)
    return str(value)
