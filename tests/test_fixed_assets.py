"""固定資産: the ledger of fixed assets, the 固定資産台帳 and ``connect-books depreciation``."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from beancount import loader
from click.testing import CliRunner
from ledgertools import line_of, query_total

from connect_books.books import Books, load
from connect_books.cli import main
from connect_books.fiscal import FiscalYear, Period
from connect_books.fixed_assets import FixedAssets
from connect_books.reports import registry

D = datetime.date
Y25, Y26 = FiscalYear(2025), FiscalYear(2026)

LEDGER = """
option "operating_currency" "JPY"
2025-06-28 open Assets:1120-普通預金 JPY
2025-06-28 open Assets:1510-什器備品 JPY
  section: "固定資産"
2025-06-28 open Expenses:5217-減価償却費 JPY
  depreciation: TRUE
2025-06-28 open Expenses:5214-事務用品費 JPY
2025-06-28 open Equity:3010-引継正味財産 JPY
2025-06-28 custom "capitalisation-threshold" 100000 JPY
2025-06-28 * "引継"
  Assets:1120-普通預金   2000000 JPY
  Equity:3010-引継正味財産  -2000000 JPY
2025-10-06 * "ノートパソコン"
  Assets:1510-什器備品   198000 JPY
    asset: "PC-1"
    life: 4
  Assets:1120-普通預金  -198000 JPY
2026-03-31 * "減価償却 (2025年度)"
  Expenses:5217-減価償却費  24750 JPY
    asset: "PC-1"
  Assets:1510-什器備品     -24750 JPY
    asset: "PC-1"
"""


def read(text: str) -> FixedAssets:
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    return FixedAssets.from_entries(entries)


def test_straight_line_by_month_down_to_one_yen() -> None:
    book = read(LEDGER)
    pc = book.assets["PC-1"]
    assert (pc.cost, pc.life, pc.acquired) == (198_000, 4, D(2025, 10, 6))
    assert book.planned(pc, Y25) == 24_750  # 198,000 × 6 months ÷ 48
    assert book.due(pc, Y25) == 0  # booked
    assert book.planned(pc, Y26) == 49_500
    assert book.book_value("PC-1", D(2026, 3, 31)) == 173_250
    # booked every year after: the last year stops at the memorandum value of 1円
    later = "".join(
        f"""
{year + 1}-03-31 * "減価償却"
  Expenses:5217-減価償却費  49500 JPY
    asset: "PC-1"
  Assets:1510-什器備品     -49500 JPY
    asset: "PC-1"
"""
        for year in (2026, 2027, 2028)
    )
    worn = read(LEDGER + later)
    assert worn.planned(pc, FiscalYear(2029)) == 198_000 - 24_750 - 3 * 49_500 - 1
    last = (
        '\n2030-03-31 * "減価償却"\n  Expenses:5217-減価償却費  24749 JPY\n    asset: "PC-1"\n'
        '  Assets:1510-什器備品     -24749 JPY\n    asset: "PC-1"\n'
    )
    done = read(LEDGER + later + last)
    assert done.book_value("PC-1", D(2030, 3, 31)) == 1
    assert done.planned(pc, FiscalYear(2030)) == 0
    assert book.entry_text(Y26) == (
        '2027-03-31 * "減価償却 (2026年度)"\n'
        "  depreciation: 2026\n"
        f"  {'Expenses:5217-減価償却費':<48} {49500:>10} JPY\n"
        '    asset: "PC-1"\n'
        f"  {'Assets:1510-什器備品':<48} {-49500:>10} JPY\n"
        '    asset: "PC-1"\n'
    )


def test_problems_point_at_their_lines() -> None:
    text = (
        LEDGER
        + """
2025-11-01 * "プリンター"
  Assets:1510-什器備品    60000 JPY
    asset: "PR-1"
    life: 5
  Assets:1120-普通預金   -60000 JPY
2025-11-02 * "棚"
  Assets:1510-什器備品   120000 JPY
    asset: "SH-1"
  Assets:1120-普通預金  -120000 JPY
