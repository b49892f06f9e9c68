"""源泉徴収: the withholding plugin and the report per payee per calendar year."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ledgertools import (
    line_of,
    only,
    plugin_errors,
    query_total,
)

from connect_books.books import Books, load
from connect_books.cli import main
from connect_books.fiscal import FiscalYear, Period
from connect_books.plugins.withholding import WithholdingError
from connect_books.reports import registry
from connect_books.withholding import due_date, tax_on

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

HEADER = """\
plugin "connect_books.plugins.withholding"
option "operating_currency" "JPY"

2025-06-28 open Assets:1120-普通預金-ろうきん JPY
2025-06-28 open Liabilities:2120-預り金 JPY
  withholding: TRUE
2025-06-28 open Equity:3010-引継正味財産 JPY
2025-06-28 open Expenses:5121-講師謝金 JPY
  withholding: TRUE
2025-06-28 open Expenses:5134-原稿料 JPY
  withholding: TRUE
2025-06-28 open Expenses:5122-会場費 JPY

2025-06-28 * "引継"
  Assets:1120-普通預金-ろうきん    5000000 JPY
  Equity:3010-引継正味財産        -5000000 JPY
"""


def load_text(body: str) -> tuple[str, list[Any]]:
    text = HEADER + textwrap.dedent(body)
    return text, plugin_errors(text, (WithholdingError,))


def fee(
    day: str,
    payee: str,
    amount: int,
    withheld: int | None,
    meta: str = "",
    account: str = "Expenses:5121-講師謝金",
) -> str:
    lines = [f'{day} * "{payee}" "講師謝金"']
    if meta:
        lines.append(f"  {meta}")
    lines.append(f"  {account}   {amount} JPY")
    if withheld:
        lines.append(f"  Assets:1120-普通預金-ろうきん   {-(amount - withheld)} JPY")
        lines.append(f"  Liabilities:2120-預り金   {-withheld} JPY")
    else:
        lines.append(f"  Assets:1120-普通預金-ろうきん   {-amount} JPY")
    return "\n" + "\n".join(lines) + "\n"


def remit(day: str, amount: int) -> str:
    return (
        f'\n{day} * "世田谷税務署" "源泉所得税の納付"\n'
        f"  Liabilities:2120-預り金   {amount} JPY\n"
        f"  Assets:1120-普通預金-ろうきん   {-amount} JPY\n"
    )


def test_tax_and_due_date() -> None:
    assert tax_on(50_000) == 5_105
    assert tax_on(40_000) == 4_084
    assert tax_on(33_333) == 3_403  # 3,403.29: 1円未満切捨て
    assert tax_on(1_000_000) == 102_100
    assert tax_on(1_500_000) == 102_100 + 102_100  # 20.42% on the 500,000 above
    assert due_date(datetime.date(2025, 11, 15)) == datetime.date(2025, 12, 10)
    # 1/10 is a Saturday and Monday 1/12 成人の日: due on Tuesday
    assert due_date(datetime.date(2025, 12, 20)) == datetime.date(2026, 1, 13)
    # 10/10 is a Saturday and Monday 10/12 スポーツの日: due on Tuesday
    assert due_date(datetime.date(2026, 9, 19)) == datetime.date(2026, 10, 13)
    assert due_date(datetime.date(2026, 7, 1)) == datetime.date(2026, 8, 10)
    assert due_date(datetime.date(2029, 1, 5)) == datetime.date(2029, 2, 13)  # 2/11 Sun


def test_withheld_and_paid_on_time_passes() -> None:
    _, errors = load_text(
        fee("2025-11-15", "L0001", 50000, 5105)
        + remit("2025-12-10", 5105)
        + fee("2026-02-14", "L0002", 1_500_000, 204_200)
        + remit("2026-03-10", 204_200)
    )
    assert errors == []


def test_a_fee_without_withholding_is_an_error_at_its_line() -> None:
    text, errors = load_text(fee("2025-11-15", "L0001", 50000, None))
    error = only(errors)
    assert error.source["lineno"] == line_of(text, '"L0001" "講師謝金"')
    assert "50,000円 の報酬の支払いに源泉徴収がありません" in error.message
    assert "10.21% (5,105円)" in error.message
    assert "Liabilities:2120-預り金" in error.message


def test_a_wrong_amount_is_an_error() -> None:
    text, errors = load_text(
        fee("2025-11-15", "L0001", 50000, 5000) + remit("2025-12-10", 5000)
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, '"L0001" "講師謝金"')
    assert (
        "源泉徴収した額が 5,000円 ですが、源泉徴収税額は 5,105円 です" in error.message
    )


def test_corporations_and_exemptions_need_no_withholding() -> None:
    _, errors = load_text(
        fee(
            "2025-11-15",
            "株式会社研修センター",
            50000,
            None,
            'payee-kind: "corporation"',
        )
        + fee("2025-11-16", "L0003", 3000, None, 'withholding-exempt: "交通費の実費"')
        + fee("2025-11-17", "L0004", 30000, 3063, 'payee-kind: "individual"')
        + remit("2025-12-10", 3063)
    )
    assert errors == []


def test_unreadable_payee_kind_and_empty_exemption() -> None:
    text, errors = load_text(
        fee("2025-11-15", "L0001", 50000, 5105, 'payee-kind: "company"')
        + fee("2025-11-16", "L0002", 50000, None, 'withholding-exempt: ""')
        + remit("2025-12-10", 5105)
    )
    messages: dict[int, str] = {}
    for error in errors:
        lineno = error.source["lineno"]
        messages[lineno] = messages.get(lineno, "") + error.message
    assert 'payee-kind: "company" は読めません' in messages[line_of(text, "L0001")]
    assert "理由を文字で書いてください" in messages[line_of(text, "L0002")]
    assert "源泉徴収がありません" in messages[line_of(text, "L0002")]


def test_tax_still_held_after_its_due_date() -> None:
    today = datetime.date.today()
    recent = today - datetime.timedelta(days=1)
    text, errors = load_text(
        fee("2025-11-15", "L0001", 50000, 5105)
        + fee("2025-11-20", "L0002", 40000, 4084)
        + remit("2025-12-10", 5105)  # the oldest is paid first
        + fee(recent.isoformat(), "L0003", 50000, 5105)  # due next month: not late yet
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, '"L0002" "講師謝金"')
    assert (
        "4,084円 が、納付期限 2025-12-10 を過ぎても預り金に残っています"
        in error.message
    )


def test_the_sample_books_withhold_and_the_report_lists_it(sample_books: Books) -> None:
    idx = registry.index_of(sample_books)
    r = registry.make(idx, "withholding", Period.of(FiscalYear(2025)))
    payee = r.main.by_key("2025:L0001")
    withheld = -query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Liabilities:2120-預り金' AND number < 0"
        " AND year = 2025",
    )
    assert payee.get("fee") == 50_000 and payee.get("withheld") == withheld == 5_105
    assert payee.get("remitted") == 5_105
    detail = r.tables[1].by_key("2026-02-14:L0002")
    assert detail.get("withheld") == 4_084 and detail.get("status") == "納付済"
    assert detail.get("due") == detail.get("paid_on") == datetime.date(2026, 3, 10)
    fees = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '講師謝金' AND date >= 2025-06-28 AND date <= 2026-03-31",
    )
    assert r.tables[1].rows and sum(row.get("fee") for row in r.tables[1].rows) == fees


def test_a_fee_without_withholding_in_the_sample_is_refused(
    sample_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    journal = folder / "2026.beancount"
    before = journal.read_text(encoding="utf-8")
    journal.write_text(
        before
        + fee(
            "2026-12-01",
            "L0009",
            30000,
            None,
            account="Expenses:5120-人材育成:5121-講師謝金",
        ),
        encoding="utf-8",
    )
    line = line_of(journal.read_text(encoding="utf-8"), '"L0009"')
    checked = subprocess.run(
        [
            str(Path(sys.executable).parent / "bean-check"),
            str(folder / "main.beancount"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 1
    assert (
        f"{journal}:{line}: 30,000円 の報酬の支払いに源泉徴収がありません"
        in checked.stderr
    )
    cli = CliRunner().invoke(main, ["check", str(folder / "main.beancount")])
    assert cli.exit_code == 1
    assert (
        f"2026.beancount:{line}: 30,000円 の報酬の支払いに源泉徴収がありません"
        in cli.output
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(600, tmp_path_factory.mktemp("withholding"), seed=5)


def test_generated_books_without_and_with_withholding(generated: Path) -> None:
    journal = generated.parent / "2026.beancount"
    original = journal.read_text(encoding="utf-8")
    payment = (
        '\n2026-11-01 * "L0100" "研修 講師謝金"\n'
        "  Expenses:5120-人材育成:5121-講師謝金   80000 JPY\n"
        "  Assets:1120-普通預金-ろうきん   -80000 JPY\n"
    )
    journal.write_text(original + payment, encoding="utf-8")
    books = load(generated)
    (error,) = [e for e in books.errors if isinstance(e, WithholdingError)]
    assert error.source["lineno"] == line_of(
        journal.read_text(encoding="utf-8"), "L0100"
    )
    withheld = payment.replace(
        "-80000 JPY\n", "-71832 JPY\n  Liabilities:2120-預り金   -8168 JPY\n"
    )
    journal.write_text(
        original + withheld + remit("2026-11-02", 8168), encoding="utf-8"
    )
    books = load(generated)
    assert books.errors == []
    idx = registry.index_of(books)
    r = registry.make(
        idx, "withholding", Period.of(FiscalYear(2026), datetime.date(2026, 11, 30))
    )
    row = r.main.by_key("2026:L0100")
    assert (row.get("fee"), row.get("withheld"), row.get("remitted")) == (
        80_000,
        8_168,
        8_168,
    )
    journal.write_text(original, encoding="utf-8")
