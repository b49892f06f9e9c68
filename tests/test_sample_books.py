"""The bundled sample books: valid, and telling the story the README tells."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from fava.core import FavaLedger
from fava.util.date import parse_date
from ledgertools import query, query_total

from connect_books.books import Books
from connect_books.cli import main
from connect_books.fiscal import FiscalYear

BIN = Path(sys.executable).parent


def test_bean_check_passes(sample_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "bean-check"), str(sample_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_connect_books_check_passes(sample_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(sample_path)])
    assert result.exit_code == 0, result.output
    assert "エラーはありません" in result.output


def test_ledger_defaults_to_env(sample_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["check"], env={"CONNECT_BOOKS_LEDGER": str(sample_path)}
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["check", str(tmp_path / "none.beancount")])
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 帳簿ファイル")
    assert "見つかりません" in result.output


def test_check_reports_file_and_line(sample_path: Path, tmp_path: Path) -> None:
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    journal = tmp_path / "ledger" / "2026.beancount"
    before = journal.read_text(encoding="utf-8")
    journal.write_text(
        before
        + '\n2026-11-02 * "x"\n  Expenses:5210-管理費:5214-事務用品費 5 JPY\n  Assets:9999-Nowhere -5 JPY\n',
        encoding="utf-8",
    )
    line = before.count("\n") + 2
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "ledger" / "main.beancount")]
    )
    assert result.exit_code == 1
    assert (
        f"2026.beancount:{line}: 科目 Assets:9999-Nowhere は開かれていません"
        in result.output
    )
    assert "エラー: 帳簿に1件のエラーがあります。" in result.output


def test_fava_fy2025_is_2025_nendo(sample_path: Path) -> None:
    ledger = FavaLedger(str(sample_path))
    fye = ledger.fava_options.fiscal_year_end
    start, end = parse_date("FY2025", fye)
    assert str(start) == "2025-04-01" and str(end) == "2026-04-01"  # end is exclusive
    assert ledger.fava_options.language == "ja"
    assert ledger.options["operating_currency"] == ["JPY"]


def test_dues_2025_received_from_15_members(sample_books: Books) -> None:
    received = query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Income:4110-受取会費'"
        " AND date >= 2025-06-28 AND date <= 2026-03-31"
        " AND ANY_META('member') != 'ECOMESSE'",
    )
    assert received == Decimal(-15 * 10000)
    members = query(
        sample_books,
        "SELECT DISTINCT ANY_META('member') WHERE account ~ '^Assets:11' AND date <= 2026-03-31"
        " AND 'Income:4110-受取会費' IN other_accounts",
    )
    assert len(members) == 15


def test_unpaid_member_stands_as_receivable(sample_books: Books) -> None:
    rows = query(
        sample_books,
        "SELECT ANY_META('member'), sum(number) WHERE account = 'Assets:1210-未収会費'"
        " AND date <= 2026-03-31 GROUP BY 1",
    )
    assert rows == [("ECOMESSE", Decimal(10000))]


def test_every_cash_and_bank_account_asserted_each_month_end(
    sample_books: Books,
) -> None:
    accounts = [
        r[0]
        for r in query(
            sample_books, "SELECT DISTINCT account WHERE account ~ '^Assets:11'"
        )
    ]
    assert len(accounts) == 4
    balances = {
        (e.account, e.date)
        for e in sample_books.entries
        if type(e).__name__ == "Balance"
    }
    for year, last in (
        (FiscalYear(2025), None),
        (FiscalYear(2026), dt.date(2026, 11, 30)),
    ):
        for month_end in year.month_ends():
            if last and month_end > last:
                break
            for account in accounts:
                assert (account, month_end + dt.timedelta(days=1)) in balances


def test_story_figures(sample_books: Books) -> None:
    y25 = "date >= 2025-06-28 AND date <= 2026-03-31"
    grants_paid = query_total(
        sample_books,
        f"SELECT sum(number) WHERE account ~ '支払助成金-インクルファンド' AND {y25}",
    )
    assert grants_paid == Decimal(950000)
    designated = query_total(
        sample_books,
        f"SELECT sum(number) WHERE account ~ '受取寄附金-インクルファンド' AND {y25}",
    )
    assert designated == Decimal(-380000)
    grant_received = query_total(
        sample_books, f"SELECT sum(number) WHERE account ~ '受取助成金' AND {y25}"
    )
    assert grant_received == Decimal(-300000)
    for activity in ("5110", "5120", "5130", "5140", "5150"):
        spent = query_total(
            sample_books, f"SELECT sum(number) WHERE account ~ ':{activity}-' AND {y25}"
        )
        assert spent > 0, activity
    admin = query_total(
        sample_books, f"SELECT sum(number) WHERE account ~ ':5210-管理費' AND {y25}"
    )
    assert admin > 0
    opening_fund = query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Assets:1130-普通預金-インクルファンド' AND date = 2025-06-28",
    )
    assert opening_fund == Decimal(4200000)
