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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from connect_books.books import Books
from connect_books.fava_ext import flows
from connect_books.fiscal import Period
from connect_books.reports import registry
from connect_books.reports.index import Index
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
    Page("tie-out", "監査チェック"),
    Page(flows.NAME, "資金の流れ"),
    Page("trend", "月次推移"),
    Page("journal", "仕訳帳"),
    Page("general-ledger", "総勘定元帳"),
    Page("cash-book", "出納帳"),
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
    """The reports of one load of the books (thread-safe: Fava serves from threads)."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self._lock = threading.RLock()
        self._index: Index | None = None
        self._made: OrderedDict[tuple[str, Period], Report] = OrderedDict()

    @property
    def index(self) -> Index:
        """The index every report reads (one pass over the entries, made once)."""
        with self._lock:
            if self._index is None:
                self._index = registry.index_of(self.books)
            return self._index

    def warm(self) -> None:
        """Make the index now (Fava calls :meth:`ConnectBooks.after_load_file` on a load,
        which runs this in the background, so the first page needs no wait)."""
        _ = self.index

    def report(self, name: str, period: Period) -> Report:
        """The report ``name`` for ``period`` (made once per load)."""
        with self._lock:
            key = (name, period)
            found = self._made.get(key)
            if found is None:
                found = self._make(name, period)
                self._made[key] = found
                while len(self._made) > KEPT_REPORTS:
                    self._made.popitem(last=False)
            else:
                self._made.move_to_end(key)
            return found

    def _make(self, name: str, period: Period) -> Report:
        if name == flows.NAME:
            return flows.report(
                self.books.entries,
                self.index,
                period,
                self.report("activity", period),
                self.report("funds", period),
            )
        return registry.make(self.index, name, period)
