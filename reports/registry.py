"""Report names → report functions: the one list the CLI, the workbooks and Fava use.

Every function is ``(books, year, as_of=None) -> Report``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from connect_books.books import Books
from connect_books.fiscal import FiscalYear
from connect_books.reports import (
    activity,
    balance_sheet,
    budget,
    dues,
    funds,
    inventory,
    tieout,
    trend,
)
from connect_books.reports.common import ReportError
from connect_books.reports.table import Report

ReportFunction = Callable[[Books, FiscalYear, "datetime.date | None"], Report]

#: Report name → (function, Japanese title), in the order the board reads them.
REPORTS: dict[str, tuple[ReportFunction, str]] = {
    "budget": (budget.report, budget.TITLE),
    "activity": (activity.report, activity.TITLE),
    "balance-sheet": (balance_sheet.report, balance_sheet.TITLE),
    "inventory": (inventory.report, inventory.TITLE),
    "dues": (dues.report, dues.TITLE),
    "funds": (funds.report, funds.TITLE),
    "tie-out": (tieout.report, tieout.TITLE),
    "trend": (trend.report, trend.TITLE),
}
#: Other spellings accepted on the command line.
ALIASES = {
    "tieout": "tie-out",
    "balance_sheet": "balance-sheet",
    "balancesheet": "balance-sheet",
    "bs": "balance-sheet",
}


def canonical(name: str) -> str:
    """The report's canonical name; ReportError (Japanese) for an unknown one."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in REPORTS:
        known = "、".join(f"{n} ({title})" for n, (_, title) in REPORTS.items())
        msg = f"計算書 '{name}' はありません。使える名前: {known}"
        raise ReportError(msg)
    return key


def get(name: str) -> ReportFunction:
    """The report function called ``name`` (aliases accepted)."""
    return REPORTS[canonical(name)][0]


def make(
    books: Books, name: str, year: FiscalYear, as_of: datetime.date | None = None
) -> Report:
    """Produce the report ``name`` for ``year``."""
    return get(name)(books, year, as_of)


def make_all(
    books: Books, year: FiscalYear, as_of: datetime.date | None = None
) -> dict[str, Report]:
    """Every report for ``year``, by name (the shared index is built once)."""
    return {
        name: function(books, year, as_of) for name, (function, _) in REPORTS.items()
    }
