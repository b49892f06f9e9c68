"""The two workbooks people print: the board pack and the audit pack.

``board_pack`` is what the 運営委員会 reads at its bimonthly meeting: the budget
against actual to a date, the monthly trend with charts, the five activities against
their budget with a chart, and the funds. ``audit_pack`` is what the 監事 receive after
the year end (定款第27条2): every statement of the 年度, the tie-out checks, and a
監査報告書 to sign.

Both only render :class:`~connect_books.reports.table.Report` objects made by the report
functions of the registry from one index (``(idx, period) -> Report``); no figure is
computed here. Charts refer to the cells the figures were written to.

Usage::

    from connect_books.reports.registry import index_of
    from connect_books.reports.workbooks import audit_pack, board_pack
    from connect_books.reports.sheets import save_workbook
    save_workbook(board_pack(index_of(books), FiscalYear(2026), date(2026, 11, 30)), path)
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
    RichTextProperties,
)
from openpyxl.drawing.text import Font as DrawingFont
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from connect_books import ORGANISATION
from connect_books.fiscal import FiscalYear, Period, jdate
from connect_books.reports import registry
from connect_books.reports.account_books import add_account_books
from connect_books.reports.audit_report import AUDIT_REPORT_SHEET, add_audit_report
from connect_books.reports.index import Index
from connect_books.reports.sheets import (
    FONT_NAME,
    font,
    new_workbook,
    put_text,
)
from connect_books.reports.table import Report, Row, Table
from connect_books.reports.xlsx import PlacedReport, add_report_sheet
from connect_books.verification import Seal

#: The board pack's sheets, in order.
BOARD_SHEETS = ("予算対比", "月次推移", "事業別", "基金")
#: The audit pack's sheets: (sheet name, report name), then the 監査報告書.
ACTIVITY_SHEET, NOTES_SHEET, BY_ACTIVITY_SHEET = "活動計算書", "注記", "事業別損益"
NOTES_TITLE = "活動計算書の注記"
BY_ACTIVITY = "事業別損益の状況"
AUDIT_SHEETS = (
    ("収支計算書", "budget"),
    (ACTIVITY_SHEET, "activity"),  # three sheets: 活動計算書, 注記, 事業別損益
    ("貸借対照表", "balance-sheet"),
    ("財産目録", "inventory"),
    ("会費", "dues"),
    ("基金", "funds"),
    ("照合", "tie-out"),
)
__all__ = ["AUDIT_REPORT_SHEET", "audit_pack", "board_pack", "report_workbook"]

#: Chart axes in thousands of yen (1,200 = ¥1,200,000), so the labels do not collide.
THOUSANDS_FORMAT = "#,##0,"

_ACTIVITY_SUBTOTAL = re.compile(r"^事業(\d+):小計$")
_CHART_WIDTH_CM = 17.0
_CHART_HEIGHT_CM = 8.5
_HALF_CHART_WIDTH_CM = 13.0


def interim_mark(report: Report) -> str | None:
    """The 「途中」 line of a sheet whose figures stop before the year end, and the
    warning of a report made from books with errors (else None)."""
    marks = []
    if report.as_of is not None:
        marks.append(
            f"【年度途中】{jdate(report.as_of)}現在の数字 (年度末の決算の数字ではありません)"
        )
    if report.warning:
        marks.append(f"【注意】{report.warning}")
    return " ".join(marks) or None


def add_sheet(workbook: Workbook, report: Report, name: str) -> PlacedReport:
    """Add ``report`` as a sheet, marked 「年度途中」 on the sheet when it is (row 4)."""
    placed = add_report_sheet(workbook, report, name)
    mark = interim_mark(report)
    if mark:
        cell = put_text(placed.sheet.cell(row=4, column=1), mark)
        cell.font = font(10, bold=True, color="C00000")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if placed.width > 2:  # up to the 「(単位:円)」 in the last column
            placed.sheet.merge_cells(
                start_row=4, start_column=1, end_row=4, end_column=placed.width - 1
            )
        placed.sheet.row_dimensions[4].height = 28
    return placed


def report_workbook(report: Report) -> Workbook:
    """One report as a one-sheet workbook (``connect-books report --format xlsx``)."""
    workbook = new_workbook(f"{report.year.label} {report.title}", report.title)
    add_sheet(workbook, report, report.title)
    return workbook


def board_pack(idx: Index, year: FiscalYear, as_of: datetime.date) -> Workbook:
    """The 運営委員会 workbook: 予算対比, 月次推移, 事業別 and 基金 to ``as_of``.

    Args:
        idx: The index of the loaded books (:func:`~connect_books.reports.registry.index_of`).
        year: The 年度 being executed.
        as_of: The date the figures run to (inclusive).

    Returns:
        The workbook (save it with :func:`~connect_books.reports.xlsx.save_workbook`).
    """
    title = f"{year.label} 運営委員会資料 ({jdate(as_of)}現在)"
    workbook = new_workbook(title, "予算執行状況", f"{ORGANISATION} {title}")
    budget_sheet, trend_sheet, activity_sheet, funds_sheet = BOARD_SHEETS
    period = Period.of(year, as_of)
    budget = registry.make(idx, "budget", period)
    add_sheet(workbook, budget, budget_sheet)
    trend = registry.make(idx, "trend", period)
    add_trend_chart(add_sheet(workbook, trend, trend_sheet))
    add_activity_chart(add_sheet(workbook, activity_budget(budget), activity_sheet))
    add_sheet(workbook, registry.make(idx, "funds", period), funds_sheet)
    return workbook


def audit_pack(
    idx: Index, period: Period | FiscalYear, seal: Seal | None = None
) -> Workbook:
    """The 監事 workbook: every statement of the period, the tie-outs, a 監査報告書.

    ``period`` is the whole 年度 once it has ended; a 年度 not ended runs to a day and
    every sheet says so (「年度途中」).
    """
    if isinstance(period, FiscalYear):
        period = Period.of(period)
    year = period.year
    title = f"{year.label} 監査資料"
    if period.as_of is not None:
        title += f" ({jdate(period.as_of)}現在・年度途中)"
    workbook = new_workbook(title, "決算監査", f"{ORGANISATION} {title}")
    for sheet, name in AUDIT_SHEETS:
        made = registry.make(idx, name, period)
        if name == "activity":
            for part_sheet, part in statement_and_notes(made):
                add_sheet(workbook, part, part_sheet)
        else:
            add_sheet(workbook, made, sheet)
    add_account_books(workbook, idx, year, period.as_of)
    add_audit_report(workbook, year, period.as_of, seal)
    return workbook


def statement_and_notes(report: Report) -> list[tuple[str, Report]]:
    """The 活動計算書 as printed: the statement, its notes, and the wide 事業別損益.

    Each on a sheet of its own, so that each prints on A4 at a readable size; the notes
    are numbered in the report's order. Nothing is recomputed: the tables are the
    report's own.
    """
    statement = replace(report, tables=(report.main,))
    notes = list(report.tables[1:])
    numbered = [
        replace(table, title=f"{n} {table.title}")
        for n, table in enumerate(notes, start=1)
    ]
    wide = [
        t for t, note in zip(numbered, notes, strict=True) if note.title == BY_ACTIVITY
    ]
    narrow = [t for t in numbered if t not in wide]
    parts = [(ACTIVITY_SHEET, statement)]
    if narrow:
        first = narrow[0]
        heading = Row(first.title, {}, "heading", 0, "注記")
        narrow[0] = replace(first, rows=(heading, *first.rows))
        remarks = tuple(
            f"{t.title}は「{BY_ACTIVITY_SHEET}」のシートにあります。" for t in wide
        )
        parts.append(
            (
                NOTES_SHEET,
                replace(
                    report, title=NOTES_TITLE, tables=tuple(narrow), remarks=remarks
                ),
            )
        )
    for table in wide:
        parts.append(
            (
                BY_ACTIVITY_SHEET,
                replace(
                    report,
                    title=f"{NOTES_TITLE} {table.title}",
                    tables=(table,),
                    remarks=(),
                ),
            )
        )
    return parts


def activity_budget(budget: Report) -> Report:
    """The five activities' subtotals of the 収支計算書, as a report of their own.

    Rows are taken from the budget report as they are (each activity's ``小計``
    under the activity's name, then ``事業費計``); nothing is recomputed.
    """
    table = budget.main
    headings = {
        row.key: row.label for row in table.rows if row.style == "heading" and row.key
    }
    rows: list[Row] = []
    for row in table.rows:
        match = _ACTIVITY_SUBTOTAL.match(row.key)
        if match:
            label = headings.get(f"事業{match.group(1)}", f"事業{match.group(1)}")
            rows.append(Row(label, row.values, "item", 0, row.key))
        elif row.label == "事業費計":
            rows.append(Row(row.label, row.values, "total", 0, row.key))
    columns = tuple(c for c in table.columns if c.key != "note")
    activity_table = Table("事業別 予算執行状況", columns, tuple(rows))
    return Report(
        "activities",
        "事業別 予算執行状況",
        budget.year,
        budget.start,
        budget.end,
        (activity_table,),
        (),
        budget.as_of,
    )


def add_activity_chart(placed: PlacedReport) -> None:
    """A bar chart of each activity's budget against its actual, below the table."""
    table = placed.main
    items = [i for i, row in enumerate(table.table.rows) if row.style == "item"]
    if not items or "budget" not in table.columns or "actual" not in table.columns:
        return
    first, last = table.first_row + items[0], table.first_row + items[-1]
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.gapWidth = 60
    for key in ("budget", "actual"):
        column = table.columns[key]
        chart.add_data(
            _series_cells(placed, column, first, last), titles_from_data=False
        )
        chart.series[-1].tx = _series_title(placed, column, table.header_row)
    _set_text_categories(
        chart, Reference(placed.sheet, min_col=1, min_row=first, max_row=last)
    )
    chart.x_axis.scaling.orientation = "maxMin"  # activity 1 at the top
    chart.y_axis.crosses = "max"  # amounts along the bottom
    _finish_chart(chart, "事業別 予算額と実績 (千円)")
    placed.sheet.add_chart(chart, f"A{placed.next_row}")


def add_trend_chart(placed: PlacedReport) -> None:
    """Two charts below the monthly table, side by side.

    A line chart of 収益計, 費用計 and the 正味財産増減額's running sum by month, and stacked columns
    of the month's 事業費 by activity and 管理費. Series are the table's columns;
    months are its item rows (the 合計 row is left out).
    """
    table = placed.main
    months = [i for i, row in enumerate(table.table.rows) if row.style == "item"]
    if not months:
        return
    first, last = table.first_row + months[0], table.first_row + months[-1]
    categories = Reference(placed.sheet, min_col=1, min_row=first, max_row=last)

    lines = LineChart()
    for key in ("income", "expenses", "cumulative"):
        if key in table.columns:
            column = table.columns[key]
            lines.add_data(
                _series_cells(placed, column, first, last), titles_from_data=False
            )
            lines.series[-1].tx = _series_title(placed, column, table.header_row)
            lines.series[-1].smooth = False
    _set_text_categories(lines, categories)
    # Months below the plot, even where the values go negative.
    lines.x_axis.tickLblPos = "low"
    _finish_chart(
        lines, "収益・費用と正味財産増減額の累計 (千円)", width=_HALF_CHART_WIDTH_CM
    )

    costs = BarChart()
    costs.type = "col"
    costs.grouping = "stacked"
    costs.overlap = 100
    for key in [*(f"a{n}" for n in range(1, 10)), "admin"]:
        if key in table.columns:
            column = table.columns[key]
            costs.add_data(
                _series_cells(placed, column, first, last), titles_from_data=False
            )
            costs.series[-1].tx = _series_title(placed, column, table.header_row)
    _set_text_categories(costs, categories)
    _finish_chart(
        costs,
        "月別の事業費 (事業内容 1〜5) と管理費 (千円)",
        width=_HALF_CHART_WIDTH_CM,
    )

    anchor = placed.next_row
    placed.sheet.add_chart(lines, f"A{anchor}")
    right = _column_after(placed.sheet, _HALF_CHART_WIDTH_CM + 0.5)
    placed.sheet.add_chart(costs, f"{get_column_letter(right)}{anchor}")


def _column_after(ws: Worksheet, cm: float) -> int:
    """The first column starting at least ``cm`` from the sheet's left edge."""
    pixels = cm / 2.54 * 96
    column, edge = 1, 0.0
    while edge < pixels:
        width = ws.column_dimensions[get_column_letter(column)].width or 8.43
        edge += width * 7 + 5
        column += 1
    return column


def _set_text_categories(chart: BarChart | LineChart, labels: Reference) -> None:
    """Categories from label cells as strings (set_categories would make numbers)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))


def _series_cells(
    placed: PlacedReport, column: int, first: int, last: int
) -> Reference:
    return Reference(
        placed.sheet, min_col=column, max_col=column, min_row=first, max_row=last
    )


def _series_title(placed: PlacedReport, column: int, row: int) -> SeriesLabel:
    """A series named by a header cell (so the legend reads like the table)."""
    ref = f"{quote_sheetname(placed.sheet.title)}!${get_column_letter(column)}${row}"
    return SeriesLabel(strRef=StrRef(ref))


def _text(size: float, bold: bool = False) -> RichText:
    """Chart text in the workbook's Japanese font, horizontal."""
    props = CharacterProperties(
        sz=int(size * 100),
        b=bold,
        latin=DrawingFont(typeface=FONT_NAME),
        ea=DrawingFont(typeface=FONT_NAME),
    )
    return RichText(
        bodyPr=RichTextProperties(rot=0, vert="horz"),
        p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)],
    )


def _finish_chart(
    chart: BarChart | LineChart, title: str, width: float = _CHART_WIDTH_CM
) -> None:
    """Title, fonts, legend at the bottom, yen on the value axis, a printable size."""
    props = CharacterProperties(
        sz=1100,
        b=True,
        latin=DrawingFont(typeface=FONT_NAME),
        ea=DrawingFont(typeface=FONT_NAME),
    )
    run = RegularTextRun(rPr=props, t=title)
    rich = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), r=[run])])
    chart.title = Title(tx=Text(rich=rich), overlay=False)
    chart.width = width
    chart.height = _CHART_HEIGHT_CM
    chart.legend.position = "b"
    chart.legend.txPr = _text(9)
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
        axis.txPr = _text(9)
    chart.y_axis.number_format = THOUSANDS_FORMAT
