"""``connect-books dues pay`` (the 年度, arrears and advances) and ``dues invoice``."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ledgertools import query_total
from openpyxl import load_workbook

from bench.generate import END, generate
from connect_books.books import load
from connect_books.chart import Role
from connect_books.cli import main
from connect_books.entry import Context
from connect_books.entry_dues import dues_entry
from connect_books.fiscal import FiscalYear
from connect_books.reports.index import build_index
from connect_books.reports.subledgers import dues_lines
from connect_books.writer import LOCK_NAME

DAY = "2026-12-03"


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != LOCK_NAME
    }


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def journal_tail(books: Path) -> str:
    return (books.parent / "2026.beancount").read_text().rsplit("\n\n", 1)[-1]


def test_pay_this_years_dues(books: Path) -> None:
    result = run("dues", "pay", "まちデザイン", str(books), "--date", DAY)
    assert result.exit_code == 0, result.output
    assert journal_tail(books).startswith(
        '2026-12-03 * "コミュニティスクール・まちデザイン" "2026年度会費"\n'
        '  member: "CS-MACHIDESIGN"\n  Assets:1120-普通預金-ろうきん'
    )
    after = load(books)
    assert not after.errors
    income = query_total(
        after,
        "SELECT sum(number) WHERE account ~ '4110' AND entry_meta('member') = 'CS-MACHIDESIGN'"
        " AND date >= 2026-04-01",
    )
    assert income == -10000
    before = snapshot(books.parent)
    again = run(
        "dues", "pay", "CS-MACHIDESIGN", str(books), "--date", DAY, "--year", "2026"
    )
    assert again.exit_code == 1
    assert "2026年度会費 (10,000円) は納入済みです" in again.output
    assert snapshot(books.parent) == before


def test_a_partial_payment_then_the_rest(books: Path) -> None:
    first = run(
        "dues", "pay", "CS-MACHIDESIGN", str(books), "--date", DAY, "--amount", "4000"
    )
    assert first.exit_code == 0, first.output
    too_much = run(
        "dues", "pay", "CS-MACHIDESIGN", str(books), "--date", DAY, "--amount", "7000"
    )
    assert too_much.exit_code == 1
    assert "残りは 6,000円" in too_much.output
    rest = run(
        "dues", "pay", "CS-MACHIDESIGN", str(books), "--date", DAY, "--account", "1110"
    )
    assert rest.exit_code == 0, rest.output
    assert "Assets:1110-現金" in journal_tail(books)
    assert "6000 JPY" in journal_tail(books)
    assert not load(books).errors


def test_paid_up_members_pay_the_next_year_in_advance(books: Path) -> None:
    # in December, a second payment with no 年度 named is more likely a mistake
    unasked = run("dues", "pay", "TAGAYASU", str(books), "--date", DAY)
    assert unasked.exit_code == 1
    assert "2026年度会費は納入済みです。2027年度会費の前受けなら --year 2027" in (
        unasked.output
    )
    result = run("dues", "pay", "TAGAYASU", str(books), "--date", DAY, "--year", "2027")
    assert result.exit_code == 0, result.output
    tail = journal_tail(books)
    assert '"2027年度会費 (前受け)"' in tail
    assert "Liabilities:2130-前受会費" in tail
    too_far = run(
        "dues", "pay", "TAGAYASU", str(books), "--date", DAY, "--year", "2028"
    )
    assert too_far.exit_code == 1
    assert "翌年度の分だけ" in too_far.output
    assert not load(books).errors


def test_arrears_are_collected_from_the_receivable(books: Path) -> None:
    """ECOMESSE's 2025年度 dues, booked as 未収会費 at 3/31, not yet collected."""
    journal = books.parent / "2026.beancount"
    text = journal.read_text()
    collected = (
        '2026-05-12 * "エコメッセ" "2025年度会費 入金 (未収会費の回収)"\n'
        '  member: "ECOMESSE"\n'
        "  Assets:1120-普通預金-ろうきん                                  10000 JPY\n"
        "  Assets:1210-未収会費                                          -10000 JPY\n"
    )
    assert collected in text
    journal.write_text(
        text.replace(
            collected,
            '2026-05-12 * "雑収入"\n'
            "  Assets:1120-普通預金-ろうきん   10000 JPY\n"
            "  Income:4590-雑収益             -10000 JPY\n",
        )
    )
    assert not load(books).errors
    result = run("dues", "pay", "エコメッセ", str(books), "--date", DAY)
    assert result.exit_code == 0, result.output
    tail = journal_tail(books)
    assert '"2025年度会費 入金 (未収会費の回収)"' in tail
    assert "Assets:1210-未収会費" in tail
    after = load(books)
    assert not after.errors
    assert query_total(after, "SELECT sum(number) WHERE account ~ '1210'") == 0


def test_accrual_and_recognition_entries(sample_books: object) -> None:
    """未収計上 at 3/31 and 前受会費 recognised on 4/1 (built, not written: future dates)."""
    books = load(Path(__file__).resolve().parent.parent / "ledger" / "main.beancount")
    ctx = Context(books, today=datetime.date(2027, 4, 1))
    member = books.roster.members["CS-MACHIDESIGN"]
    receivable = ctx.chart.with_role(Role.DUES_RECEIVABLE)[0]
    accrual = dues_entry(ctx, member, year=FiscalYear(2026), account=receivable)
    assert accrual.date == datetime.date(2027, 3, 31)
    assert accrual.narration == "2026年度会費 未収計上"
    assert [line.account for line in accrual.lines] == [
        "Assets:1210-未収会費",
        "Income:4110-受取会費",
    ]
    advance = ctx.chart.with_role(Role.DUES_ADVANCE)[0]
    with pytest.raises(Exception, match="前受会費がありません"):
        dues_entry(ctx, member, year=FiscalYear(2027), account=advance)


