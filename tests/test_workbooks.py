"""The Excel writer and the board-pack / audit-pack workbooks, read back with openpyxl."""

from __future__ import annotations

import datetime
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from connect_books import ORGANISATION
from connect_books.fiscal import FiscalYear
from connect_books.reports.table import Column, Report, Row, Table
from connect_books.reports.xlsx import (
    YEN_FORMAT,
    display_width,
    put_text,
    sheet_title,
    write_report,
)

#: Text a spreadsheet would run as a formula if it were written carelessly.
DANGEROUS = (
    '=HYPERLINK("http://evil.example/","請求書")',
    "=1+1",
    "+81-3-1234-5678",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
)


def sample_report(labels: tuple[str, ...] = ()) -> Report:
    """A small 収支計算書 with a note, built by hand (no books needed)."""
    year = FiscalYear(2025)
    columns = (
        Column("budget", "予算額"),
        Column("actual", "決算額"),
        Column("diff", "差異"),
        Column("rate", "執行率", "ratio"),
        Column("note", "備考", "text"),
    )
    rows = [
        Row("収入の部", style="heading"),
        Row("会費", {"budget": 160000, "actual": 150000, "diff": -10000,
                     "rate": Decimal("0.9375")}, level=1),
        Row("寄付金", {"budget": Decimal(50000), "actual": Decimal(62000), "diff": 12000,
                       "rate": Decimal("1.24"), "note": "=募金箱"}, level=1),
        *(Row(label, {"actual": 1, "note": label}, level=1) for label in labels),
        Row("収入合計", {"budget": 210000, "actual": 212000, "diff": 2000}, style="subtotal"),
        Row("次期繰越金", {"actual": -1234567}, style="total"),
    ]
    note = Table(
        "使途等が制約された寄付等の内訳",
        (Column("open", "期首残高"), Column("close", "期末残高"), Column("day", "確認日", "date"),
         Column("ok", "照合", "mark")),
        (Row("地域たすけあい福祉基金(インクルファンド)",
             {"open": 1000000, "close": 705000, "day": datetime.date(2026, 3, 31), "ok": "✓"}),),
    )
    return Report(
        "budget", "収支計算書", year, year.start, year.end,
        (Table("収支計算書", columns, tuple(rows)), note),
        remarks=("うちインクルファンド 705,000円を含みます。",),
    )


def values_by_label(ws: Worksheet) -> dict[str, list[object]]:
    return {
        str(r[0].value): [c.value for c in r[1:]]
        for r in ws.iter_rows(min_row=6)
        if r[0].value is not None
    }


def is_a4(ws: Worksheet) -> bool:
    """A4 paper (openpyxl's constant is the string "9"; read back it is the int 9)."""
    return str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4


def sheet_xml(path: Path, index: int = 1) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


# ---------------------------------------------------------------- the writer


