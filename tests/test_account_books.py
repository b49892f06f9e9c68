"""The account books: 仕訳帳, 総勘定元帳, 現金出納帳・預金出納帳, against bean-query."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import openpyxl
import pytest
from beancount.core import data
from click.testing import CliRunner
from ledgertools import Loaded, query, query_total

from connect_books.books import Books, load
from connect_books.cli import main
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports import cashbook, general_ledger, journal, registry
from connect_books.reports.account_books import add_account_books
from connect_books.reports.index import Index
from connect_books.reports.sheets import save_workbook
from connect_books.reports.table import Report
from connect_books.reports.workbooks import audit_pack

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import END, generate  # noqa: E402

D = datetime.date
P = Period.of
Y25, Y26 = FiscalYear(2025), FiscalYear(2026)
CASES = [(Y25, None), (Y26, D(2026, 11, 30))]


@pytest.fixture(scope="module")
def idx(sample_books: Books) -> Index:
    return registry.index_of(sample_books)


def assert_passbooks_match(books: Loaded, report: Report, end: D) -> int:
    """Each 出納帳 ends on its account's balance and meets every month-end assertion."""
    checked = 0
    asserted = {
        (e.account, e.date): int(e.amount.number)
        for e in books.entries
        if isinstance(e, data.Balance)
    }
    for row in report.main.rows:
        if row.style != "item":
            continue
        account = row.key
        balance = query_total(
            books, "SELECT sum(number) WHERE account = %s AND date <= %s", account, end
        )
        assert row.get("balance") == balance, account
        ledger = next(
            t for t in report.tables[1:] if t.rows[0].key == f"{account}:前期繰越"
        )
        assert ledger.rows[-1].get("balance") == balance
        for line in ledger.rows:
            if line.style != "subtotal":
                continue
            day = D.fromisoformat(line.key.rsplit(":", 1)[1]) + datetime.timedelta(
                days=1
            )
            if (account, day) in asserted:
                assert (
                    line.get("passbook")
                    == line.get("balance")
                    == asserted[(account, day)]
                )
                assert line.get("mark") == "✓"
                checked += 1
    return checked


@pytest.mark.parametrize(("year", "as_of"), CASES)
def test_every_passbook_and_month_end_on_the_sample(
    sample_books: Books, idx: Index, year: FiscalYear, as_of: D | None
) -> None:
    r = cashbook.report(idx, P(year, as_of))
    end = as_of or year.end
    months = len([m for m in year.month_ends() if m <= end])
    assert assert_passbooks_match(sample_books, r, end) == 4 * months
    titles = [t.title for t in r.tables[1:]]
    assert titles == [
        "現金出納帳",
        "預金出納帳 1120-普通預金-ろうきん",
        "預金出納帳 1130-普通預金-インクルファンド",
        "預金出納帳 1140-普通預金-まちづくり積立金",
    ]


@pytest.mark.parametrize(("year", "as_of"), CASES)
def test_general_ledger_equals_the_trial_balance_and_the_journal(
    sample_books: Books, idx: Index, year: FiscalYear, as_of: D | None
) -> None:
    p = P(year, as_of)
    gl = general_ledger.report(idx, p)
    trial = {row.key: row for row in gl.main.rows if row.style == "item"}
    for ledger in gl.tables[1:]:
        account = ledger.rows[0].key.removesuffix(":前期繰越")
        closing = ledger.rows[-1]
        for column in ("debit", "credit", "balance"):
            assert closing.get(column) == trial[account].get(column), (account, column)
        lines = [r for r in ledger.rows if r.style == "item" and r.level == 1]
        assert sum(int(r.get("debit") or 0) for r in lines) == closing.get("debit")
        assert lines == [] or lines[-1].get("balance") == closing.get("balance")
    start, end = p.start, p.end
    debits = query_total(
        sample_books,
        "SELECT sum(number) WHERE number > 0 AND date >= %s AND date <= %s",
        start,
        end,
    )
    total = gl.main.by_key("合計")
    assert total.get("debit") == total.get("credit") == debits
    jr = journal.report(idx, p)
    assert (
        jr.main.by_key("合計").get("debit")
        == jr.main.by_key("合計").get("credit")
        == debits
    )
    bank = "Assets:1120-普通預金-ろうきん"
    assert trial[bank].get("balance") == query_total(
        sample_books, "SELECT sum(number) WHERE account = %s AND date <= %s", bank, end
    )
    fees = "Income:4110-受取会費"
    assert trial[fees].get("balance") == -query_total(
        sample_books,
        "SELECT sum(number) WHERE account = %s AND date >= %s AND date <= %s",
        fees,
        start,
        end,
    )


