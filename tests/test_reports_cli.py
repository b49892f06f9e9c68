"""``connect-books report`` through click's CliRunner."""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connect_books.books import Books
from connect_books.cli import main
from connect_books.fiscal import FiscalYear, jdate
from connect_books.reports import output
from connect_books.reports.registry import REPORTS, ReportError

D = datetime.date


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", [*REPORTS, "tieout"])
def test_every_report_as_json(sample_path: Path, name: str) -> None:
    code, out, err = run(name, "--year", "2025", str(sample_path))
    assert code == 0, err
    data = json.loads(out)
    assert data["report"] == ("tie-out" if name == "tieout" else name)
    assert data["year"] == 2025 and data["year_label"] == "2025年度"
    assert data["period"] == {"start": "2025-06-28", "end": "2026-03-31"}
    assert data["rows"] and all("label" in row for row in data["rows"])
    assert "\\u" not in out  # ensure_ascii=False: Japanese as written


def test_json_figures_are_integer_yen(sample_path: Path) -> None:
    code, out, _ = run("activity", "--year", "2025年度", str(sample_path))
    assert code == 0
    data = json.loads(out)
    rows = {row["key"]: row for row in data["rows"] if "key" in row}
    assert rows["経常収益:受取会費"]["amount"] == 160000
    assert rows["一般:増減額"]["amount"] == 112805  # after 24,750 of depreciation
    assert rows["指定:増減額"]["amount"] == -569962  # negative: the writer prints ▲
    assert rows["指定:期末"]["amount"] == 3630038
    assert data["interim"] is False and data["status"] is None
    titles = [t["title"] for t in data["tables"]]
    assert "使途等が制約された寄付等の内訳" in titles and "事業別損益の状況" in titles


def test_as_of_and_default_ledger_from_env(sample_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["report", "budget", "--year", "2026", "--as-of", "2026-05-31"],
        env={"CONNECT_BOOKS_LEDGER": str(sample_path)},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-05-31" and data["period"]["end"] == "2026-05-31"
    assert data["title"] == "収支計算書 (暫定予算)"
    # a year before 2026-05-31 the organisation did not exist yet (founded 6/28):
    # no comparison, rather than a period of one day of zeros
    assert [c["label"] for c in data["columns"]][3:5] == ["達成率・執行率", "前年同期"]
    assert all(row.get("prior") is None for row in data["rows"])
    assert any("前年同期はありません" in x for x in data["remarks"])


def test_csv_to_stdout_and_to_a_file(sample_path: Path, tmp_path: Path) -> None:
    code, out, _ = run(
        "inventory", "--year", "2025", "--format", "csv", str(sample_path)
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[:3] == [  # (the 年度 and the day, as on the sheet)
        ["財産目録"],
        ["2025年度 2026年3月31日現在"],
        ["科目", "摘要", "金額"],
    ]
    assert ["未収会費", "2025年度会費 エコメッセ分", "10000"] in rows
    target = tmp_path / "bs.csv"
    code, _, err = run(
        "balance-sheet",
        "--year",
        "2025",
        "--format",
        "csv",
        "-o",
        str(target),
        str(sample_path),
    )
    assert code == 0 and "bs.csv に書きました" in err
    assert target.read_bytes().startswith(
        b"\xef\xbb\xbf"
    )  # BOM: Excel reads the Japanese
    assert "貸借対照表" in target.read_text(encoding="utf-8-sig")


def test_xlsx_needs_an_output_path_and_writes_a_workbook(
    sample_path: Path, tmp_path: Path
) -> None:
    code, _, err = run("budget", "--year", "2025", "--format", "xlsx", str(sample_path))
    assert code == 1
    assert "xlsx で出力するときは -o で出力先のファイルを指定してください" in err
    target = tmp_path / "budget.xlsx"
    code, _, err = run(
        "budget",
        "--year",
        "2025",
        "--format",
        "xlsx",
        "-o",
        str(target),
        str(sample_path),
    )
    assert code == 0, err
    assert target.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nope", "--year", "2025"],
            "エラー: 計算書 'nope' はありません。使える名前: budget (収支計算書)",
        ),
        (
            ["budget", "--year", "2100"],
            "エラー: 2100年度はまだ始まっていません",
        ),
        (
            ["balance-sheet", "--year", "2101"],
            "エラー: 2101年度はまだ始まっていません",
        ),
        (
            ["budget", "--year", "2026", "--as-of", "2026-03-01"],
            "エラー: 基準日 2026-03-01 は2026年度の開始",
        ),
        (
            ["budget", "--year", "2025", "--format", "pdf"],
            "エラー: 出力形式 'pdf' は使えません。",
        ),
    ],
)
def test_errors_are_japanese(sample_path: Path, args: list[str], message: str) -> None:
    code, out, err = run(*args, str(sample_path))
    assert code == 1
    assert out == ""
    assert err.startswith(message), err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["budget", "--year", "来年"],
            "エラー: '--year' の値が正しくありません: 年度の指定 '来年' が読めません。",
        ),
        (
            ["budget", "--year", "2026", "--as-of", "2026-02-30"],
            "エラー: '--as-of' の値が正しくありません: 日付 '2026-02-30' が読めません。",
        ),
    ],
)
def test_bad_year_and_date_are_usage_errors_in_japanese(
    sample_path: Path, args: list[str], message: str
) -> None:
    """The shared 年度 and date parameters: exit 2, the option named, as in every command."""
    code, out, err = run(*args, str(sample_path))
    assert code == 2
    assert out == ""
    assert err.startswith(message), err
    assert "report --help)" in err


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2024", "エラー: 2024年度は設立 (2025-06-28) 前の年度です。"),
        ("9999", "エラー: 9999年度の記録は帳簿にありません。"),
    ],
)
def test_a_year_the_books_cannot_hold_is_refused(
    sample_path: Path, year: str, message: str
) -> None:
    code, out, err = run("budget", "--year", year, str(sample_path))
    assert code == 1
    assert out == ""
    assert err.startswith(message), err


