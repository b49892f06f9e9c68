"""Excel output: a :class:`~connect_books.reports.table.Report` as a printable sheet.

It renders; it never computes a figure (the cells, fonts, page set-up and saving are in
:mod:`connect_books.reports.sheets`). One report becomes one sheet::

    生活クラブ社会的連帯経済コネクト機構
                    収支計算書
        2025年度 自 2025年6月28日 至 2026年3月31日
                                          (単位:円)
    科目          | 予算額  | 決算額  | 差異 | 備考   <- frozen; printed on each page
    収入の部
      会費          | 160,000 | 160,000 |    0 |
    ...
    (notes: one titled table after another, then the remarks)

Yen are integers formatted ``#,##0;▲#,##0``, ratios ``0.0%``. Every string from the
books is written as text, never as a formula (see :func:`~connect_books.reports.sheets.put_text`). Sheets are set up
for A4, one page wide, with the title rows (and, for a report of one table, its header
row) repeated on every page and page numbers in the footer.

Usage::

    from connect_books.reports.xlsx import write_report
    write_report(report, "out/収支計算書.xlsx")
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from connect_books import ORGANISATION
from connect_books.reports.sheets import (
    display_width,
    font,
    new_workbook,
    put_text,
    put_value,
    save_workbook,
    set_up_page,
    shared_font,
    sheet_title,
    style_cell,
)
from connect_books.reports.table import Cell as Value
from connect_books.reports.table import Column, Report, Row, Table

#: Printed above the first column of every table.
LABEL_HEADER = "科目"
_THIN = Side(style="thin", color="000000")
_HAIR = Side(style="hair", color="808080")
_DOUBLE = Side(style="double", color="000000")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADING_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
#: The alignment of a value cell, by the column's kind (others: right, as numbers).
_VALUE_ALIGNMENT = {
    "mark": Alignment(horizontal="center", vertical="center"),
    "date": Alignment(horizontal="center", vertical="center"),
    "text": Alignment(wrap_text=True, vertical="center"),
}
_NUMBER_ALIGNMENT = Alignment(horizontal="right", indent=1, vertical="center")
_MIN_LABEL_WIDTH = 16
_MAX_LABEL_WIDTH = 60
_MIN_VALUE_WIDTH = 11
_MAX_TEXT_WIDTH = 36
#: Column headers longer than this wrap onto a second line.
_MAX_HEADER_WIDTH = 14
#: A statement longer than this puts its notes on the next page.
_ROWS_BEFORE_NOTE_BREAK = 25
#: Reports whose tables are statements of one form (the 収支計算書: one per 会計): each
#: starts a page, under the first table's header, which heads every printed page.
_ONE_FORM = frozenset({"budget"})
#: Height in points of one line of 10 pt text.
_LINE_HEIGHT = 13.5


@dataclass
class PlacedTable:
    """Where one table of a report landed on the sheet (for charts)."""

    table: Table
    header_row: int
    first_row: int
    columns: dict[str, int] = field(default_factory=dict)

    @property
    def last_row(self) -> int:
        """The sheet row of the table's last row."""
        return self.first_row + len(self.table.rows) - 1

    def row_of(self, label: str) -> int:
        """The sheet row of the first row printed as ``label`` (KeyError if none)."""
        for offset, row in enumerate(self.table.rows):
            if row.label == label:
                return self.first_row + offset
        raise KeyError(label)


@dataclass
class PlacedReport:
    """A report written on a sheet: the sheet and where each table is."""

    sheet: Worksheet
    report: Report
    tables: list[PlacedTable]
    width: int
    next_row: int

    @property
    def main(self) -> PlacedTable:
        """The statement itself."""
        return self.tables[0]


