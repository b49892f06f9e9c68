"""Report names → report functions: the one list the CLI, the workbooks and Fava use.

Every report function is ``(idx, period) -> Report``: the :class:`Index` of the loaded
books (build it once with :func:`index_of`) and the :class:`~connect_books.fiscal.Period`
it covers (``Period.of(year, as_of)``)::

    idx = index_of(books)
    reports = make_all(idx, Period.of(FiscalYear(2026), date(2026, 11, 30)))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from connect_books.errors import Refused
from connect_books.fiscal import Period
from connect_books.reports import (
    activity,
    balance_sheet,
    cashbook,
    dues,
    fixed_assets,
    funds,
    general_ledger,
    income_expenditure,
    inventory,
    journal,
    tieout,
    trend,
    withholding,
)
from connect_books.reports.index import Index, build_index
from connect_books.reports.table import Report

if TYPE_CHECKING:
    from connect_books.books import Books

ReportFunction = Callable[[Index, Period], Report]


class ReportError(Refused):
    """A report cannot be made as asked; the message says why, in Japanese."""


#: Report name → (function, Japanese title), in the order the board reads them.
REPORTS: dict[str, tuple[ReportFunction, str]] = {
    income_expenditure.NAME: (income_expenditure.report, income_expenditure.TITLE),
    activity.NAME: (activity.report, activity.TITLE),
    balance_sheet.NAME: (balance_sheet.report, balance_sheet.TITLE),
    inventory.NAME: (inventory.report, inventory.TITLE),
    dues.NAME: (dues.report, dues.TITLE),
    funds.NAME: (funds.report, funds.TITLE),
    tieout.NAME: (tieout.report, tieout.TITLE),
    trend.NAME: (trend.report, trend.TITLE),
    withholding.NAME: (withholding.report, withholding.TITLE),
    fixed_assets.NAME: (fixed_assets.report, fixed_assets.TITLE),
    journal.NAME: (journal.report, journal.TITLE),
    general_ledger.NAME: (general_ledger.report, general_ledger.TITLE),
    cashbook.NAME: (cashbook.report, cashbook.TITLE),
}
#: Other spellings accepted on the command line.
ALIASES = {
    "income-expenditure": income_expenditure.NAME,
    "income_expenditure": income_expenditure.NAME,
    "tieout": tieout.NAME,
    "balance_sheet": balance_sheet.NAME,
    "balancesheet": balance_sheet.NAME,
    "bs": balance_sheet.NAME,
    "general_ledger": general_ledger.NAME,
    "ledger": general_ledger.NAME,
    "cash_book": cashbook.NAME,
    "cashbook": cashbook.NAME,
    "fixed_assets": fixed_assets.NAME,
}


def canonical(name: str) -> str:
    """The report's canonical name (aliases accepted).

    Raises:
      ReportError: no report has that name; the message lists the names there are.
    """
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


def index_of(books: Books) -> Index:
    """The index every report of ``books`` reads (one pass over the entries)."""
    return build_index(books.entries, books.options)


def make(idx: Index, name: str, period: Period) -> Report:
    """Produce the report ``name`` for ``period``."""
    return get(name)(idx, period)


def make_all(idx: Index, period: Period) -> dict[str, Report]:
    """Every report for ``period``, by name, from the one index."""
    return {name: function(idx, period) for name, (function, _) in REPORTS.items()}
