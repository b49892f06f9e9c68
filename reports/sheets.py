"""Workbook primitives: safe text, the Japanese font, number formats, A4 pages, atomic save.

With :mod:`connect_books.reports.xlsx` (a report as a sheet) and
:mod:`connect_books.reports.workbooks` (the two printed workbooks), the only modules
that import openpyxl. Every string from the books goes through :func:`put_text`, so
it is written as text, never as a formula.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
import re
import unicodedata
import weakref
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import XPROPS_NS

from connect_books import ORGANISATION, quickexit
from connect_books.fiscal import jdate
from connect_books.output import FORMULA_START, write_file
from connect_books.reports.table import Cell as Value

#: A font Japanese Excel has everywhere (LibreOffice substitutes a CJK font).
FONT_NAME = "Yu Gothic"
#: Shift-JIS charset: tells a substituting application to pick a Japanese font.
FONT_CHARSET = 128
#: Integer yen, negatives with ▲ (Japanese convention).
YEN_FORMAT = "#,##0;▲#,##0"
RATIO_FORMAT = "0.0%"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
#: docProps/app.xml naming the organisation (openpyxl's own leaves ``Company`` out).
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="{ns}">'
    "<Application>connect-books (openpyxl {version})</Application>"
    "<Company>{company}</Company></Properties>"
)
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Sheets wider than this (in Excel width units) print landscape.
_PORTRAIT_MAX_WIDTH = 130


def font(size: float = 10, bold: bool = False, color: str | None = None) -> Font:
    """The workbook's font (Japanese) at ``size`` points."""
    return Font(name=FONT_NAME, charset=FONT_CHARSET, size=size, bold=bold, color=color)


@functools.cache
def shared_font(size: float = 10, bold: bool = False, color: str | None = None) -> Font:
    """:func:`font`, one object per look (for :func:`style_cell`; never modify it)."""
    return font(size, bold, color)


#: Style objects given to :func:`style_cell`, with their ids in each workbook.
_LOOKS: weakref.WeakKeyDictionary[
    Workbook, dict[tuple[int, ...], tuple[tuple[object, ...], tuple[int, ...]]]
] = weakref.WeakKeyDictionary()


def style_cell(
    cell: Cell,
    font: Font,
    alignment: Alignment | None = None,
    border: Border | None = None,
    fill: PatternFill | None = None,
) -> None:
    """Give ``cell`` this font, alignment, border and fill (None: left as it is).

    Same as assigning ``cell.font`` and the rest, but fast for many cells. openpyxl
    finds a style's number in the workbook by hashing it and comparing it with the
    styles it has, on every assignment; for a sheet of thousands of rows that was
    almost all of the time. Here each combination of objects is looked up once per
    workbook, and then its numbers are set on the cell. Pass the same objects again
    (:func:`shared_font` and module-level constants) to benefit.
    """
    looks = _LOOKS.setdefault(cell.parent.parent, {})
    parts = (font, fill, border, alignment)
    key = tuple(map(id, parts))
    found = looks.get(key)
    if found is None:
        cell.font = font
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        style = cell._style
        ids = (style.fontId, style.fillId, style.borderId, style.alignmentId)
        looks[key] = (parts, ids)  # (the objects kept, so their ids stay theirs)
        return
    if cell._style is None:
        cell._style = StyleArray()
    style = cell._style
    font_id, fill_id, border_id, alignment_id = found[1]
    style.fontId = font_id
    if fill is not None:
        style.fillId = fill_id
    if border is not None:
        style.borderId = border_id
    if alignment is not None:
        style.alignmentId = alignment_id


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


def save_workbook(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save ``workbook`` at ``path``: all or nothing, the organisation as its company.

    openpyxl always writes an empty ``docProps/app.xml``; it is replaced by one
    naming the organisation (Excel's 会社名 property). The file is written by
    :func:`connect_books.output.write_file` (a temporary file renamed over ``path``),
    so a crash never leaves half a workbook.

    Raises:
      OutputRefused: ``path`` is not a regular, writable file, or the disk is full.
    """
    quickexit.hold(workbook)  # (a million cells are freed with the process)
    buffer = io.BytesIO()
    workbook.save(buffer)
    app_xml = _APP_XML.format(
        ns=XPROPS_NS, version=openpyxl.__version__, company=escape(ORGANISATION)
    ).encode()
    finished = io.BytesIO()
    with (
        zipfile.ZipFile(finished, "w", zipfile.ZIP_DEFLATED) as out,
        zipfile.ZipFile(buffer) as source,
    ):
        for info in source.infolist():
            content = (
                app_xml if info.filename == "docProps/app.xml" else source.read(info)
            )
            out.writestr(info, content)
    return write_file(Path(path), finished.getvalue())


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
    # (the day it was made, written out: Excel's &D prints in the viewer's locale order)
    footer.right.text = f"作成日 {jdate(datetime.date.today())}"
    for part in (footer.left, footer.center, footer.right):
        part.size = 8
        part.font = f"{FONT_NAME},Regular"