def add_report_sheet(
    workbook: Workbook, report: Report, sheet_title_text: str
) -> PlacedReport:
    """Write ``report`` (statement, notes and remarks) as a new sheet of ``workbook``.

    Args:
        workbook: The workbook to add the sheet to.
        report: The report to render.
        sheet_title_text: The sheet's tab name (made valid by :func:`sheet_title`).

    Returns:
        Where each table landed, so callers can add charts that refer to the cells.
    """
    ws = workbook.create_sheet(sheet_title(sheet_title_text))
    ws.sheet_view.showGridLines = False
    width = 1 + max(len(table.columns) for table in report.tables)
    last = get_column_letter(width)
    has_yen = any(c.kind == "yen" for t in report.tables for c in t.columns)

    _title_line(ws, 1, width, ORGANISATION, font(10), "left", merge=False)
    _title_line(ws, 2, width, report.title, font(14, bold=True), "center")
    _title_line(ws, 3, width, report.period_text, font(10), "center")
    if has_yen:
        unit = put_text(ws.cell(row=4, column=width), "(単位:円)")
        unit.font = font(9)
        unit.alignment = Alignment(horizontal="right")
    ws.row_dimensions[2].height = 24

    placed: list[PlacedTable] = []
    row = 5
    one_form = report.name in _ONE_FORM and all(
        t.columns == report.main.columns for t in report.tables
    )
    for index, table in enumerate(report.tables):
        if index:
            if one_form or (
                index == 1 and len(report.main.rows) > _ROWS_BEFORE_NOTE_BREAK
            ):
                ws.row_breaks.append(
                    Break(id=row)
                )  # notes (or each 会計's statement) start on a page of their own
            row += 1
            heading = put_text(ws.cell(row=row, column=1), table.title)
            heading.font = font(11, bold=True)
            row += 1
        if index and one_form:  # (the first table's header, row 5, heads every page)
            placed.append(_write_table(ws, table, row - 1, header=False))
        else:
            placed.append(_write_table(ws, table, row))
        row = placed[-1].last_row + 1 if table.rows else placed[-1].header_row + 1
    if report.remarks:
        row += 1
        for remark in report.remarks:
            text = remark if remark.startswith(("※", "注")) else f"※ {remark}"
            cell = put_text(ws.cell(row=row, column=1), text)
            cell.font = font(9)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(f"A{row}:{last}{row}")
            row += 1
    widths = _fit_columns(ws, report.tables)
    _fit_rows(ws, placed, widths)
    _fit_remarks(ws, report, row - len(report.remarks), width)
    ws.freeze_panes = ws.cell(row=6, column=2)
    # The header row repeats on every page only when it heads everything on the sheet.
    title_rows = 5 if len(report.tables) == 1 or one_form else 3
    set_up_page(ws, f"{report.year.label} {report.title}", title_rows=title_rows)
    return PlacedReport(ws, report, placed, width, row + 1)