2025-11-03 * "机"
  Assets:1510-什器備品   130000 JPY
  Assets:1120-普通預金  -130000 JPY
"""
    )
    problems = {p.meta["lineno"]: p.message for p in read(text).problems}
    assert (
        "取得価額 60,000円 は資産計上の基準 (100,000円) 未満です"
        in problems[line_of(text, 'asset: "PR-1"') - 1]
    )
    assert (
        "資産 SH-1 の耐用年数がありません"
        in problems[line_of(text, 'asset: "SH-1"') - 1]
    )
    assert "資産番号がありません" in problems[line_of(text, "130000 JPY")]


def test_ledger_of_the_sample_ties_to_the_balance_sheet(sample_books: Books) -> None:
    idx = registry.index_of(sample_books)
    for year, as_of in ((Y25, None), (Y26, D(2026, 11, 30))):
        r = registry.make(idx, "fixed-assets", Period.of(year, as_of))
        end = as_of or year.end
        held = query_total(
            sample_books,
            "SELECT sum(number) WHERE account = 'Assets:1510-什器備品' AND date <= %s",
            end,
        )
        assert r.main.by_key("合計").get("closing") == held
    r = registry.make(idx, "fixed-assets", Period.of(Y25))
    pc = r.main.by_key("PC-2025-01")
    assert (pc.get("cost"), pc.get("depreciation"), pc.get("closing")) == (
        198_000,
        24_750,
        173_250,
    )
    assert pc.get("acquired") == D(2025, 10, 6) and pc.get("life") == "4年"


def test_depreciation_prints_and_writes_only_when_asked(
    sample_path: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["depreciation", "--year", "2025", str(sample_path)])
    assert done.exit_code == 0, done.output
    assert "2025年度の減価償却はすべて記帳済みです" in done.output
    # a copy of the books whose 2025 depreciation was never booked (and not yet settled)
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    (folder / "settlements.beancount").write_text("; 決算\n", encoding="utf-8")
    journal = folder / "2025.beancount"
    text = journal.read_text(encoding="utf-8")
    start = text.index('2026-03-31 * "減価償却 (2025年度)"')
    end = text.index("\n\n", start) + 2
    journal.write_text(text[:start] + text[end:], encoding="utf-8")
    before = journal.read_bytes()
    books = folder / "main.beancount"
    shown = runner.invoke(main, ["depreciation", "--year", "2025", str(books)])
    assert shown.exit_code == 0, shown.output
    assert '2026-03-31 * "減価償却 (2025年度)"' in shown.output
    assert "24750 JPY" in shown.output and "--write" in shown.output
    assert journal.read_bytes() == before  # never silently
    written = runner.invoke(
        main, ["depreciation", "--year", "2025", "--write", str(books)]
    )
    assert written.exit_code == 0, written.output
    assert "2025.beancount:" in written.output and "書き込みました" in written.output
    closed = runner.invoke(
        main,
        [
            "close-year",
            "2025",
            str(books),
            "--date",
            "2026-06-20",
            "--audited",
            "2026-05-23",
        ],
    )
    assert closed.exit_code == 0, closed.output
    loaded = load(books)
    assert loaded.errors == []
    assert (
        query_total(
            loaded,
            "SELECT sum(number) WHERE account ~ '減価償却費' AND date = 2026-03-31",
        )
        == 24_750
    )
    again = runner.invoke(main, ["depreciation", "--year", "2025", str(books)])
    assert "すべて記帳済みです" in again.output


def test_a_year_not_yet_ended_is_refused_by_the_writer(
    sample_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    journal = folder / "2027.beancount"
    result = CliRunner().invoke(
        main,
        ["depreciation", "--year", "2026", "--write", str(folder / "main.beancount")],
    )
    assert result.exit_code == 1
    assert "エラー:" in result.output and "日付 2027-03-31 は今日から" in result.output
    assert not journal.exists()
