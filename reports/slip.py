"""One-page A4 documents for a person to receive: the 会費請求書 and the 領収書.

A slip is a sheet of :data:`COLUMNS` columns, portrait A4, no grid lines, the Japanese
font, every string from the books written as text (:func:`~connect_books.reports.sheets.put_text`),
saved all at once (:func:`~connect_books.reports.sheets.save_workbook`).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from connect_books.fiscal import jdate
from connect_books.reports.sheets import (
    YEN_FORMAT,
    font,
    new_workbook,
    put_text,
    save_workbook,
    set_up_page,
    sheet_title,
)

#: Column widths (Excel units) of a slip: about the printable width of portrait A4.
WIDTHS = (4, 30, 14, 14, 14, 14)
COLUMNS = len(WIDTHS)
THIN = Side(style="thin", color="000000")
MEDIUM = Side(style="medium", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class Slip:
    """A one-sheet workbook being filled in, row by row."""

    def __init__(self, title: str, subject: str, footer: str) -> None:
        self.workbook: Workbook = new_workbook(title, subject)
        self.ws: Worksheet = self.workbook.create_sheet(sheet_title(title))
        self.ws.sheet_view.showGridLines = False
        for number, width in enumerate(WIDTHS, start=1):
            self.ws.column_dimensions[get_column_letter(number)].width = width
        self.footer = footer

    def text(
        self,
        row: int,
        column: int,
        value: str,
        *,
        size: float = 10.5,
        bold: bool = False,
        align: str = "left",
        to_column: int | None = None,
        border: Border | None = None,
    ) -> None:
        """Write ``value`` as text at (row, column), merged up to ``to_column``."""
        cell = put_text(self.ws.cell(row=row, column=column), value)
        cell.font = font(size, bold)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if to_column is not None and to_column > column:
            self.ws.merge_cells(
                start_row=row, start_column=column, end_row=row, end_column=to_column
            )
        if border is not None:
            for col in range(column, (to_column or column) + 1):
                self.ws.cell(row=row, column=col).border = border

    def yen(
        self,
        row: int,
        column: int,
        value: int,
        *,
        size: float = 10.5,
        bold: bool = False,
        border: Border | None = None,
    ) -> None:
        """Write an amount in yen (a number cell, ``#,##0``)."""
        cell = self.ws.cell(row=row, column=column, value=int(value))
        cell.number_format = YEN_FORMAT
        cell.font = font(size, bold)
        cell.alignment = Alignment(horizontal="right", vertical="center")
        if border is not None:
            cell.border = border

    def date(
        self,
        row: int,
        column: int,
        day: datetime.date,
        *,
        align: str = "left",
        to_column: int | None = None,
    ) -> None:
        """Write a date as ``2026年11月30日`` text (as printed on a slip)."""
        self.text(row, column, jdate(day), align=align, to_column=to_column)

    def height(self, row: int, points: float) -> None:
        """Set a row's height."""
        self.ws.row_dimensions[row].height = points

    def underline(self, row: int, first: int, last: int, side: Side = MEDIUM) -> None:
        """A rule under the cells ``first``..``last`` of ``row``."""
        for col in range(first, last + 1):
            cell = self.ws.cell(row=row, column=col)
            cell.border = Border(
                left=cell.border.left, right=cell.border.right, bottom=side
            )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Set up the A4 page and write the file atomically."""
        set_up_page(self.ws, self.footer, landscape=False)
        self.ws.print_options.horizontalCentered = True
        return save_workbook(self.workbook, path)