def test_income_expenditure_is_another_name_for_budget(sample_path: Path) -> None:
    code, out, err = run("income-expenditure", "--year", "2025", str(sample_path))
    assert code == 0, err
    data = json.loads(out)
    assert data["report"] == "budget" and data["title"] == "収支計算書"


def test_missing_ledger(tmp_path: Path) -> None:
    code, _, err = run("budget", "--year", "2025", str(tmp_path / "none.beancount"))
    assert code == 1 and "見つかりません" in err


def test_books_with_errors_still_report_but_warn(
    sample_path: Path, tmp_path: Path
) -> None:
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    journal = tmp_path / "ledger" / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + '\n2026-11-02 * "x"\n  Expenses:5210-管理費:5214-事務用品費 5 JPY\n'
        "  Assets:9999-Nowhere -5 JPY\n",
        encoding="utf-8",
    )
    main = str(tmp_path / "ledger" / "main.beancount")
    code, out, err = run("balance-sheet", "--year", "2025", main)
    assert code == 0
    assert "注意: 帳簿に 1件のエラーがあります" in err
    assert json.loads(out)["report"] == "balance-sheet"


def test_books_that_are_not_whole_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "main.beancount"
    empty.write_text("", encoding="utf-8")
    code, out, err = run("balance-sheet", "--year", "2025", str(empty))
    assert code == 1 and out == ""
    assert "規則のプラグインの plugin 行" in err
    assert "件のエラーがあるため、処理を行いません" in err


