"""The Excel writer and the board-pack and audit-pack workbooks, read back."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet

from connect_books import ORGANISATION
from connect_books.cli import main
from connect_books.cmd_report import report as report_command
from connect_books.fiscal import FiscalYear, jdate
from connect_books.reports.sheets import (
    YEN_FORMAT,
    display_width,
    put_text,
    sheet_title,
)
from connect_books.reports.table import Column, Report, Row, Table
from connect_books.reports.xlsx import write_report

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
        Row(
            "会費",
            {
                "budget": 160000,
                "actual": 150000,
                "diff": -10000,
                "rate": Decimal("0.9375"),
            },
            level=1,
        ),
        Row(
            "寄付金",
            {
                "budget": Decimal(50000),
                "actual": Decimal(62000),
                "diff": 12000,
                "rate": Decimal("1.24"),
                "note": "=募金箱",
            },
            level=1,
        ),
        *(Row(label, {"actual": 1, "note": label}, level=1) for label in labels),
        Row(
            "収入合計",
            {"budget": 210000, "actual": 212000, "diff": 2000},
            style="subtotal",
        ),
        Row("次期繰越金", {"actual": -1234567}, style="total"),
    ]
    note = Table(
        "使途等が制約された寄付等の内訳",
        (
            Column("open", "期首残高"),
            Column("close", "期末残高"),
            Column("day", "確認日", "date"),
            Column("ok", "照合", "mark"),
        ),
        (
            Row(
                "地域たすけあい福祉基金(インクルファンド)",
                {
                    "open": 1000000,
                    "close": 705000,
                    "day": datetime.date(2026, 3, 31),
                    "ok": "✓",
                },
            ),
        ),
    )
    return Report(
        "budget",
        "収支計算書",
        year,
        year.start,
        year.end,
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
    assert [c.value for c in ws[5]] == [
        "科目",
        "予算額",
        "決算額",
        "差異",
        "執行率",
        "備考",
    ]
    assert ws.freeze_panes == "B6"
    # With notes below, only the titles repeat on each printed page (not the header).
    assert ws.print_title_rows == "$1:$3"
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
    assert [c.value for c in ws[13]][:5] == [
        "科目",
        "期首残高",
        "期末残高",
        "確認日",
        "照合",
    ]
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
    # the day it was made, written out (Excel's &D follows the viewer's locale)
    assert ws.oddFooter.right.text == f"作成日 {jdate(datetime.date.today())}"
    assert wb.properties.creator == "connect-books"
    assert wb.properties.title == "2025年度 収支計算書"
    assert wb.properties.subject == "収支計算書"
    with zipfile.ZipFile(path) as archive:
        app = archive.read("docProps/app.xml").decode()
    assert f"<Company>{ORGANISATION}</Company>" in app


def test_point_in_time_reports_say_as_at(tmp_path: Path) -> None:
    year = FiscalYear(2025)
    table = Table(
        "貸借対照表", (Column("end", "当年度末"),), (Row("現金預金", {"end": 1}),)
    )
    report = Report("balance-sheet", "貸借対照表", year, year.start, year.end, (table,))
    ws = openpyxl.load_workbook(write_report(report, tmp_path / "bs.xlsx")).active
    assert ws["A3"].value == "2025年度  2026年3月31日現在"
    assert ws.print_title_rows == "$1:$5"  # one table: its header repeats on every page
    during = Report(
        "budget",
        "収支計算書",
        FiscalYear(2026),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 11, 30),
        (table,),
        as_of=datetime.date(2026, 11, 30),
    )
    ws = openpyxl.load_workbook(write_report(during, tmp_path / "b.xlsx")).active
    assert (
        ws["A3"].value
        == "2026年度  自 2026年4月1日 至 2026年11月30日  (2026年11月30日現在)"
    )


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


# ---------------------------------------------------------------- the packs

BOARD_REPORTS = {"予算対比": "budget", "月次推移": "trend", "基金": "funds"}
AUDIT_REPORTS = {
    "収支計算書": "budget",
    "活動計算書": "activity",
    "注記": "activity",
    "事業別損益": "activity",
    "貸借対照表": "balance-sheet",
    "財産目録": "inventory",
    "会費": "dues",
    "基金": "funds",
    "照合": "tie-out",
}
#: The account books that follow the statements in the audit pack (sample 2025年度).
ACCOUNT_BOOKS = [
    "仕訳帳",
    "総勘定元帳",
    "現金出納帳",
    "預金出納帳 1120-普通預金-ろうきん",
    "預金出納帳 1130-普通預金-インクルファンド",
    "預金出納帳 1140-普通預金-まちづくり積立金",
    "固定資産台帳",
    "源泉徴収",
]


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def report_json(
    name: str, ledger: Path, year: int, as_of: str | None = None
) -> dict[str, Any]:
    """The same report through ``connect-books report NAME --format json``."""
    args = [name, str(ledger), "--year", str(year), "--format", "json"]
    if as_of:
        args += ["--as-of", as_of]
    result = CliRunner().invoke(report_command, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def sheet_tables(ws: Worksheet, titles: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Read the tables back from a sheet: a header row (科目 …), rows to a blank. A
    table whose ``title`` follows a blank row without a header of its own (one of the
    same form as the first: each 会計 of the 収支計算書) has the first one's columns."""
    tables: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    blank = False
    for row in ws.iter_rows(min_row=5):
        first = row[0].value
        if first == "科目":
            labels = [c.value for c in row[1:] if c.value is not None]
            if current is not None and not current["rows"]:
                tables.pop()  # (the title line of a table that has its own header)
            current = {"columns": labels, "rows": []}
            tables.append(current)
        elif blank and first in titles and tables:
            current = {"columns": tables[0]["columns"], "rows": []}
            tables.append(current)
        elif first is None or str(first).startswith("※"):
            current = None
        elif current is not None:
            values = {label: row[i + 1] for i, label in enumerate(current["columns"])}
            current["rows"].append((first, values))
        blank = first is None
    return tables


