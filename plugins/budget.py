"""Budgets (第27条): check the budget directives, and show them in Fava.

Syntax (README §3.6, read by :mod:`connect_books.budgets`)::

    plugin "connect_books.plugins.budget"

    2025-06-28 custom "budget-decision" 2025 "総会" "当初予算"
      decision: "設立総会 第3号議案"
    2025-06-28 custom "budget-line" 2025 Income:4110-受取会費   160000 JPY
    2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
    2026-01-24 custom "budget-line" 2025 Expenses:5900-予備費        0 JPY

Errors, each on the user's line:

* whatever the budget reader refuses (a malformed directive, a line without a decision …);
* a budget line whose account is not an opened Income or Expenses account;
* an amount that is not a whole, non-negative number of yen;
* a 年度 whose first decision is not a 当初予算 by the 総会 (予算は総会で決定する), a
  second 当初予算, or a 補正予算 decided by anyone but the 総会 or the 運営委員会;
* a decision on a 年度's budget dated after that 年度 has ended.

For Fava's charts only, the plugin adds ``custom "budget"`` entries (Fava's own budget
syntax: account, ``"yearly"``, amount; income budgets negative, as income balances are)::

    2025-06-28 custom "budget" Income:4110-受取会費 "yearly" -160000 JPY
    2025-06-28 custom "budget" Expenses:5900-予備費  "yearly"   50000 JPY
    2026-01-24 custom "budget" Expenses:5900-予備費  "yearly"       0 JPY

From each 年度's first day, the budget in force on that day (the previous year's,
provisional, until the 総会 decides), then each decision's changes from its date. These
entries carry ``filename`` ``<connect_books.budget>`` and are display only: Fava prorates
them by day over calendar years, so its figures differ from the approved ones (by a day
in a leap year, and in the short first 年度). Reports must never use them: they read
:meth:`connect_books.budgets.Budgets.in_force`, which gives the approved amounts exactly.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType

from connect_books.accounts import FLOW_KINDS, Kind, Roots
from connect_books.budgets import (
    GENERAL_ASSEMBLY,
    ORIGINAL,
    REVISION,
    BudgetDecision,
    Budgets,
)
from connect_books.chart import Chart
from connect_books.errors import BooksError
from connect_books.fiscal import FiscalYear
from connect_books.money import JPY, ZERO

__plugins__ = ("budget",)

#: The bodies that may decide a 補正予算.
REVISION_BODIES = (GENERAL_ASSEMBLY, "運営委員会")
#: Where the entries for Fava come from.
SYNTHETIC = "<connect_books.budget>"
FAVA_BUDGET = "budget"


class BudgetError(BooksError):
    """A budget that breaks the articles (第27条) or the chart."""


def budget(
    entries: Sequence[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[list[data.Directive], list[BooksError]]:
    """Check the budgets and add Fava ``custom "budget"`` entries for display.

    Args:
        entries: the directives.
        options_map: Beancount's options (the names of the account roots).
        config: unused.

    Returns:
        The entries with Fava's budget entries added, and the errors found.
    """
    # The readers look only at directives (custom, open, close): leave out the many
    # transactions once, rather than have each reader skip them.
    directives = [e for e in entries if not isinstance(e, data.Transaction)]
    budgets, reader_errors = Budgets.from_entries(directives)
    errors: list[BooksError] = list(reader_errors)
    if not budgets.decisions:
        return list(entries), errors
    chart = Chart.from_entries(directives)
    roots = Roots.of(options_map)
    by_year: dict[FiscalYear, list[BudgetDecision]] = {}
    for decision in budgets.decisions:
        by_year.setdefault(decision.year, []).append(decision)
        _check_lines(decision, chart, roots, errors)
    for year, decisions in by_year.items():
        _check_decisions(year, decisions, errors)

    last_day = entries[-1].date  # the loader keeps the entries sorted
    last_year = max(max(by_year), FiscalYear.of(last_day))
    fava = _fava_entries(budgets, min(by_year), last_year, roots)
    result = list(entries)
    for entry in fava:  # a few dozen: insert in place rather than sort everything again
        bisect.insort(result, entry, key=data.entry_sortkey)
    return result, errors


def _check_lines(
    decision: BudgetDecision,
    chart: Chart,
    roots: Roots,
    errors: list[BooksError],
) -> None:
    for account, number in decision.lines.items():
        meta = decision.line_meta.get(account) or decision.meta
        if chart.get(account) is None:
            errors.append(
                BudgetError(
                    meta,
                    f"予算の科目 {account} は開かれていません (accounts.beancount にありません)。科目名を確かめてください。",
                    None,
                )
            )
        elif not roots.is_(account, *FLOW_KINDS):
            income, expenses = roots.root(Kind.INCOME), roots.root(Kind.EXPENSES)
            errors.append(
                BudgetError(
                    meta,
                    f"予算の科目 {account} は収益 ({income}) か費用 ({expenses}) の科目でなければなりません。",
                    None,
                )
            )
        if number < 0 or number != number.to_integral_value():
            errors.append(
                BudgetError(
                    meta,
                    f"予算の金額 {number} JPY は 0 以上の円単位の整数で書いてください (収入も支出も正の数)。",
                    None,
                )
            )


def _check_decisions(
    year: FiscalYear, decisions: list[BudgetDecision], errors: list[BooksError]
) -> None:
    first = decisions[0]
    if first.kind != ORIGINAL:
        errors.append(
            BudgetError(
                first.meta,
                f"{year.label}の予算はまだ総会で決まっていません (当初予算がありません)。"
                f"最初の決定は総会の「当初予算」です (定款第27条)。",
                None,
            )
        )
    for decision in decisions:
        if decision.kind == ORIGINAL and decision.body != GENERAL_ASSEMBLY:
            errors.append(
                BudgetError(
                    decision.meta,
                    f"{year.label}の当初予算を「{decision.body}」が決めています。予算は総会で決定します (定款第27条)。",
                    None,
                )
            )
        elif decision.kind == ORIGINAL and decision is not first:
            errors.append(
                BudgetError(
                    decision.meta,
                    f"{year.label}の当初予算が二つあります。後からの変更は「補正予算」として書いてください。",
                    None,
                )
            )
        elif decision.kind == REVISION and decision.body not in REVISION_BODIES:
            errors.append(
                BudgetError(
                    decision.meta,
                    f"{year.label}の補正予算を「{decision.body}」が決めています。補正予算を決められるのは総会か運営委員会です。",
                    None,
                )
            )
        if decision.date > year.end:
            errors.append(
                BudgetError(
                    decision.meta,
                    f"{year.label}の予算の決定が年度末 ({year.end}) より後の {decision.date} に書かれています。"
                    "年度の日付か決定日を確かめてください。",
                    None,
                )
            )


def _fava_entries(
    budgets: Budgets,
    first: FiscalYear,
    last: FiscalYear,
    roots: Roots,
) -> list[data.Directive]:
    """Fava ``custom "budget"`` entries: each change of the budget in force, on its day."""
    shown: dict[str, Decimal] = {}
    out: list[data.Directive] = []

    def show(day: datetime.date, lines: dict[str, Decimal]) -> None:
        for account in sorted(lines.keys() | shown.keys()):
            kind = roots.kind(account)
            if kind not in FLOW_KINDS:
                continue
            number = lines.get(account, ZERO)
            if shown.get(account) == number:
                continue
            shown[account] = number
            signed = -number if kind is Kind.INCOME else number
            meta = data.new_metadata(SYNTHETIC, 0)
            values = [
                ValueType(account, account_lib.TYPE),  # type: ignore[arg-type]  # as the parser does
                ValueType("yearly", str),
                ValueType(Amount(signed, JPY), Amount),
            ]
            out.append(data.Custom(meta, day, FAVA_BUDGET, values))

    year = first
    while year <= last:
        view = budgets.in_force(year, year.start)
        if view is not None:
            show(year.start, view.lines)
        for decision in budgets.for_year(year):
            if year.start < decision.date <= year.end:
                later = budgets.in_force(year, decision.date)
                if later is not None:
                    show(decision.date, later.lines)
        year = year.next()
    return out
