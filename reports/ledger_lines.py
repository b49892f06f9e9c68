"""What the account books share: the transactions of a period, numbered, with vouchers.

The 仕訳帳, the 総勘定元帳 and the 出納帳 list the same transactions: each gets a number
(伝票番号, ``No.``: its place in the 年度 in date order), a description (摘要: payee and
narration), and its voucher (証憑): the transaction's ``document:`` metadata and every
``document`` directive sharing one of its links (``^link``), by file name.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Iterator

from beancount.core import data

from connect_books.accounts import Kind
from connect_books.money import JPY, yen
from connect_books.reports.index import Index

#: The 相手科目 of a posting whose transaction has several other accounts.
SEVERAL = "諸口"


def numbered(
    idx: Index, start: datetime.date, end: datetime.date
) -> list[tuple[int, data.Transaction]]:
    """The transactions dated ``start``..``end``, numbered from 1 in the books' order."""
    found = [
        e
        for e in idx.entries
        if isinstance(e, data.Transaction) and start <= e.date <= end
    ]
    return list(enumerate(found, start=1))


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


def counter_account(
    idx: Index, txn: data.Transaction, account: str, amount: int
) -> str:
    """相手科目: the other side of a posting (``諸口`` when there are several)."""
    others = {
        a for a, n, _ in postings(txn) if a != account and (n > 0) != (amount > 0)
    } or {a for a, _, _ in postings(txn) if a != account}
    if len(others) == 1:
        return label(idx, next(iter(others)))
    return SEVERAL


def label(idx: Index, account: str) -> str:
    """An account as the books print it: ``1120-普通預金-ろうきん`` (code and name)."""
    info = idx.info(account)
    return f"{info.code}-{info.label}" if info.code else info.label


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