def test_journal_numbers_every_transaction_with_its_voucher(
    sample_books: Books, idx: Index
) -> None:
    r = journal.report(idx, P(Y26, D(2026, 11, 30)))
    count = len(
        query(
            sample_books,
            "SELECT DISTINCT id WHERE date >= 2026-04-01 AND date <= 2026-11-30",
        )
    )
    numbers = [row.get("no") for row in r.rows if row.get("no")]
    assert numbers == [str(n) for n in range(1, count + 1)]
    invoice = next(row for row in r.rows if row.get("date") == D(2026, 11, 16))
    assert invoice.get("voucher") == "2026-11-16.invoice-machi-web.pdf"
    pc = next(
        row
        for row in journal.report(idx, P(Y25)).rows
        if row.get("date") == D(2025, 10, 6)
    )
    assert pc.label == "1510-什器備品" and pc.get("debit") == 198_000
    assert pc.get("voucher") == "2025-10-06.receipt-notebook-pc.pdf"


def test_reports_by_name_on_the_command_line(sample_path: Path) -> None:
    for name in (
        "journal",
        "general-ledger",
        "cash-book",
        "fixed-assets",
        "withholding",
    ):
        result = CliRunner().invoke(
            main, ["report", name, "--year", "2025", str(sample_path)]
        )
        assert result.exit_code == 0, result.output
        data_ = json.loads(result.stdout)
        assert data_["report"] == name and data_["rows"]


def test_audit_pack_sheets(idx: Index, sample_books: Books, tmp_path: Path) -> None:
    workbook = audit_pack(idx, Y25)  # the account books are among its sheets
    names = add_account_books(openpyxl.Workbook(), idx, Y25)
    assert (
        [n for n in workbook.sheetnames if n in names]
        == names
        == [
            "仕訳帳",
            "総勘定元帳",
            "現金出納帳",
            "預金出納帳 1120-普通預金-ろうきん",
            "預金出納帳 1130-普通預金-インクルファンド",
            "預金出納帳 1140-普通預金-まちづくり積立金",
            "固定資産台帳",
            "源泉徴収",
        ]
    )
    path = save_workbook(workbook, tmp_path / "audit.xlsx")
    sheet = openpyxl.load_workbook(path)["預金出納帳 1120-普通預金-ろうきん"]
    closing = [
        row
        for row in sheet.iter_rows(min_row=5, values_only=True)
        if row[0] == "3月末 残高"
    ]
    balance = query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Assets:1120-普通預金-ろうきん' AND date <= 2026-03-31",
    )
    assert closing and closing[0][6] == closing[0][7] == balance
    assert closing[0][8] == "✓"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Books:
    return load(generate(1200, tmp_path_factory.mktemp("books"), seed=7))


@pytest.mark.parametrize(("year", "as_of"), [(Y25, None), (Y26, END)])
def test_generated_books(generated: Books, year: FiscalYear, as_of: D | None) -> None:
    idx = registry.index_of(generated)
    p = P(year, as_of)
    end = as_of or year.end
    months = len([m for m in year.month_ends() if m <= end])
    assert assert_passbooks_match(generated, cashbook.report(idx, p), end) == 4 * months
    gl = general_ledger.report(idx, p)
    debits = query_total(
        generated,
        "SELECT sum(number) WHERE number > 0 AND date >= %s AND date <= %s",
        p.start,
        end,
    )
    assert (
        gl.main.by_key("合計").get("debit")
        == gl.main.by_key("合計").get("credit")
        == debits
    )


def test_an_account_opened_mid_year_has_no_month_ends_before(
    sample_path: Path, tmp_path: Path
) -> None:
    import shutil

    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    accounts = tmp_path / "ledger" / "accounts.beancount"
    accounts.write_text(
        accounts.read_text(encoding="utf-8")
        + '\n2026-07-01 open Assets:1150-普通預金-ゆうちょ JPY\n  role: "bank"\n',
        encoding="utf-8",
    )
    journal = tmp_path / "ledger" / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + '\n2026-07-03 * "公益財団法人あおぞら基金" "運営助成金"\n'
        "  Assets:1150-普通預金-ゆうちょ  200000 JPY\n"
        "  Income:4310-受取助成金        -200000 JPY\n",
        encoding="utf-8",
    )
    books = load(tmp_path / "ledger" / "main.beancount")
    book = cashbook.book_of(
        registry.index_of(books),
        Period.of(FiscalYear(2026), datetime.date(2026, 10, 31)),
        "Assets:1150-普通預金-ゆうちょ",
    )
    months = [r.label for r in book.table.rows if r.label.endswith("月末 残高")]
    assert months == ["7月末 残高", "8月末 残高", "9月末 残高", "10月末 残高"]