def expected(cell: Any, kind: str, value: Any) -> None:
    """One figure as written in the sheet against the JSON value."""
    if value is None:
        assert cell.value is None, (cell.coordinate, cell.value)
    elif kind == "yen":
        assert cell.value == value and cell.data_type == "n", (
            cell.coordinate,
            cell.value,
            value,
        )
        assert cell.number_format == YEN_FORMAT
    elif kind == "ratio":
        assert cell.value == pytest.approx(value), (cell.coordinate, cell.value, value)
        assert cell.number_format == "0.0%"
    elif kind == "date":
        assert cell.value.date().isoformat() == value, (
            cell.coordinate,
            cell.value,
            value,
        )
    else:
        assert cell.value == value and cell.data_type == "s", (
            cell.coordinate,
            cell.value,
        )


def assert_matches_json(ws: Worksheet, data: dict[str, Any]) -> int:
    """Every figure of every table of the report is in the sheet (by label, column).

    Labels can repeat (小計 under each activity): rows are matched by label and by which
    occurrence of that label they are. Returns how many values were compared.
    """
    json_tables = [{"columns": data["columns"], "rows": data["rows"]}, *data["tables"]]
    sheet = sheet_tables(ws, tuple(t["title"] for t in data["tables"]))
    assert len(sheet) == len(json_tables), ws.title
    compared = 0
    for json_table, sheet_table in zip(json_tables, sheet, strict=True):
        assert sheet_table["columns"] == [c["label"] for c in json_table["columns"]]
        seen: dict[str, int] = {}
        sheet_rows: dict[tuple[str, int], dict[str, Any]] = {}
        for label, cells in sheet_table["rows"]:
            seen[label] = seen.get(label, 0) + 1
            sheet_rows[(label, seen[label])] = cells
        seen.clear()
        assert len(sheet_table["rows"]) == len(json_table["rows"]), ws.title
        for row in json_table["rows"]:
            seen[row["label"]] = seen.get(row["label"], 0) + 1
            cells = sheet_rows[(row["label"], seen[row["label"]])]
            for column in json_table["columns"]:
                expected(cells[column["label"]], column["kind"], row.get(column["key"]))
                compared += 1
    return compared


def assert_printable(ws: Worksheet) -> None:
    assert is_a4(ws), ws.title
    assert ws.page_setup.fitToWidth == 1, ws.title
    assert ws.page_setup.fitToHeight == 0, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.oddFooter.right.text, ws.title


