"""The 監査報告書 sheet of the audit pack: a template for the 監事 to sign.

The wording follows the articles (定款第27条2: 決算 with 資産目録 and 貸借対照表, audited by
the 監事); the date and the seals are left blank. For a 年度 that has not ended the sheet
says so in red: it cannot be signed as a settlement.
"""

from __future__ import annotations

import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.worksheet.worksheet import Worksheet

from connect_books import ORGANISATION
from connect_books.fiscal import FiscalYear, jdate
from connect_books.reports.sheets import font, put_text, set_up_page
from connect_books.verification import Seal

AUDIT_REPORT_SHEET = "監査報告書"
#: How many 監事 sign (定款第8条: 2〜3名).
AUDITORS = 3


def add_audit_report(
    workbook: Workbook,
    year: FiscalYear,
    as_of: datetime.date | None = None,
    seal: Seal | None = None,
) -> Worksheet:
    """A 監査報告書 for the 監事 to sign: addressee, wording, a blank date and seals.

    For a 年度 not ended (``as_of``) the sheet says in red that it cannot be signed yet.
    ``seal`` (:func:`connect_books.verification.seal_for`) is printed under the
    signatures, so that the paper can later confirm the books (``connect-books verify``).
    """
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
    if as_of is not None:
        warning = put_text(
            ws.cell(row=6, column=2),
            f"【年度途中】{year.label}は終わっていません ({jdate(as_of)}現在の途中の数字)。"
            "決算の監査報告書には使えません。",
        )
        warning.font = font(10, bold=True, color="C00000")
    row = 23
    for _ in range(AUDITORS):
        label = put_text(ws.cell(row=row, column=3), "監事")
        label.font = body
        label.alignment = Alignment(horizontal="right", vertical="bottom")
        for line_column in (4, 5):
            ws.cell(row=row, column=line_column).border = Border(
                bottom=Side(style="thin")
            )
        mark = put_text(ws.cell(row=row, column=6), "印")
        mark.font = body
        mark.alignment = Alignment(horizontal="center", vertical="bottom")
        ws.row_dimensions[row].height = 36
        row += 2
    if seal is not None:
        line(row + 1, seal.label, bold=True)
        code = put_text(ws.cell(row=row + 2, column=2), seal.value)
        code.font = font(9)
        ws.merge_cells(start_row=row + 2, start_column=2, end_row=row + 2, end_column=6)
        for offset, note in enumerate(seal.notes, start=3):
            line(row + offset, note, size=9, height=26)
        row += 3 + len(seal.notes)
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
