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
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from connect_books import ORGANISATION
from connect_books.fiscal import FiscalYear, Period, jdate
from connect_books.reports import registry
from connect_books.reports.index import Index
from connect_books.reports.sheets import (
    FONT_NAME,
    font,
    new_workbook,
    put_text,
    set_up_page,
)
from connect_books.reports.table import Report, Row, Table
from connect_books.reports.xlsx import PlacedReport, add_report_sheet

#: The board pack's sheets, in order.
BOARD_SHEETS = ("予算対比", "月次推移", "事業別", "基金")
#: The audit pack's sheets: (sheet name, report name), then the 監査報告書.
AUDIT_SHEETS = (
    ("収支計算書", "budget"),
    ("活動計算書", "activity"),
    ("貸借対照表", "balance-sheet"),
    ("財産目録", "inventory"),
    ("会費", "dues"),
    ("基金", "funds"),
    ("照合", "tie-out"),
)
AUDIT_REPORT_SHEET = "監査報告書"
#: How many 監事 sign (定款第8条: 2〜3名).
AUDITORS = 3

#: Chart axes in thousands of yen (1,200 = ¥1,200,000), so the labels do not collide.
THOUSANDS_FORMAT = "#,##0,"

_ACTIVITY_SUBTOTAL = re.compile(r"^事業(\d+):小計$")
_CHART_WIDTH_CM = 17.0
_CHART_HEIGHT_CM = 8.5
_HALF_CHART_WIDTH_CM = 13.0


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
    add_report_sheet(workbook, budget, budget_sheet)
    trend = registry.make(idx, "trend", period)
    add_trend_chart(add_report_sheet(workbook, trend, trend_sheet))
    add_activity_chart(
        add_report_sheet(workbook, activity_budget(budget), activity_sheet)
    )
    add_report_sheet(workbook, registry.make(idx, "funds", period), funds_sheet)
    return workbook


def audit_pack(idx: Index, year: FiscalYear) -> Workbook:
    """The 監事 workbook: every statement of ``year``, the tie-outs, a 監査報告書."""
    title = f"{year.label} 監査資料"
    workbook = new_workbook(title, "決算監査", f"{ORGANISATION} {title}")
    period = Period.of(year)
    for sheet, name in AUDIT_SHEETS:
        add_report_sheet(workbook, registry.make(idx, name, period), sheet)
    add_audit_report(workbook, year)
    return workbook


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

    A line chart of 収入合計, 支出合計 and 累計収支差額 by month, and stacked columns
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
    _finish_chart(lines, "収入・支出と累計収支差額 (千円)", width=_HALF_CHART_WIDTH_CM)

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


def add_audit_report(workbook: Workbook, year: FiscalYear) -> Worksheet:
    """A 監査報告書 for the 監事 to sign: addressee, wording, a blank date and seals."""
    ws = workbook.create_sheet(AUDIT_REPORT_SHEET)
    ws.sheet_view.showGridLines = False
    for column, width in zip("ABCDEF", (4, 18, 18, 18, 18, 8), strict=True):
        ws.column_dimensions[column].width = width
    body = font(11)

    def line(
        row: int,
        text: str,
        *,
        size: float = 11,
        bold: bool = False,
        align: str = "left",
        height: float | None = None,
    ) -> None:
        cell = put_text(ws.cell(row=row, column=2), text)
        cell.font = font(size, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=6)
        if height:
            ws.row_dimensions[row].height = height

    statements = "会計帳簿、収支計算書、活動計算書、貸借対照表及び財産目録"
    line(2, "　　　　年　　月　　日", align="right")
    line(4, ORGANISATION)
    line(5, "総会　御中")
    line(8, "監 査 報 告 書", size=18, bold=True, align="center", height=30)
    line(
        11,
        f"　私たちは、{ORGANISATION}の{year.label}({year.period_label})の{statements}を"
        "監査しました。",
        height=48,
    )
    line(13, "1　監査の方法", bold=True)
    line(
        14,
        "　会計帳簿及び証憑書類を閲覧し、現金及び預金の残高を現金の実査、"
        "通帳及び残高証明書と"
        "照合したほか、必要と認めた手続を実施しました。",
        height=48,
    )
    line(16, "2　監査の結果", bold=True)
    line(
        17,
        f"(1)　{statements.removeprefix('会計帳簿、')}は、会計帳簿の記載と合致し、"
        f"{year.label}の収支の状況、正味財産の増減の状況及び年度末の財産の状況を"
        "正しく示しているものと認めます。",
        height=64,
    )
    line(
        18,
        "(2)　業務の執行は、定款に従い適正に行われているものと認めます。",
        height=32,
    )
    line(20, "以上", align="right")
    row = 23
    for _ in range(AUDITORS):
        label = put_text(ws.cell(row=row, column=3), "監事")
        label.font = body
        label.alignment = Alignment(horizontal="right", vertical="bottom")
        for line_column in (4, 5):
            ws.cell(row=row, column=line_column).border = Border(
                bottom=Side(style="thin")
            )
        seal = put_text(ws.cell(row=row, column=6), "印")
        seal.font = body
        seal.alignment = Alignment(horizontal="center", vertical="bottom")
        ws.row_dimensions[row].height = 36
        row += 2
    hint = put_text(
        ws.cell(row=row + 2, column=2),
        "※ ひな形です。監査の結果に応じて文言を直し、"
        "日付を記入して署名・押印してください。"
        "(この行は印刷されません)",
    )
    hint.font = font(9, color="808080")
    ws.print_area = f"A1:F{row}"
    set_up_page(ws, f"{year.label} {AUDIT_REPORT_SHEET}", landscape=False)
    ws.oddFooter.center.text = ""
    return ws
