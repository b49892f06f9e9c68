"""Excel output: a :class:`~connect_books.reports.table.Report` as a printable sheet.

The only module (with :mod:`connect_books.reports.workbooks`) that imports openpyxl. It
renders; it never computes a figure. One report becomes one sheet::

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
books is written as text, never as a formula (see :func:`put_text`). Sheets are set up
for A4, one page wide, with the title rows (and, for a report of one table, its header
row) repeated on every page and page numbers in the footer.

Usage::

    from connect_books.reports.xlsx import write_report
    write_report(report, "out/収支計算書.xlsx")
"""

from __future__ import annotations

import datetime
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import XPROPS_NS

from connect_books import ORGANISATION
from connect_books.fiscal import jdate
from connect_books.reports.table import Cell as Value
from connect_books.reports.table import Column, Report, Row, Table

#: A font Japanese Excel has everywhere (LibreOffice substitutes a CJK font).
FONT_NAME = "Yu Gothic"
#: Shift-JIS charset: tells a substituting application to pick a Japanese font.
FONT_CHARSET = 128
#: Integer yen, negatives with ▲ (Japanese convention).
YEN_FORMAT = "#,##0;▲#,##0"
RATIO_FORMAT = "0.0%"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
#: Printed above the first column of every table.
LABEL_HEADER = "科目"
#: Reports that show a position at one date rather than a period.
POINT_IN_TIME = frozenset({"balance-sheet", "inventory"})

#: First characters that make a spreadsheet read text as a formula (formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_THIN = Side(style="thin", color="000000")
_HAIR = Side(style="hair", color="808080")
_DOUBLE = Side(style="double", color="000000")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADING_FILL = PatternFill("solid", fgColor="F2F2F2")
#: docProps/app.xml naming the organisation (openpyxl's own leaves ``Company`` out).
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="{ns}">'
    "<Application>connect-books (openpyxl {version})</Application>"
    "<Company>{company}</Company></Properties>"
)
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

_MIN_LABEL_WIDTH = 16
_MAX_LABEL_WIDTH = 60
_MIN_VALUE_WIDTH = 11
_MAX_TEXT_WIDTH = 36
#: Column headers longer than this wrap onto a second line.
_MAX_HEADER_WIDTH = 14
#: A statement longer than this puts its notes on the next page.
_ROWS_BEFORE_NOTE_BREAK = 25
#: Height in points of one line of 10 pt text.
_LINE_HEIGHT = 13.5
#: Sheets wider than this (in Excel width units) print landscape.
_PORTRAIT_MAX_WIDTH = 130


def font(size: float = 10, bold: bool = False, color: str | None = None) -> Font:
    """The workbook's font (Japanese) at ``size`` points."""
    return Font(name=FONT_NAME, charset=FONT_CHARSET, size=size, bold=bold, color=color)


def display_width(text: str) -> int:
    """Printed width of ``text`` in half-width units: full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FWA" else 1 for ch in text)


def put_text(cell: Cell, text: str) -> Cell:
    """Write ``text`` as a string cell, never a formula, whatever it starts with.

    openpyxl turns a string starting with ``=`` into a formula; a spreadsheet also
    treats ``+ - @`` (and a leading tab or CR) as the start of one. The cell is forced
    to the string type (written as an inline string, never ``<f>``) and, for those
    first characters, gets Excel's quote prefix so that editing the cell keeps it
    text. Characters XML cannot hold are replaced by U+FFFD.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def put_value(cell: Cell, value: Value | bool, kind: str) -> Cell:
    """Write one value: yen and ratios as numbers, dates as dates, text as text."""
    if value is None:
        return cell
    if isinstance(value, bool):
        return put_text(cell, "✓" if value else "✗")
    if isinstance(value, str):
        return put_text(cell, value)
    if isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return cell
    if (
        isinstance(value, Decimal)
        and kind != "ratio"
        and value == value.to_integral_value()
    ):
        value = int(value)
    cell.value = value
    cell.number_format = RATIO_FORMAT if kind == "ratio" else YEN_FORMAT
    return cell