@pytest.fixture(scope="module")
def board_workbook(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> Path:
    out = tmp_path_factory.mktemp("board") / "board.xlsx"
    printed = run_cli(
        "board-pack",
        "--year",
        "2026",
        "--as-of",
        "2026-11-30",
        "-o",
        str(out),
        str(sample_path),
    )
    assert printed.strip() == str(out)
    return out


@pytest.fixture(scope="module")
def audit_workbook(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> Path:
    out = tmp_path_factory.mktemp("audit") / "audit.xlsx"
    printed = run_cli("audit-pack", "--year", "2025", "-o", str(out), str(sample_path))
    assert printed.strip() == str(out)
    return out


def test_board_pack_sheets_and_print_setup(board_workbook: Path) -> None:
    wb = openpyxl.load_workbook(board_workbook)
    assert wb.sheetnames == ["予算対比", "月次推移", "事業別", "基金"]
    for ws in wb:
        assert_printable(ws)
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes == "B6", ws.title
    assert wb.properties.title == "2026年度 運営委員会資料 (2026年11月30日現在)"
    assert wb["予算対比"]["A3"].value.endswith("(2026年11月30日現在)")


def test_board_pack_figures_match_the_reports(
    board_workbook: Path, sample_path: Path
) -> None:
    wb = openpyxl.load_workbook(board_workbook)
    for sheet, name in BOARD_REPORTS.items():
        data = report_json(name, sample_path, 2026, "2026-11-30")
        assert wb[sheet]["A2"].value == data["title"]
        assert assert_matches_json(wb[sheet], data) > 10


def test_board_pack_activities_are_the_budget_subtotals(
    board_workbook: Path, sample_path: Path
) -> None:
    data = report_json("budget", sample_path, 2026, "2026-11-30")
    subtotals = [r for r in data["rows"] if r.get("key", "").endswith(":小計")]
    headings = {
        r.get("key"): r["label"] for r in data["rows"] if r["style"] == "heading"
    }
    ws = openpyxl.load_workbook(board_workbook)["事業別"]
    (table,) = sheet_tables(ws)
    assert [label for label, _ in table["rows"]] == [
        *(headings[r["key"].split(":")[0]] for r in subtotals),
        "事業費計",
    ]
    assert table["rows"][0][0] == "1 市民版まちづくり計画・新規事業"
    for (_, cells), row in zip(table["rows"], subtotals, strict=False):
        assert cells["予算額"].value == row["budget"]
        assert cells["予算額"].value > 0
    program = next(r for r in data["rows"] if r["label"] == "事業費計")
    assert table["rows"][-1][1]["予算額"].value == program["budget"]


def test_board_pack_charts(board_workbook: Path) -> None:
    with zipfile.ZipFile(board_workbook) as archive:
        charts = sorted(
            n for n in archive.namelist() if n.startswith("xl/charts/chart")
        )
        xml = [archive.read(n).decode() for n in charts]
    assert len(charts) == 3  # 月次推移: line + stacked columns; 事業別: bars
    assert sum("<lineChart>" in x for x in xml) == 1
    assert sum("<barChart>" in x for x in xml) == 2
    joined = "".join(xml)
    # Series point at the cells the figures were written to; categories are text.
    assert "<val><numRef><f>'月次推移'!$B$6:$B$13</f>" in joined  # 2026年4月〜11月
    assert "<cat><strRef><f>'月次推移'!$A$6:$A$13</f>" in joined
    assert "<cat><strRef><f>'事業別'!$A$6:$A$10</f>" in joined  # activities 1〜5
    assert "事業別 予算額と実績" in joined


def test_audit_pack_sheets_and_print_setup(audit_workbook: Path) -> None:
    wb = openpyxl.load_workbook(audit_workbook)
    assert wb.sheetnames == [*AUDIT_REPORTS, *ACCOUNT_BOOKS, "監査報告書"]
    for ws in wb:
        assert_printable(ws)
    for sheet in AUDIT_REPORTS:
        assert wb[sheet].print_title_rows, sheet
    assert wb.properties.creator == "connect-books"
    assert wb.properties.title == "2025年度 監査資料"


def test_audit_pack_figures_match_the_reports(
    audit_workbook: Path, sample_path: Path
) -> None:
    wb = openpyxl.load_workbook(audit_workbook)
    for sheet, name in AUDIT_REPORTS.items():
        data = activity_part(report_json(name, sample_path, 2025), sheet)
        assert wb[sheet]["A2"].value == data["title"], sheet
        assert assert_matches_json(wb[sheet], data) > 5, sheet


def activity_part(data: dict[str, Any], sheet: str) -> dict[str, Any]:
    """What one sheet of the 活動計算書 shows: the statement, its notes, or 事業別損益.

    The notes are numbered in the report's order; the first note's title is its first
    row (the sheet's title is 「活動計算書の注記」).
    """
    if data["report"] != "activity":
        return data
    if sheet == "活動計算書":
        return {**data, "tables": []}
    notes = [
        {**t, "title": f"{n} {t['title']}"}
        for n, t in enumerate(data["tables"], start=1)
    ]
    if sheet == "事業別損益":
        (wide,) = [t for t in notes if t["title"].endswith("事業別損益の状況")]
        return {
            **data,
            "title": f"活動計算書の注記 {wide['title']}",
            "columns": wide["columns"],
            "rows": wide["rows"],
            "tables": [],
        }
    narrow = [t for t in notes if not t["title"].endswith("事業別損益の状況")]
    heading = {"label": narrow[0]["title"], "style": "heading", "level": 0}
    return {
        **data,
        "title": "活動計算書の注記",
        "columns": narrow[0]["columns"],
        "rows": [heading, *narrow[0]["rows"]],
        "tables": narrow[1:],
    }


def test_audit_pack_activity_sheets(audit_workbook: Path) -> None:
    wb = openpyxl.load_workbook(audit_workbook)
    statement = [c.value for c in wb["活動計算書"]["A"] if c.value]
    assert "Ⅲ 正味財産期末残高" in statement
    assert "事業別損益の状況" not in " ".join(map(str, statement))
    notes = [c.value for c in wb["注記"]["A"] if c.value]
    for title in (
        "1 重要な会計方針",
        "3 使途等が制約された寄付等の内訳",
        "4 引継財産の内訳",
        "5 役員及び関連当事者との取引",
        "6 助成決定済み未払額",
    ):
        assert title in notes, title
    assert wb["事業別損益"]["A2"].value == "活動計算書の注記 2 事業別損益の状況"
    for sheet in ("活動計算書", "注記", "事業別損益"):
        assert_printable(wb[sheet])


def test_audit_report_template(audit_workbook: Path) -> None:
    ws = openpyxl.load_workbook(audit_workbook)["監査報告書"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    joined = "\n".join(texts)
    assert "監 査 報 告 書" in texts
    assert "総会　御中" in texts
    period = "2025年度(自 2025年6月28日 至 2026年3月31日)"
    assert f"{period}の会計帳簿、収支計算書、活動計算書、" in joined
    assert "貸借対照表及び財産目録を監査しました。" in joined
    assert "　　　　年　　月　　日" in texts  # the date is left for the auditors
    assert texts.count("監事") == 3 and texts.count("印") == 3
    assert ws.print_area and ws.page_setup.orientation == "portrait"


def test_default_output_names(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    board = runner.invoke(
        main,
        ["board-pack", "--year", "2026", "--as-of", "2026-11-30", str(sample_path)],
    )
    assert board.exit_code == 0, board.output
    assert board.output.strip() == "out/2026年度_運営委員会資料_2026-11-30.xlsx"
    audit = runner.invoke(main, ["audit-pack", "--year", "2025", str(sample_path)])
    assert audit.exit_code == 0, audit.output
    assert audit.output.strip() == "out/2025年度_監査資料.xlsx"
    assert Path("out/2025年度_監査資料.xlsx").is_file()
    assert sorted(p.name for p in Path("out").iterdir()) == [
        "2025年度_監査資料.xlsx",
        "2026年度_運営委員会資料_2026-11-30.xlsx",
    ]


def test_bad_arguments_are_refused_in_japanese(
    tmp_path: Path, sample_path: Path
) -> None:
    runner = CliRunner()
    outside = runner.invoke(
        main,
        ["board-pack", "--year", "2026", "--as-of", "2025-11-30", str(sample_path)],
    )
    assert outside.exit_code == 2
    assert (
        "2025-11-30 は2026年度 (自 2026年4月1日 至 2027年3月31日) の外です"
        in outside.output
    )
    early = runner.invoke(main, ["audit-pack", "--year", "2019", str(sample_path)])
    assert (
        early.exit_code == 1
        and "エラー: 2019年度は設立 (2025-06-28) 前の年度です" in early.output
    )
    missing = runner.invoke(
        main, ["audit-pack", "--year", "2025", str(tmp_path / "no.beancount")]
    )
    assert missing.exit_code == 1 and "が見つかりません" in missing.output
    assert not (tmp_path / "out").exists()


def test_books_with_errors_are_refused(tmp_path: Path, sample_path: Path) -> None:
    books = copy_books(sample_path, tmp_path)
    journal_path = books.parent / "2026.beancount"
    line = len(journal_path.read_text(encoding="utf-8").splitlines()) + 2
    with open(journal_path, "a", encoding="utf-8") as journal:
        journal.write(
            '\n2026-10-15 * "誤記" "貸借が合わない"\n'
            "  Expenses:5210-管理費:5212-会議費     1000 JPY\n"
            "  Expenses:5210-管理費:5213-通信運搬費 -999 JPY\n"
        )
    result = CliRunner().invoke(
        main,
        ["audit-pack", "--year", "2026", "-o", str(tmp_path / "a.xlsx"), str(books)],
    )
    assert result.exit_code == 1
    assert f"2026.beancount:{line}: 借方と貸方が一致しません" in result.output
    assert "帳簿に1件のエラーがあるため、資料を作りません" in result.output
    assert not (tmp_path / "a.xlsx").exists()


def copy_books(sample_path: Path, tmp_path: Path) -> Path:
    """A copy of the sample books to change in a test."""
    target = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, target)
    return target / sample_path.name


@pytest.mark.parametrize(
    "payee",
    [
        "=1+2",
        '=HYPERLINK("http://evil.example/","x")',
        "+81 3 0000",
        "-2+3",
        "@SUM(A1)",
    ],
)
def test_payee_reaching_the_inventory_stays_text(
    tmp_path: Path, sample_path: Path, payee: str
) -> None:
    books = copy_books(sample_path, tmp_path)
    quoted = payee.replace("\\", "\\\\").replace('"', '\\"')
    with open(books.parent / "2026.beancount", "a", encoding="utf-8") as journal:
        journal.write(
            f'\n2026-10-15 * "{quoted}" "会議室使用料 (翌月払い)"\n'
            "  Expenses:5210-管理費:5212-会議費   1000 JPY\n"
            "  Liabilities:2110-未払金          -1000 JPY\n"
        )
    out = tmp_path / "audit.xlsx"
    run_cli("audit-pack", "--year", "2026", "-o", str(out), str(books))
    wb = openpyxl.load_workbook(out)
    ws = wb["財産目録"]
    hits = [
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(payee)
    ]
    assert hits, [c.value for row in ws.iter_rows() for c in row if c.value]
    for cell in hits:
        assert cell.data_type == "s"
        assert cell.value.startswith(f"{payee}に対する")
    index = wb.sheetnames.index("財産目録") + 1
    xml = sheet_xml(out, index)
    assert "<f>" not in xml and "<f " not in xml
    for cell in hits:
        raw = re.search(rf'<c r="{cell.coordinate}"[^>]*>.*?</c>', xml)
        assert raw and 't="inlineStr"' in raw.group(0)
    data = report_json("inventory", books, 2026)
    assert any(str(r.get("detail", "")).startswith(payee) for r in data["rows"])


@pytest.mark.parametrize("year", ["2100", "9999"])
def test_audit_pack_for_a_year_outside_the_books_is_refused(
    tmp_path: Path, sample_path: Path, year: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (
        ["audit-pack", "--year", year, str(sample_path)],
        [
            "audit-pack",
            "--year",
            year,
            "-o",
            str(tmp_path / "a.xlsx"),
            str(sample_path),
        ],
        ["board-pack", "--year", year, str(sample_path)],
    ):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(
            f"エラー: {year}年度はまだ始まっていません"
            if year == "2100"
            else f"エラー: {year}年度の記録は帳簿にありません"
        ), result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no workbook, no out/ folder


def test_audit_pack_of_an_unfinished_year_is_marked(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --as-of: today's figures, titled with today, 「年度途中」 on every sheet."""
    monkeypatch.chdir(tmp_path)
    today = datetime.date.today()
    year = FiscalYear.of(today)
    result = CliRunner().invoke(
        main, ["audit-pack", "--year", str(year.year), str(sample_path)]
    )
    assert result.exit_code == 0, result.output
    assert "計算書は" in result.output and "現在の途中の数字です" in result.output
    path = Path(f"out/{year.label}_監査資料_{today.isoformat()}現在.xlsx")
    assert path.is_file()
    wb = openpyxl.load_workbook(path)
    assert (
        wb.properties.title == f"{year.label} 監査資料 ({jdate(today)}現在・年度途中)"
    )
    for sheet in AUDIT_REPORTS:
        ws = wb[sheet]
        assert str(ws["A4"].value).startswith("【年度途中】"), sheet
        assert f"{jdate(today)}現在" in str(ws["A4"].value)
        assert "2027年3月31日" not in str(ws["A3"].value), sheet
    assert wb["貸借対照表"]["A3"].value.endswith(f"{jdate(today)}現在")
    texts = [c.value for row in wb["監査報告書"].iter_rows() for c in row if c.value]
    assert any(str(t).startswith("【年度途中】") for t in texts)
    data = report_json("balance-sheet", sample_path, year.year)
    assert data["as_of"] == today.isoformat()


def test_year_end_workbooks_carry_no_interim_mark(audit_workbook: Path) -> None:
    wb = openpyxl.load_workbook(audit_workbook)
    for sheet in AUDIT_REPORTS:
        assert wb[sheet]["A4"].value is None, sheet
    labels = [c.value for c in wb["活動計算書"]["A"] if c.value]
    assert "Ⅲ 正味財産期末残高" in labels
    assert "指定正味財産からの振替額" in labels