def test_refusals_name_the_problem(books: Path) -> None:
    before = snapshot(books.parent)
    for args, fragment in (
        (["SCC-TOKIO"], "近いID: SCC-TOKYO"),
        (["CS-MACHIDESIGN", "--account", "受取会費"], "当てはまる科目がありません"),
        (["CS-MACHIDESIGN", "--amount", "10000.5"], "端数"),
        (["CS-MACHIDESIGN", "--year", "2025"], "決算済み"),
        (["CS-MACHIDESIGN", "--date", "2026-11-20"], "残高"),
    ):
        date = [] if "--date" in args else ["--date", DAY]
        if "--year" in args:
            date = ["--date", "2026-03-20"]
        result = run("dues", "pay", *args, str(books), *date)
        assert result.exit_code == 1, (args, result.output)
        assert fragment in result.output, (args, result.output)
    assert snapshot(books.parent) == before


# --- invoices -------------------------------------------------------------------------


def invoice_totals(folder: Path) -> dict[str, int]:
    """Member ID → the ご請求額 printed on its invoice."""
    totals = {}
    for path in sorted(folder.glob("*_会費請求書_*.xlsx")):
        ws = load_workbook(path).active
        rows = {
            str(row[0].value): row[2].value
            for row in ws.iter_rows(min_col=1, max_col=3)
            if row[0].value
        }
        assert ws["A4"].value == "会費請求書"
        assert rows["ご請求金額"] == rows["ご請求額"]
        totals[path.stem.rsplit("_", 1)[-1]] = int(rows["ご請求額"])
    return totals


def test_invoices_match_the_dues_roll_and_the_ledger(
    sample_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(
        "dues", "invoice", "--year", "2026", str(sample_path), "-o", str(out),
        "--date", "2026-11-30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    totals = invoice_totals(out)
    assert totals == {"CS-MACHIDESIGN": 10000}
    ws = load_workbook(next(out.glob("*.xlsx"))).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "特定非営利活動法人コミュニティスクール・まちデザイン 御中" in texts
    assert "中央労働金庫 世田谷支店 普通預金" in texts
    assert "D2026-15" in texts
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)

    roll = json.loads(
        run(
            "report",
            "dues",
            "--year",
            "2026",
            "--as-of",
            "2026-11-30",
            str(sample_path),
        ).output
    )
    owed = {
        row["member"]: row["outstanding"]
        for row in roll["rows"]
        if row["year"] == "2026年度" and row["outstanding"]
    }
    assert owed == totals
    books = load(sample_path)
    received = -query_total(
        books,
        "SELECT sum(number) WHERE account ~ '4110' AND date >= 2026-04-01 AND date <= 2026-11-30",
    )
    assert 16 * 10000 - received == sum(totals.values())


def test_invoices_on_generated_books(tmp_path: Path) -> None:
    main_path = generate(1500, tmp_path / "books", seed=3)
    books = load(main_path)
    year = FiscalYear.of(END)
    issued = year.start + datetime.timedelta(days=45)  # while most dues are unpaid
    out = tmp_path / "out"
    result = run(
        "dues", "invoice", "--year", str(year.year), str(main_path), "-o", str(out),
        "--date", issued.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    totals = invoice_totals(out)
    assert len(totals) >= 5
    lines = dues_lines(build_index(books.entries, books.options), [year], issued)
    assert totals == {
        ln.member.id: ln.outstanding for ln in lines if ln.outstanding > 0
    }
    due = sum(ln.due for ln in lines)
    recognised = -query_total(
        books,
        "SELECT sum(number) WHERE account ~ '4110' AND date >= %s AND date <= %s",
        year.start,
        issued,
    )
    advance = sum(ln.paid - ln.recognised for ln in lines)
    assert due - recognised - advance == sum(totals.values())
    assert f"合計 {sum(totals.values()):,}円" in result.output


def test_no_invoice_when_nobody_owes(sample_path: Path, tmp_path: Path) -> None:
    result = run(
        "dues", "invoice", "--year", "2025", str(sample_path), "-o", str(tmp_path)
    )
    assert result.exit_code == 0
    assert "未納の会員はありません" in result.output
    assert not list(tmp_path.glob("*.xlsx"))


def test_from_march_a_paid_up_members_payment_is_next_years(books: Path) -> None:
    """As the bank import does (advance_from = 03-01): no 年度 needs naming then."""
    import datetime

    from connect_books.entry import Context
    from connect_books.entry_dues import dues_entry
    from connect_books.roster import Roster

    ctx = Context(load(books), today=datetime.date(2027, 3, 10))
    member = Roster.from_entries(ctx.books.entries)[0].members["TAGAYASU"]
    draft = dues_entry(ctx, member, day=datetime.date(2027, 3, 5))
    assert draft.narration == "2027年度会費 (前受け)"


def test_an_accrual_is_dated_at_the_year_end(books: Path) -> None:
    accrued = run(
        "dues",
        "pay",
        "CS-MACHIDESIGN",
        str(books),
        "--date",
        DAY,
        "--account",
        "未収会費",
    )
    assert accrued.exit_code == 1
    assert "未収計上は2026年度の期末 (2027-03-31) の日付で書きます" in accrued.output