def test_output_never_follows_a_link(sample_path: Path, tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("元のまま", encoding="utf-8")
    link = tmp_path / "bs.csv"
    link.symlink_to(kept)
    code, _, err = run(
        "balance-sheet",
        "--year",
        "2025",
        "--format",
        "csv",
        "-o",
        str(link),
        str(sample_path),
    )
    assert code == 1
    assert err.startswith(f"エラー: 出力先 {link} は普通のファイルではありません"), err
    assert kept.read_text(encoding="utf-8") == "元のまま"


def test_unfinished_year_runs_to_today_and_says_so(sample_path: Path) -> None:
    """Without --as-of, a 年度 not ended is titled with today, never its year end."""
    today = datetime.date.today()
    year = FiscalYear.of(today)
    code, out, err = run("balance-sheet", "--year", str(year.year), str(sample_path))
    assert code == 0, err
    data = json.loads(out)
    assert data["as_of"] == today.isoformat()
    assert data["period"]["end"] == today.isoformat()
    assert data["interim"] is True
    assert data["status"] == f"年度途中 ({jdate(today)}現在)"
    assert data["columns"][0]["label"] == f"{jdate(today)}現在"
    code, out, _ = run(
        "inventory", "--year", str(year.year), "--format", "csv", str(sample_path)
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[:2] == [["財産目録"], [f"年度途中 ({jdate(today)}現在)"]]
    code, out, _ = run(
        "activity", "--year", str(year.year), "--as-of", "2026-09-30", str(sample_path)
    )
    labels = [row["label"] for row in json.loads(out)["rows"]]
    assert "Ⅲ 正味財産残高 (2026年9月30日現在)" in labels
    assert not [x for x in labels if "期末" in x or "次期繰越" in x]


@pytest.mark.parametrize(
    ("year", "today", "message"),
    [
        (
            2100,
            D(2026, 11, 29),
            "2100年度はまだ始まっていません (今日 2026-11-29 は2026年度です)",
        ),
        (9998, D(2026, 11, 29), "9998年度はまだ始まっていません"),
        (2027, D(2028, 5, 1), "2027年度 (2027-04-01〜) の記録は帳簿にありません"),
        (2025, D(2030, 5, 1), None),
    ],
)
def test_years_outside_the_books(
    sample_books: Books, year: int, today: D, message: str | None
) -> None:
    if message is None:
        period = output.period_for(sample_books.entries, FiscalYear(year), None, today)
        assert period.as_of is None and period.end == D(2026, 3, 31)
        return
    with pytest.raises(ReportError) as refused:
        output.check_year(sample_books.entries, FiscalYear(year), today)
    assert str(refused.value).startswith(message)


def test_a_year_before_the_books_is_refused(sample_books: Books) -> None:
    later = [e for e in sample_books.entries if e.date >= D(2026, 4, 1)]
    with pytest.raises(
        ReportError, match=r"2025年度 .* は帳簿の最初の記録 \(2026-04-01\)"
    ):
        output.check_year(later, FiscalYear(2025), D(2026, 11, 29))


@pytest.mark.parametrize("ahead", [1, 200])
def test_a_day_that_has_not_come_is_refused(
    sample_path: Path, tmp_path: Path, ahead: int
) -> None:
    """A statement "as at" a future day (even past the end of the 年度 not ended) would
    show today's figures under that date, or as the 決算 of a year not over."""
    today = datetime.date.today()
    day = (today + datetime.timedelta(days=ahead)).isoformat()
    year = str(FiscalYear.of(today).year)
    expected = f"エラー: 基準日 {day} は今日 ({today.isoformat()}) より先です。"
    for name in ("budget", "balance-sheet"):
        code, out, err = run(name, "--year", year, "--as-of", day, str(sample_path))
        assert (code, out) == (1, ""), err
        assert err.startswith(expected), err
    for pack in ("board-pack", "audit-pack"):
        target = tmp_path / f"{pack}.xlsx"
        result = CliRunner().invoke(
            main,
            [pack, "--year", year, "--as-of", day, "-o", str(target), str(sample_path)],
        )
        assert result.exit_code != 0 and expected in result.output, result.output
        assert not target.exists()


def test_a_finished_year_as_of_a_past_day_after_it_is_the_whole_year(
    sample_books: Books,
) -> None:
    period = output.period_for(
        sample_books.entries, FiscalYear(2025), D(2026, 5, 1), D(2026, 11, 30)
    )
    assert period.as_of is None and period.end == D(2026, 3, 31)
    with pytest.raises(ReportError, match="基準日 2027-05-01 は今日"):
        output.period_for(
            sample_books.entries, FiscalYear(2026), D(2027, 5, 1), D(2026, 11, 30)
        )


def test_a_report_from_books_with_errors_says_so_in_itself(
    sample_path: Path, tmp_path: Path
) -> None:
    import openpyxl

    ledger = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, ledger)
    journal = ledger / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8") + '\n2026-11-20 * "文具店" "ノート"\n'
        "  Expenses:5210-管理費:5214-事務用品費  1000 JPY\n"
        "  Liabilities:2110-未払金  -999 JPY\n",
        encoding="utf-8",
    )
    mark = "帳簿にエラーが1件ある状態で作った計算書です。確定した数字ではありません"
    books = str(ledger / "main.beancount")
    code, out, _ = run("balance-sheet", "--year", "2025", "--format", "csv", books)
    assert code == 0 and mark in out.splitlines()[2]
    code, out, _ = run("balance-sheet", "--year", "2025", books)
    assert mark in json.loads(out)["warning"]
    target = tmp_path / "bs.xlsx"
    code, _, _ = run(
        "balance-sheet", "--year", "2025", "--format", "xlsx", "-o", str(target), books
    )
    sheet = openpyxl.load_workbook(target).active
    assert mark in str(sheet.cell(row=4, column=1).value)
    code, out, _ = run("balance-sheet", "--year", "2025", str(sample_path))
    assert json.loads(out)["warning"] is None


def test_the_help_names_every_report() -> None:
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name, (_, title) in REPORTS.items():
        assert f"{name} ({title})" in text, name