def test_write_report_layout(tmp_path: Path) -> None:
    path = write_report(sample_report(), tmp_path / "収支計算書.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "収支計算書"
    assert ws["A1"].value == ORGANISATION
    assert ws["A2"].value == "収支計算書"
    assert ws["A2"].font.b
    assert ws["A3"].value == "2025年度  自 2025年6月28日 至 2026年3月31日"
    assert ws["F4"].value == "(単位:円)"
    assert [c.value for c in ws[5]] == ["科目", "予算額", "決算額", "差異", "執行率", "備考"]
    assert ws.freeze_panes == "B6"
    assert ws.print_title_rows == "$1:$5"
    # Figures are numbers with the Japanese yen format (▲ for negatives), ratios as %.
    assert ws["B7"].value == 160000 and ws["B7"].data_type == "n"
    assert ws["B7"].number_format == YEN_FORMAT == "#,##0;▲#,##0"
    assert ws["D7"].value == -10000
    assert ws["E7"].number_format == "0.0%" and ws["E7"].value == pytest.approx(0.9375)
    assert ws["B8"].value == 50000 and isinstance(ws["B8"].value, int)
    # Indentation by level, bold subtotals and totals with a rule above.
    assert ws["A7"].alignment.indent == 1
    assert ws["A6"].font.b and not ws["A7"].font.b
    total = ws["A10"]
    assert total.value == "次期繰越金" and total.font.b
    assert total.border.top.style == "thin" and total.border.bottom.style == "double"
    assert ws["B9"].font.b and ws["B9"].border.top.style == "thin"
    assert ws["C10"].value == -1234567
    # The note follows with its own title and header row, then the remark.
    assert ws["A12"].value == "使途等が制約された寄付等の内訳"
    assert [c.value for c in ws[13]][:5] == ["科目", "期首残高", "期末残高", "確認日", "照合"]
    assert ws["D14"].value == datetime.datetime(2026, 3, 31)
    assert ws["E14"].value == "✓"
    assert ws["A16"].value == "※ うちインクルファンド 705,000円を含みます。"
    assert ws["A1"].font.name == "Yu Gothic"


def test_columns_fit_japanese_labels(tmp_path: Path) -> None:
    assert display_width("地域たすけあい福祉基金(インクルファンド)") == 40
    assert display_width("ABC") == 3
    path = write_report(sample_report(), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws.column_dimensions["A"].width >= 40
    assert ws.column_dimensions["B"].width >= display_width("1,000,000")


def test_print_setup_and_properties(tmp_path: Path) -> None:
    path = write_report(sample_report(), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert is_a4(ws)
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "&P / &N"
    assert "&D" in ws.oddFooter.right.text
    assert wb.properties.creator == "connect-books"
    assert wb.properties.title == "2025年度 収支計算書"
    assert wb.properties.subject == "収支計算書"
    with zipfile.ZipFile(path) as archive:
        app = archive.read("docProps/app.xml").decode()
    assert f"<Company>{ORGANISATION}</Company>" in app


def test_point_in_time_reports_say_as_at(tmp_path: Path) -> None:
    year = FiscalYear(2025)
    table = Table("貸借対照表", (Column("end", "当年度末"),), (Row("現金預金", {"end": 1}),))
    report = Report("balance-sheet", "貸借対照表", year, year.start, year.end, (table,))
    ws = openpyxl.load_workbook(write_report(report, tmp_path / "bs.xlsx")).active
    assert ws["A3"].value == "2025年度  2026年3月31日現在"
    during = Report("budget", "収支計算書", FiscalYear(2026), datetime.date(2026, 4, 1),
                    datetime.date(2026, 11, 30), (table,), as_of=datetime.date(2026, 11, 30))
    ws = openpyxl.load_workbook(write_report(during, tmp_path / "b.xlsx")).active
    assert ws["A3"].value == "2026年度  自 2026年4月1日 至 2026年11月30日  (2026年11月30日現在)"


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, text: str) -> None:
    path = write_report(sample_report(labels=(text,)), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path).active
    cell = ws["A9"]  # the label column, after 収入の部, 会費, 寄付金
    assert cell.value == text
    assert cell.data_type == "s"
    note = ws["F9"]
    assert note.value == text and note.data_type == "s"
    assert ws["F8"].value == "=募金箱" and ws["F8"].data_type == "s"
    xml = sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    cell_xml = re.search(r'<c r="A9"[^>]*>.*?</c>', xml)
    assert cell_xml and 't="inlineStr"' in cell_xml.group(0)


def test_put_text_against_openpyxl_default() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    careless = ws["A1"]
    careless.value = "=1+1"
    assert careless.data_type == "f"  # what this module protects against
    safe = put_text(ws["A2"], "=1+1")
    assert safe.data_type == "s" and safe.value == "=1+1" and safe.quotePrefix
    assert put_text(ws["A3"], "請求\x01書").value == "請求\ufffd書"


def test_sheet_titles_are_valid() -> None:
    assert sheet_title("収支/計算書[2025]?") == "収支・計算書・2025・・"
    assert len(sheet_title("あ" * 40)) == 31


def test_write_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.xlsx"
    write_report(sample_report(), target)
    assert target.is_file()
    assert [p.name for p in target.parent.iterdir()] == ["r.xlsx"]