def write_report(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write one report as a one-sheet workbook at ``path`` (atomically); return it."""
    workbook = new_workbook(f"{report.year.label} {report.title}", report.title)
    add_report_sheet(workbook, report, report.title)
    return save_workbook(workbook, path)


def _title_line(
    ws: Worksheet,
    row: int,
    width: int,
    text: str,
    style: Font,
    align: str,
    merge: bool = True,
) -> None:
    cell = put_text(ws.cell(row=row, column=1), text)
    cell.font = style
    cell.alignment = Alignment(horizontal=align, vertical="center")
    if merge and width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _write_table(
    ws: Worksheet, table: Table, header_row: int, *, header: bool = True
) -> PlacedTable:
    """``table`` with its header at ``header_row`` (``header`` False: that row is not
    written, the rows follow it all the same)."""
    placed = PlacedTable(table, header_row, header_row + 1)
    headers = [LABEL_HEADER, *(column.label for column in table.columns)]
    for col, text in enumerate(headers if header else (), start=1):
        cell = put_text(ws.cell(row=header_row, column=col), text)
        style_cell(
            cell, shared_font(10, True), _HEADER_ALIGNMENT, _HEADER_BORDER, _HEADER_FILL
        )
    for col, column in enumerate(table.columns, start=2):
        placed.columns[column.key] = col
    for offset, row in enumerate(table.rows):
        is_last = offset == len(table.rows) - 1
        _write_row(ws, header_row + 1 + offset, row, table.columns, is_last)
    return placed


def _write_row(
    ws: Worksheet, row_number: int, row: Row, columns: tuple[Column, ...], is_last: bool
) -> None:
    bold = row.style in ("heading", "subtotal", "total")
    top = _THIN if row.style in ("subtotal", "total") else _HAIR
    bottom = _DOUBLE if row.style == "total" else (_THIN if is_last else _HAIR)
    border = _row_border(top, bottom)
    fill = _HEADING_FILL if row.style == "heading" else None
    label = put_text(ws.cell(row=row_number, column=1), row.label)
    style_cell(label, shared_font(10, bold), _label_alignment(row.level), border, fill)
    for col, column in enumerate(columns, start=2):
        value = row.get(column.key)
        cell = put_value(ws.cell(row=row_number, column=col), value, column.kind)
        failed = value is False or (isinstance(value, str) and value.startswith("✗"))
        colour = "C00000" if failed else None
        alignment = _VALUE_ALIGNMENT.get(column.kind, _NUMBER_ALIGNMENT)
        style_cell(cell, shared_font(10, bold, colour), alignment, border, fill)


@functools.cache
def _row_border(top: Side, bottom: Side) -> Border:
    return Border(left=_THIN, right=_THIN, top=top, bottom=bottom)


@functools.cache
def _label_alignment(level: int) -> Alignment:
    return Alignment(
        horizontal="left", indent=max(level, 0), vertical="center", wrap_text=True
    )


def _value_width(value: Value | bool, kind: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 2
    if isinstance(value, str):
        return display_width(value)
    if isinstance(value, datetime.date):
        return 16
    if kind == "ratio":
        return len(f"{float(value) * 100:.1f}%")
    return len(f"{abs(int(value)):,}") + (2 if value < 0 else 0)


def _fit_columns(ws: Worksheet, tables: Iterable[Table]) -> dict[int, float]:
    """Set column widths from the widest label and value; long headers wrap instead."""
    widths: dict[int, float] = {1: _MIN_LABEL_WIDTH}
    for table in tables:
        label_width = max(
            [display_width(LABEL_HEADER)]
            + [display_width(row.label) + 2 * max(row.level, 0) for row in table.rows]
        )
        widths[1] = max(widths[1], min(label_width + 2, _MAX_LABEL_WIDTH))
        for col, column in enumerate(table.columns, start=2):
            needed = max(
                [min(display_width(column.label), _MAX_HEADER_WIDTH)]
                + [_value_width(row.get(column.key), column.kind) for row in table.rows]
            )
            limit = _MAX_TEXT_WIDTH if column.kind == "text" else _MAX_LABEL_WIDTH
            minimum = 6 if column.kind == "mark" else _MIN_VALUE_WIDTH
            padding = 2 if column.kind in ("text", "mark", "date") else 3
            widths[col] = max(
                widths.get(col, 0), min(max(needed + padding, minimum), limit)
            )
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    return widths


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide (roughly)."""
    usable = max(width - 2, 1)
    return max(1, -(-display_width(text) // int(usable)))


def _fit_rows(
    ws: Worksheet, placed: Iterable[PlacedTable], widths: dict[int, float]
) -> None:
    """Give rows whose text wraps the height it needs (openpyxl cannot autofit)."""
    for table in placed:
        header = [LABEL_HEADER, *(c.label for c in table.table.columns)]
        lines = max(
            _lines(text, widths[col]) for col, text in enumerate(header, start=1)
        )
        if lines > 1:
            ws.row_dimensions[table.header_row].height = _LINE_HEIGHT * lines + 3
        for offset, row in enumerate(table.table.rows):
            texts = [(1, row.label, 2 * max(row.level, 0))]
            texts += [
                (col, value, 0)
                for col, column in enumerate(table.table.columns, start=2)
                if isinstance(value := row.get(column.key), str)
            ]
            lines = max(
                _lines(text, widths[col] - indent) for col, text, indent in texts
            )
            if lines > 1:
                ws.row_dimensions[table.first_row + offset].height = (
                    _LINE_HEIGHT * lines + 3
                )


def _fit_remarks(ws: Worksheet, report: Report, first_row: int, width: int) -> None:
    total = sum(
        ws.column_dimensions[get_column_letter(col)].width or 10
        for col in range(1, width + 1)
    )
    for offset, remark in enumerate(report.remarks):
        # Remarks are 9 pt: about 10% narrower than the 10 pt the widths are counted in.
        lines = _lines(remark, total / 0.9)
        ws.row_dimensions[first_row + offset].height = 12 * lines + 3
