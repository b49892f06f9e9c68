"""What the account books share: the transactions of a period, numbered, with vouchers.

The 仕訳帳, the 総勘定元帳 and the 出納帳 list the same transactions: each gets a number
(伝票番号, ``No.``: its place in the 年度 in date order), a description (摘要: payee and
narration), and its voucher (証憑): the transaction's ``document:`` metadata and every
``document`` directive sharing one of its links (``^link``), by file name.

:func:`all_slips` gathers all of that once and keeps it in the index, so the three books
(and the audit pack's sheets, one per account) read the entries only once; a period's
transactions are then a slice of it (:func:`slips`).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from beancount.core import data

from connect_books.accounts import Kind
from connect_books.money import JPY, yen
from connect_books.reports.index import Index

#: The 相手科目 of a posting whose transaction has several other accounts.
SEVERAL = "諸口"


@dataclass(frozen=True)
class Slip:
    """One transaction as the account books print it (its No. is its place in the period:
    see :func:`slips`)."""

    date: datetime.date
    #: 摘要 (:func:`description`).
    description: str
    #: 証憑 (:func:`voucher_of`; '' when none).
    voucher: str
    #: Its yen postings: (account, amount).
    postings: tuple[tuple[str, int], ...]
    #: 相手科目 of each posting (:meth:`counter`).
    counters: tuple[str, ...] = ()

    def counter(self, idx: Index, account: str, amount: int) -> str:
        """相手科目: the other side of ``account``'s posting of ``amount`` (``諸口`` when
        there are several)."""
        others = {
            a for a, n in self.postings if a != account and (n > 0) != (amount > 0)
        } or {a for a, _ in self.postings if a != account}
        if len(others) == 1:
            return label(idx, next(iter(others)))
        return SEVERAL


def all_slips(idx: Index) -> tuple[list[datetime.date], list[Slip]]:
    """Every transaction of the books as a :class:`Slip`, in the books' (date) order, with
    their dates; made once per index (in the background, with the index, for Fava)."""
    found = idx.slips_cache
    if found is None:
        linked = vouchers(idx)
        made = []
        for entry in idx.entries:
            if not isinstance(entry, data.Transaction):
                continue
            posted = tuple((account, n) for account, n, _ in postings(entry))
            slip = Slip(
                entry.date, description(entry), voucher_of(entry, linked), posted
            )
            counters = tuple(slip.counter(idx, account, n) for account, n in posted)
            made.append(dataclasses.replace(slip, counters=counters))
        idx.slips_cache = found = ([slip.date for slip in made], made)
    return found


def slips(idx: Index, start: datetime.date, end: datetime.date) -> list[Slip]:
    """The transactions dated ``start``..``end`` in the books' order: the n-th (from 1)
    has No. n (伝票番号)."""
    dates, made = all_slips(idx)
    return made[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)]


def moves(
    idx: Index, start: datetime.date, end: datetime.date
) -> dict[str, list[tuple[int, Slip, int, str]]]:
    """Per account, the slips of :func:`slips` that move it: (No., slip, yen moved in all,
    相手科目); made once per index and period."""
    key = (start, end)
    found = idx.moves_cache.get(key)
    if found is None:
        found = defaultdict(list)
        for number, slip in enumerate(slips(idx, start, end), start=1):
            moved: dict[str, int] = {}
            counter: dict[str, str] = {}
            for (account, amount), other in zip(
                slip.postings, slip.counters, strict=True
            ):
                if account in moved:  # (two postings: the other side of the sum)
                    moved[account] += amount
                    counter[account] = ""
                else:
                    moved[account] = amount
                    counter[account] = other
            for account, amount in moved.items():
                if amount:
                    other = counter[account] or slip.counter(idx, account, amount)
                    found[account].append((number, slip, amount, other))
        idx.moves_cache[key] = found = dict(found)
    return found


def postings(
    txn: data.Transaction,
) -> Iterator[tuple[str, int, dict[str, object] | None]]:
    """A transaction's yen postings: (account, amount, posting meta)."""
    for posting in txn.postings:
        units = posting.units
        if units is None or units.currency != JPY or units.number is None:
            continue
        yield posting.account, yen(units.number), posting.meta


def description(txn: data.Transaction) -> str:
    """摘要: ``payee narration`` (or what there is of them)."""
    return " ".join(part for part in (txn.payee, txn.narration) if part)


def vouchers(idx: Index) -> dict[str, list[str]]:
    """Link → the file names of the ``document`` directives carrying it."""
    found: dict[str, list[str]] = defaultdict(list)
    for entry in idx.entries:
        if isinstance(entry, data.Document):
            for link in entry.links or ():
                found[link].append(os.path.basename(entry.filename))
    return dict(found)


def voucher_of(txn: data.Transaction, linked: dict[str, list[str]]) -> str:
    """証憑: the transaction's ``document:`` and linked documents ('' when none)."""
    names: list[str] = []
    own = txn.meta.get("document")
    if isinstance(own, str) and own:
        names.append(os.path.basename(own))
    for link in sorted(txn.links or ()):
        for name in linked.get(link, [f"^{link}"]):
            if name not in names:
                names.append(name)
    return "、".join(names)


def label(idx: Index, account: str) -> str:
    """An account as the books print it: ``1120-普通預金-ろうきん`` (code and name)."""
    found = idx.labels_cache.get(account)
    if found is None:
        info = idx.info(account)
        found = f"{info.code}-{info.label}" if info.code else info.label
        idx.labels_cache[account] = found
    return found


def normal_sign(idx: Index, account: str) -> int:
    """+1 for accounts whose balance is a debit (資産・費用), −1 for the others."""
    return 1 if idx.roots.is_(account, Kind.ASSETS, Kind.EXPENSES) else -1


_KIND_ORDER = (Kind.ASSETS, Kind.LIABILITIES, Kind.EQUITY, Kind.INCOME, Kind.EXPENSES)


def account_order(idx: Index, account: str) -> tuple[int, str]:
    """Sort key of the statements' order: 資産, 負債, 正味財産, 収益, 費用, then by code."""
    kind = idx.roots.kind(account)
    return (
        _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER),
        account,
    )
