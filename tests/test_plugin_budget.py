"""第27条: the budget plugin (who decides, which accounts, whole yen) and Fava's budget entries."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from fava.core import FavaLedger
from ledgertools import line_of, only, plugin_errors

from connect_books.budgets import BudgetDirectiveError, Budgets
from connect_books.fiscal import FiscalYear
from connect_books.plugins.budget import SYNTHETIC, BudgetError

HEADER = """\
plugin "connect_books.plugins.budget"
option "operating_currency" "JPY"

2025-06-28 open Assets:1120-普通預金-ろうきん JPY
2025-06-28 open Income:4110-受取会費 JPY
2025-06-28 open Expenses:5210-管理費:5212-会議費 JPY
2025-06-28 open Expenses:5900-予備費 JPY

2025-06-28 custom "budget-decision" 2025 "総会" "当初予算"
  decision: "設立総会 第3号議案"
2025-06-28 custom "budget-line" 2025 Income:4110-受取会費               160000 JPY
2025-06-28 custom "budget-line" 2025 Expenses:5210-管理費:5212-会議費    20000 JPY
2025-06-28 custom "budget-line" 2025 Expenses:5900-予備費               50000 JPY
"""


def load(body: str, header: str = HEADER) -> tuple[str, list[Any]]:
    """Load header + body; return the text and the budget errors (no other errors allowed)."""
    text = header + textwrap.dedent(body)
    return text, plugin_errors(text, (BudgetError, BudgetDirectiveError))


def fava_budgets(text: str) -> list[data.Custom]:
    """The Fava ``custom "budget"`` entries the plugin adds to the books ``text``."""
    entries, _, _ = loader.load_string(text)
    return [e for e in entries if isinstance(e, data.Custom) and e.type == "budget"]


def rows(budgets: list[data.Custom]) -> list[tuple[datetime.date, str, Decimal]]:
    """(date, account, signed amount) of each Fava budget entry."""
    return [(e.date, e.values[0].value, e.values[2].value.number) for e in budgets]


# ---- decisions (第27条) -------------------------------------------------------------


def test_original_by_the_assembly_and_revision_by_the_board_pass() -> None:
    _, errors = load(
        """
        2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
        2026-01-24 custom "budget-line" 2025 Expenses:5900-予備費 0 JPY
        2026-02-28 custom "budget-decision" 2025 "総会" "補正予算"
        2026-02-28 custom "budget-line" 2025 Expenses:5210-管理費:5212-会議費 30000 JPY
        """
    )
    assert errors == []


def test_first_decision_must_be_the_original_budget() -> None:
    text, errors = load(
        """
        2026-06-20 custom "budget-decision" 2026 "運営委員会" "補正予算"
        2026-06-20 custom "budget-line" 2026 Expenses:5900-予備費 0 JPY
        """
    )
    error = only(errors)
    assert error.message == (
        "2026年度の予算はまだ総会で決まっていません (当初予算がありません)。"
        "最初の決定は総会の「当初予算」です (定款第27条)。"
    )
    assert error.source["lineno"] == line_of(text, '"budget-decision" 2026')


def test_original_budget_by_the_board_fails() -> None:
    text, errors = load(
        """
        2026-04-10 custom "budget-decision" 2026 "運営委員会" "当初予算"
        2026-04-10 custom "budget-line" 2026 Income:4110-受取会費 160000 JPY
        """
    )
    error = only(errors)
    assert (
        error.message
        == "2026年度の当初予算を「運営委員会」が決めています。予算は総会で決定します (定款第27条)。"
    )
    assert error.source["lineno"] == line_of(text, '"budget-decision" 2026')


def test_second_original_budget_fails() -> None:
    text, errors = load(
        """
        2025-09-01 custom "budget-decision" 2025 "総会" "当初予算"
        2025-09-01 custom "budget-line" 2025 Income:4110-受取会費 170000 JPY
        """
    )
    error = only(errors)
    assert (
        error.message
        == "2025年度の当初予算が二つあります。後からの変更は「補正予算」として書いてください。"
    )
    assert error.source["lineno"] == line_of(
        text, '2025-09-01 custom "budget-decision"'
    )


def test_revision_by_another_body_fails() -> None:
    text, errors = load(
        """
        2025-12-01 custom "budget-decision" 2025 "幹事会" "補正予算"
        2025-12-01 custom "budget-line" 2025 Expenses:5900-予備費 10000 JPY
        """
    )
    error = only(errors)
    assert (
        error.message
        == "2025年度の補正予算を「幹事会」が決めています。補正予算を決められるのは総会か運営委員会です。"
    )
    assert error.source["lineno"] == line_of(text, '"幹事会"')


def test_decision_after_the_year_end_fails() -> None:
    text, errors = load(
        """
        2026-04-10 custom "budget-decision" 2025 "運営委員会" "補正予算"
        2026-04-10 custom "budget-line" 2025 Expenses:5900-予備費 0 JPY
        """
    )
    error = only(errors)
    assert error.message.startswith(
        "2025年度の予算の決定が年度末 (2026-03-31) より後の 2026-04-10 に書かれています。"
    )
    assert error.source["lineno"] == line_of(
        text, '2026-04-10 custom "budget-decision"'
    )


# ---- lines ---------------------------------------------------------------------------


def test_line_on_an_account_not_opened_fails() -> None:
    text, errors = load(
        """
        2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
        2026-01-24 custom "budget-line" 2025 Expenses:5999-存在しない科目 1000 JPY
        """
    )
    error = only(errors)
    assert error.message.startswith(
        "予算の科目 Expenses:5999-存在しない科目 は開かれていません"
    )
    assert error.source["lineno"] == line_of(text, "5999")


def test_line_on_a_balance_sheet_account_fails() -> None:
    text, errors = load(
        """
        2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
        2026-01-24 custom "budget-line" 2025 Assets:1120-普通預金-ろうきん 1000 JPY
        """
    )
    error = only(errors)
    assert (
        error.message
        == "予算の科目 Assets:1120-普通預金-ろうきん は収益 (Income) か費用 (Expenses) の科目でなければなりません。"
    )
    assert error.source["lineno"] == line_of(text, 'budget-line" 2025 Assets')
    assert all(
        not account.startswith("Assets") for _, account, _ in rows(fava_budgets(text))
    )


@pytest.mark.parametrize("amount", ["-1000", "1000.5"])
def test_negative_or_fractional_amount_fails(amount: str) -> None:
    text, errors = load(
        f"""
        2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
        2026-01-24 custom "budget-line" 2025 Expenses:5900-予備費 {amount} JPY
        """
    )
    error = only(errors)
    assert (
        error.message
        == f"予算の金額 {amount} JPY は 0 以上の円単位の整数で書いてください (収入も支出も正の数)。"
    )
    assert error.source["lineno"] == line_of(text, f"{amount} JPY")


def test_reader_errors_are_reported() -> None:
    text, errors = load(
        '2025-07-01 custom "budget-line" 2025 Expenses:5900-予備費 1000 JPY\n'
    )
    error = only(errors)
    assert isinstance(error, BudgetDirectiveError)
    assert "budget-decision がありません" in error.message
    assert error.source["lineno"] == line_of(text, "2025-07-01")


# ---- Fava's budget entries -------------------------------------------------------------


def test_fava_entries_follow_the_budget_in_force() -> None:
    text, errors = load(
        """
        2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
        2026-01-24 custom "budget-line" 2025 Expenses:5900-予備費 0 JPY
        2026-06-20 custom "budget-decision" 2026 "総会" "当初予算"
        2026-06-20 custom "budget-line" 2026 Income:4110-受取会費 170000 JPY
        2026-06-20 custom "budget-line" 2026 Expenses:5210-管理費:5212-会議費 40000 JPY
        """
    )
    assert errors == []
    synthetic = fava_budgets(text)
    assert rows(synthetic) == [
        # 2025年度: the original budget, income negative as in Beancount.
        (
            datetime.date(2025, 6, 28),
            "Expenses:5210-管理費:5212-会議費",
            Decimal(20000),
        ),
        (datetime.date(2025, 6, 28), "Expenses:5900-予備費", Decimal(50000)),
        (datetime.date(2025, 6, 28), "Income:4110-受取会費", Decimal(-160000)),
        # The revision, from its date (only what changed).
        (datetime.date(2026, 1, 24), "Expenses:5900-予備費", Decimal(0)),
        # 2026-04-01: still the 2025 budget (provisional); nothing changes until the 総会.
        (
            datetime.date(2026, 6, 20),
            "Expenses:5210-管理費:5212-会議費",
            Decimal(40000),
        ),
        (datetime.date(2026, 6, 20), "Income:4110-受取会費", Decimal(-170000)),
    ]
    assert all(e.meta == {"filename": SYNTHETIC, "lineno": 0} for e in synthetic)
    assert [v.value for v in synthetic[0].values][1] == "yearly"


def test_provisional_budget_from_the_year_start() -> None:
    # A line dropped by the next year's original budget falls to 0 from the 総会's date.
    text, errors = load(
        """
        2026-06-20 custom "budget-decision" 2026 "総会" "当初予算"
        2026-06-20 custom "budget-line" 2026 Income:4110-受取会費 170000 JPY
        """
    )
    assert errors == []
    shown = rows(fava_budgets(text))
    assert (datetime.date(2026, 6, 20), "Expenses:5900-予備費", Decimal(0)) in shown
    assert not any(day == datetime.date(2026, 4, 1) for day, _, _ in shown)


def test_reports_read_exact_amounts_not_the_fava_entries(sample_books: Any) -> None:
    budgets, _ = Budgets.from_entries(sample_books.entries)
    view = budgets.in_force(FiscalYear(2026))
    assert view is not None and view.amount("Income:4110-受取会費") == Decimal(160000)


# ---- the sample books -------------------------------------------------------------------


def test_fava_shows_the_sample_budgets(sample_path: Path) -> None:
    ledger = FavaLedger(str(sample_path))
    assert ledger.budgets.errors == []
    assert "Income:4110-受取会費" in ledger.budgets._budget_entries
    fy2026 = ledger.budgets.calculate(
        "Income:4110-受取会費", datetime.date(2026, 4, 1), datetime.date(2027, 4, 1)
    )
    assert fy2026["JPY"] < 0 and round(fy2026["JPY"]) == -160000
    expenses = ledger.budgets.calculate_children(
        "Expenses", datetime.date(2026, 4, 1), datetime.date(2027, 4, 1)
    )
    assert expenses["JPY"] > 0
