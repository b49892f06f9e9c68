"""The pages and what they show: the workbooks' own reports, made from Fava's ledger.

:data:`PAGES` lists the pages by their name in the report registry
(:mod:`connect_books.reports.registry`), in the order a 監事 reads them. A page appears
when its report exists: the account books (``journal``, ``general-ledger``,
``cash-book``) show up as soon as the registry has them, with nothing else to change.

:class:`Statements` holds, for one load of the books by Fava, the books-like object
(Fava's ``all_entries``, ``errors`` and ``options``), the one index every report reads,
and the reports already made, so a page is made from the same report object as the
workbooks and the CLI, once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from connect_books import gcpause
from connect_books.books import Books
from connect_books.fava_ext import flows
from connect_books.fiscal import Period
from connect_books.reports import registry
from connect_books.reports.index import Index
from connect_books.reports.ledger_lines import all_slips
from connect_books.reports.table import Report

if TYPE_CHECKING:
    from fava.core import FavaLedger


@dataclass(frozen=True)
class Page:
    """A page: the report it shows (registry name) and its tab's label."""

    name: str
    label: str


#: Every page, in reading order; those whose report does not exist are not shown.
PAGES = (
    Page("budget", "収支計算書"),
    Page("activity", "活動計算書"),
    Page("balance-sheet", "貸借対照表"),
    Page("inventory", "財産目録"),
    Page("dues", "会費納入状況"),
    Page("funds", "基金と助成決定"),
    Page("tie-out", "監事の照合"),
    Page(flows.NAME, "資金の流れ"),
    Page("trend", "月次推移"),
    Page("journal", "仕訳帳"),
    Page("general-ledger", "総勘定元帳"),
    Page("cash-book", "出納帳"),
    Page("fixed-assets", "固定資産台帳"),
    Page("withholding", "源泉徴収"),
)
#: How many reports to keep made per load of the books.
KEPT_REPORTS = 64


def available() -> tuple[Page, ...]:
    """The pages whose report exists."""
    return tuple(p for p in PAGES if p.name in registry.REPORTS or p.name == flows.NAME)


def page_named(name: str | None) -> Page:
    """The page called ``name`` (the first page when there is none such)."""
    pages = available()
    return next((p for p in pages if p.name == name), pages[0])


def books_of(ledger: FavaLedger) -> Books:
    """A :class:`~connect_books.books.Books` of what Fava loaded."""
    return Books(
        Path(ledger.beancount_file_path),
        list(ledger.all_entries),  # type: ignore[arg-type]  # Fava's protocol types
        list(ledger.errors),
        dict(ledger.options),
    )


class Statements:
    """The reports of one load of the books (thread-safe: Fava serves from threads).

    Each report is made once, by whichever thread asks first; others asking for the same
    report wait for it, those asking for another one do not.
    """

    def __init__(self, books: Books) -> None:
        self.books = books
        self._lock = threading.Lock()
        self._index: Index | None = None
        self._made: OrderedDict[tuple[str, Period], Report] = OrderedDict()
        self._making: dict[tuple[str, Period], threading.Lock] = {}
        self._stopped = threading.Event()

    @property
    def index(self) -> Index:
        """The index every report reads (one pass over the entries, made once), with the
        transactions as the account books show them."""
        with self._lock:
            if self._index is None:
                with gcpause.paused():
                    made = registry.index_of(self.books)
                    all_slips(made)  # (what the account books share)
                    self._index = made
                    gcpause.long_lived()
            return self._index

    def stop(self) -> None:
        """Stop :meth:`warm` (the books were loaded again: these reports are stale)."""
        self._stopped.set()

    def warm(self, periods: Callable[[], list[Period]], delay: float = 0.0) -> None:
        """Make the index, then every page's report for each of ``periods()``, in order.

        Run in the background after a load, so that the pages a 監事 opens first need no
        wait; it stops when :meth:`stop` is called, and at the first report that cannot
        be made (the page that asks for it says why). It starts after ``delay`` seconds:
        the request that loaded the books is answered first, without sharing the
        interpreter with this work.
        """
        if delay and self._stopped.wait(delay):
            return
        try:
            _ = self.index
            for period in periods():
                for page in available():
                    if self._stopped.is_set():
                        return
                    self.report(page.name, period)
        except Exception:  # shown by the page that asks for it
            return

    def report(self, name: str, period: Period) -> Report:
        """The report ``name`` for ``period`` (made once per load)."""
        key = (name, period)
        with self._lock:
            found = self._made.get(key)
            if found is not None:
                self._made.move_to_end(key)
                return found
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                found = self._made.get(key)
            if found is not None:
                return found
            made = self._make(name, period)
            with self._lock:
                self._made[key] = made
                self._making.pop(key, None)
                while len(self._made) > KEPT_REPORTS:
                    self._made.popitem(last=False)
            return made

    def _make(self, name: str, period: Period) -> Report:
        with gcpause.paused():  # (thousands of rows, no garbage: see gcpause)
            made = self._made_now(name, period)
            gcpause.long_lived()
            return made

    def _made_now(self, name: str, period: Period) -> Report:
        if name == flows.NAME:
            return flows.report(
                self.books.entries,
                self.index,
                period,
                self.report("activity", period),
                self.report("funds", period),
            )
        return registry.make(self.index, name, period)