def sheet_title(text: str) -> str:
    """A valid sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return _INVALID_SHEET_CHARS.sub("・", text).strip("'")[:31] or "Sheet"


def period_text(report: Report) -> str:
    """``2025年度 自 2025年6月28日 至 2026年3月31日`` (or ``… 2026年3月31日現在``)."""
    if report.name in POINT_IN_TIME:
        return f"{report.year.label}  {jdate(report.end)}現在"
    text = f"{report.year.label}  自 {jdate(report.start)} 至 {jdate(report.end)}"
    if report.as_of is not None and report.as_of < report.year.end:
        text += f"  ({jdate(report.as_of)}現在)"
    return text


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


def new_workbook(title: str, subject: str, description: str = "") -> Workbook:
    """An empty workbook (no sheets) with its document properties set."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    props = workbook.properties
    props.title = title
    props.subject = subject
    props.creator = "connect-books"
    props.lastModifiedBy = "connect-books"
    props.description = description or f"{ORGANISATION} {title}"
    props.keywords = ORGANISATION
    props.category = "会計"
    return workbook


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
    _title_line(ws, 3, width, period_text(report), font(10), "center")
    if has_yen:
        unit = put_text(ws.cell(row=4, column=width), "(単位:円)")
        unit.font = font(9)
        unit.alignment = Alignment(horizontal="right")
    ws.row_dimensions[2].height = 24

    placed: list[PlacedTable] = []
    row = 5
    for index, table in enumerate(report.tables):
        if index:
            if index == 1 and len(report.main.rows) > _ROWS_BEFORE_NOTE_BREAK:
                ws.row_breaks.append(
                    Break(id=row)
                )  # notes start on a page of their own
            row += 1
            heading = put_text(ws.cell(row=row, column=1), table.title)
            heading.font = font(11, bold=True)
            row += 1
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
    title_rows = 5 if len(report.tables) == 1 else 3
    set_up_page(ws, f"{report.year.label} {report.title}", title_rows=title_rows)
    return PlacedReport(ws, report, placed, width, row + 1)


def write_report(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write one report as a one-sheet workbook at ``path`` (atomically); return it."""
    workbook = new_workbook(f"{report.year.label} {report.title}", report.title)
    add_report_sheet(workbook, report, report.title)
    return save_workbook(workbook, path)


def save_workbook(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save ``workbook`` at ``path``: all or nothing, the organisation as its company.

    openpyxl always writes an empty ``docProps/app.xml``; it is replaced by one
    naming the organisation (Excel's 会社名 property). The file is written next to
    ``path`` and then renamed over it, so a crash never leaves half a workbook.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    app_xml = _APP_XML.format(
        ns=XPROPS_NS, version=openpyxl.__version__, company=escape(ORGANISATION)
    ).encode()
    descriptor, temp = tempfile.mkstemp(
        prefix=".connect-books-", suffix=".xlsx", dir=target.parent
    )
    try:
        with (
            os.fdopen(descriptor, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as out,
            zipfile.ZipFile(buffer) as source,
        ):
            for info in source.infolist():
                content = (
                    app_xml
                    if info.filename == "docProps/app.xml"
                    else source.read(info)
                )
                out.writestr(info, content)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


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


def _write_table(ws: Worksheet, table: Table, header_row: int) -> PlacedTable:
    placed = PlacedTable(table, header_row, header_row + 1)
    headers = [LABEL_HEADER, *(column.label for column in table.columns)]
    for col, text in enumerate(headers, start=1):
        cell = put_text(ws.cell(row=header_row, column=col), text)
        cell.font = font(10, bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
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
    border = Border(left=_THIN, right=_THIN, top=top, bottom=bottom)
    label = put_text(ws.cell(row=row_number, column=1), row.label)
    label.font = font(10, bold=bold)
    label.alignment = Alignment(
        horizontal="left", indent=max(row.level, 0), vertical="center", wrap_text=True
    )
    label.border = border
    if row.style == "heading":
        label.fill = _HEADING_FILL
    for col, column in enumerate(columns, start=2):
        value = row.get(column.key)
        cell = put_value(ws.cell(row=row_number, column=col), value, column.kind)
        failed = value is False or (isinstance(value, str) and value.startswith("✗"))
        colour = "C00000" if failed else None
        cell.font = font(10, bold=bold, color=colour)
        cell.border = border
        if row.style == "heading":
            cell.fill = _HEADING_FILL
        if column.kind in ("mark", "date"):
            cell.alignment = Alignment(horizontal="center", vertical="center")
        elif column.kind == "text":
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        else:
            cell.alignment = Alignment(horizontal="right", indent=1, vertical="center")


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


def set_up_page(
    ws: Worksheet,
    footer_title: str,
    title_rows: int | None = None,
    landscape: bool | None = None,
) -> None:
    """A4, one page wide, centred, with page numbers and the print date in the footer.

    Args:
        ws: The sheet.
        footer_title: Printed at the left of the footer (``&`` is escaped).
        title_rows: Rows 1..N are repeated at the top of every printed page.
        landscape: Orientation; by default landscape when the columns are too wide for
            portrait.
    """
    if landscape is None:
        total = sum(
            ws.column_dimensions[get_column_letter(col)].width or 10
            for col in range(1, ws.max_column + 1)
        )
        landscape = total > _PORTRAIT_MAX_WIDTH
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    footer = ws.oddFooter
    footer.left.text = footer_title.replace("&", "&&")
    footer.center.text = "&P / &N"
    footer.right.text = "印刷日 &D"
    for part in (footer.left, footer.center, footer.right):
        part.size = 8
        part.font = f"{FONT_NAME},Regular"
