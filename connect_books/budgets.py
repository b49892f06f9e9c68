"""Budgets (第27条) as data in the books: the one reader of budget directives.

Syntax (``ledger/budgets.beancount``)::

    2025-06-28 custom "budget-decision" 2025 "総会" "当初予算"
      decision: "設立総会 第3号議案"
    2025-06-28 custom "budget-line" 2025 Income:4110-受取会費   160000 JPY
    2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
    2026-01-24 custom "budget-line" 2025 Expenses:5900-予備費        0 JPY

A ``budget-line`` belongs to the ``budget-decision`` of the same 年度 and date. Amounts are
positive for income and expenses alike. A revision (補正予算) lists only the lines it
changes. Until year N has a decision in force, year N runs on year N−1's budget, marked
provisional (暫定予算).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from connect_books.errors import BooksError
from connect_books.fiscal import FiscalYear
from connect_books.money import JPY, ZERO

BUDGET_DECISION = "budget-decision"
BUDGET_LINE = "budget-line"
ORIGINAL = "当初予算"
REVISION = "補正予算"
KINDS = (ORIGINAL, REVISION)
GENERAL_ASSEMBLY = "総会"


class BudgetDirectiveError(BooksError):
    """A malformed budget directive."""


@dataclass(frozen=True)
class BudgetDecision:
    """One decision on a 年度's budget, with the lines it sets."""

    year: FiscalYear
    date: datetime.date
    body: str
    kind: str
    reference: str
    lines: dict[str, Decimal]
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    line_meta: dict[str, dict[str, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class BudgetView:
    """The budget in force for a 年度 on a given day."""

    year: FiscalYear
    lines: dict[str, Decimal]
    provisional: bool
    source_year: FiscalYear
    decisions: tuple[BudgetDecision, ...]

    def amount(self, account: str) -> Decimal:
        """The budget for an account (0 where the budget has no line)."""
        return self.lines.get(account, ZERO)

    @property
    def revised(self) -> bool:
        """Whether a 補正予算 has changed this budget."""
        return any(d.kind == REVISION for d in self.decisions)


@dataclass(frozen=True)
class Budgets:
    """Every budget decision in the books, by date."""

    decisions: tuple[BudgetDecision, ...]

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive]
    ) -> tuple[Budgets, list[BooksError]]:
        """Read budget decisions and lines; malformed directives become errors."""
        errors: list[BooksError] = []
        heads: dict[tuple[FiscalYear, datetime.date], data.Custom] = {}
        lines: list[tuple[data.Custom, FiscalYear, str, Decimal]] = []

        def bad(entry: data.Custom, message: str) -> None:
            errors.append(BudgetDirectiveError(entry.meta, message, entry))

        for entry in entries:
            if not isinstance(entry, data.Custom) or entry.type not in (
                BUDGET_DECISION,
                BUDGET_LINE,
            ):
                continue
            values = [v.value for v in entry.values]
            year = _year(values[0]) if values else None
            if entry.type == BUDGET_DECISION:
                if (
                    year is None
                    or len(values) != 3
                    or not all(isinstance(v, str) for v in values[1:])
                ):
                    bad(
                        entry,
                        '予算の決定の書式が違います: custom "budget-decision" 2026 "総会" "当初予算" と書いてください。',
                    )
                    continue
                if values[2] not in KINDS:
                    bad(
                        entry,
                        f"予算の種類は「当初予算」か「補正予算」です ('{values[2]}')。",
                    )
                    continue
                if (year, entry.date) in heads:
                    bad(
                        entry,
                        f"{year.label}の予算の決定が同じ日 ({entry.date}) に二つあります。",
                    )
                    continue
                heads[(year, entry.date)] = entry
            else:
                ok = (
                    year is not None
                    and len(values) == 3
                    and isinstance(values[1], str)
                    and isinstance(values[2], Amount)
                    and values[2].currency == JPY
                )
                if not ok:
                    bad(
                        entry,
                        '予算の行の書式が違います: custom "budget-line" 2026 科目 金額 JPY と書いてください。',
                    )
                    continue
                assert year is not None
                lines.append((entry, year, values[1], values[2].number))

        grouped: dict[tuple[FiscalYear, datetime.date], dict[str, Decimal]] = {
            k: {} for k in heads
        }
        grouped_meta: dict[
            tuple[FiscalYear, datetime.date], dict[str, dict[str, Any]]
        ] = {k: {} for k in heads}
        for entry, year, account, amount in lines:
            key = (year, entry.date)
            if key not in grouped:
                bad(
                    entry,
                    f"この予算の行には、同じ日付 ({entry.date}) の {year.label} の budget-decision がありません。",
                )
                continue
            if account in grouped[key]:
                bad(entry, f"{account} の予算の行が同じ決定の中に二つあります。")
                continue
            grouped[key][account] = amount
            grouped_meta[key][account] = entry.meta

        decisions = []
        for (year, date), head in sorted(
            heads.items(), key=lambda kv: (kv[0][1], kv[0][0])
        ):
            values = [v.value for v in head.values]
            decisions.append(
                BudgetDecision(
                    year,
                    date,
                    values[1],
                    values[2],
                    str(head.meta.get("decision", "")),
                    grouped[(year, date)],
                    head.meta,
                    grouped_meta[(year, date)],
                )
            )
        return cls(tuple(decisions)), errors

    def for_year(
        self, year: FiscalYear, on: datetime.date | None = None
    ) -> list[BudgetDecision]:
        """Decisions on ``year``'s budget made on or before ``on`` (all if None)."""
        return [
            d for d in self.decisions if d.year == year and (on is None or d.date <= on)
        ]

    def in_force(
        self, year: FiscalYear, on: datetime.date | None = None
    ) -> BudgetView | None:
        """The budget for ``year`` as it stands on ``on`` (default: the latest).

        Without a decision on ``year`` by then, the previous year's budget, provisional.
        """
        own = self.for_year(year, on)
        if own:
            return BudgetView(year, _merge(own), False, year, tuple(own))
        previous = year.previous()
        if previous is None:
            return None
        earlier = self.for_year(previous, on)
        if not earlier:
            return None
        return BudgetView(year, _merge(earlier), True, previous, tuple(earlier))


def _merge(decisions: list[BudgetDecision]) -> dict[str, Decimal]:
    merged: dict[str, Decimal] = {}
    for decision in decisions:
        merged.update(decision.lines)
    return merged


def _year(value: Any) -> FiscalYear | None:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        try:
            return FiscalYear(int(value))
        except ValueError:
            return None
    return None
