"""Restricted net assets (指定正味財産): the one definition every statement reads.

Only money whose use a donor or a grantor restricted is 指定正味財産. It comes from the
books in two ways:

1. **A restricted fund** (``custom "fund"`` with ``restricted: TRUE``, e.g. the
   インクルファンド). Its restricted net assets are the balance of its asset account: what
   comes into that account with income (designated gifts, and the account's bank
   interest, which the donors' restriction covers) is a restricted receipt; what leaves
   it (a grant paid, a transfer decided) is released to 一般正味財産 (振替). A fund marked
   ``restricted: FALSE`` (まちづくり積立金, set aside by the 運営委員会) is 一般正味財産.

2. **A restricted gift or grant received outside a fund**: ``restricted: "名前"`` on the
   receipt (the transaction, or just its income posting) names the restriction, or
   ``restricted: TRUE`` on an income account's ``open`` makes every receipt on it
   restricted (named by the account's ``purpose:``, else its name). Spending it is a
   payment with the same ``restricted: "名前"``: its costs release the restriction, up to
   what is left::

       2026-08-25 * "公益財団法人みらい協同基金" "研修事業助成金 (2026年度)"
         restricted: "みらい協同基金 人材育成研修 2026"
         activity: 2
         Assets:1120-普通預金-ろうきん     200000 JPY
         Income:4310-受取助成金           -200000 JPY
       2026-09-19 * "講師" "人材育成研修 講師謝金"
         restricted: "みらい協同基金 人材育成研修 2026"
         Expenses:5120-人材育成:5121-講師謝金  50000 JPY
         Assets:1120-普通預金-ろうきん       -50000 JPY

:class:`RestrictionReader` classifies one transaction at a time (the statements' index
calls it in its one pass); :meth:`Restrictions.from_entries` reads whole books.
Amounts are integer yen, positive when restricted net assets grow.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from connect_books.accounts import Kind, Roots
from connect_books.activities import (
    ADMIN,
    BadActivity,
    Problem,
    parse_activity,
    tagged_activity,
)
from connect_books.chart import Chart
from connect_books.funds import Fund, Funds
from connect_books.money import posting_yen, yen

#: The metadata key that names a restriction (on a receipt or on a payment).
KEY = "restricted"
FUND_PREFIX = "fund:"
GIFT_PREFIX = "gift:"


class MoveKind(enum.StrEnum):
    """How restricted net assets moved."""

    OPENING = "opening"  # brought in from the predecessors
    RECEIPT = "receipt"  # a restricted gift, grant or the fund's interest
    RELEASE = "release"  # spent or moved out: 一般正味財産への振替


@dataclass(frozen=True)
class Restriction:
    """One restriction: a restricted fund or a named restricted receipt."""

    key: str
    name: str
    purpose: str
    fund: Fund | None = None


@dataclass(frozen=True)
class RestrictedMove:
    """A change of restricted net assets (``amount`` > 0: they grow).

    ``account`` is the income account of a receipt, the expense account that spent a
    release (empty for a transfer); ``activity`` is the activity (事業内容 1〜5, or
    0 for 管理部門) of that posting.
    """

    date: datetime.date
    key: str
    kind: MoveKind
    amount: int
    account: str = ""
    activity: int = ADMIN
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def fund_key(fund_id: str) -> str:
    """The restriction key of a restricted fund."""
    return FUND_PREFIX + fund_id


class RestrictionReader:
    """Classifies transactions into :class:`RestrictedMove` (stateful: gift balances)."""

    def __init__(self, funds: Funds, chart: Chart, roots: Roots) -> None:
        self.roots = roots
        self.chart = chart
        self.restrictions: dict[str, Restriction] = {}
        self.by_asset: dict[str, str] = {}
        for fund in funds.funds.values():
            if fund.restricted:
                key = fund_key(fund.id)
                purpose = str(fund.meta.get("purpose", "") or "")
                self.restrictions[key] = Restriction(key, fund.name, purpose, fund)
                self.by_asset[fund.asset] = key
        self.account_names: dict[str, str] = {}
        for name, info in chart.accounts.items():
            if info.meta.get(KEY) is True and roots.is_(name, Kind.INCOME):
                self.account_names[name] = str(info.meta.get("purpose") or info.label)
        self.moves: list[RestrictedMove] = []
        self.problems: list[Problem] = []
        #: Payments naming a restriction never received (by that day): transaction, name.
        self.unknown: list[tuple[data.Transaction, str]] = []
        #: What payments spent beyond a restriction's balance: day, name, yen.
        self.overspent: list[tuple[datetime.date, str, int]] = []
        self.left: dict[str, int] = {}

    def wanted(self, txn: data.Transaction) -> bool:
        """Whether ``txn`` may move restricted net assets (cheap test)."""
        if KEY in txn.meta:
            return True
        for posting in txn.postings:
            if (
                posting.account in self.by_asset
                or posting.account in self.account_names
            ):
                return True
            if posting.meta and KEY in posting.meta:
                return True
        return False

    def add(self, txn: data.Transaction) -> list[RestrictedMove]:
        """Classify ``txn`` (call in date order); its moves are also kept in ``moves``."""
        if not self.wanted(txn):
            return []
        found = self._fund_moves(txn) + self._gift_moves(txn)
        self.moves.extend(found)
        return found

    def _fund_moves(self, txn: data.Transaction) -> list[RestrictedMove]:
        deltas: dict[str, int] = {}
        for posting in txn.postings:
            key = self.by_asset.get(posting.account)
            if key is not None:
                deltas[key] = deltas.get(key, 0) + yen(posting_yen(posting))
        if not deltas:
            return []
        moves: list[RestrictedMove] = []
        if txn.meta.get("opening") is True:
            for key, delta in deltas.items():
                moves.append(RestrictedMove(txn.date, key, MoveKind.OPENING, delta))
            return moves
        income = [
            p
            for p in txn.postings
            if self.roots.is_(p.account, Kind.INCOME) and posting_yen(p) < 0
        ]
        credits = [-yen(posting_yen(p)) for p in income]
        spent = [
            p
            for p in txn.postings
            if self.roots.is_(p.account, Kind.EXPENSES) and posting_yen(p) > 0
        ]
        for key, delta in deltas.items():
            received = 0
            room = max(delta, 0)
            for n, posting in enumerate(income):
                take = min(room - received, credits[n])
                if take <= 0:
                    continue
                received += take
                credits[n] -= take
                moves.append(self._move(txn, key, MoveKind.RECEIPT, take, posting))
            released = received - delta
            if released:
                source = spent[0] if spent and released > 0 else None
                moves.append(self._move(txn, key, MoveKind.RELEASE, -released, source))
        return moves

    def _move(
        self,
        txn: data.Transaction,
        key: str,
        kind: MoveKind,
        amount: int,
        posting: data.Posting | None,
    ) -> RestrictedMove:
        if posting is None:
            return RestrictedMove(txn.date, key, kind, amount, "", ADMIN, txn.meta)
        activity = self.activity_of(posting, txn)
        return RestrictedMove(
            txn.date, key, kind, amount, posting.account, activity, txn.meta
        )

    def activity_of(self, posting: data.Posting, txn: data.Transaction) -> int:
        """The activity of an income or expense posting (its tag, else its account's)."""
        info = self.chart.get(posting.account)
        default = info.activity if info and info.activity else ADMIN
        expense = self.roots.is_(posting.account, Kind.EXPENSES)
        if expense and (info is None or info.section != "事業費"):
            return ADMIN
        tag = tagged_activity(posting.meta, txn.meta)
        if tag is None:
            return default
        try:
            activity = parse_activity(tag)
        except BadActivity:
            return default
        if activity == ADMIN and self.roots.is_(posting.account, Kind.EXPENSES):
            return default  # a 事業費 stays in its activity
        return activity

    def _gift_moves(self, txn: data.Transaction) -> list[RestrictedMove]:
        if any(p.account in self.by_asset for p in txn.postings):
            return []  # money in a restricted fund is the fund's
        moves: list[RestrictedMove] = []
        for posting in txn.postings:
            name = self._name(posting, txn)
            if name is None:
                continue
            number = yen(posting_yen(posting))
            key = GIFT_PREFIX + name
            if self.roots.is_(posting.account, Kind.INCOME) and number < 0:
                if key not in self.restrictions:
                    self.restrictions[key] = Restriction(key, name, name)
                self.left[key] = self.left.get(key, 0) - number
                moves.append(self._move(txn, key, MoveKind.RECEIPT, -number, posting))
            elif self.roots.is_(posting.account, Kind.EXPENSES) and number > 0:
                moves.extend(self._release(txn, key, name, number, posting))
        return moves

    def _release(
        self,
        txn: data.Transaction,
        key: str,
        name: str,
        cost: int,
        posting: data.Posting,
    ) -> list[RestrictedMove]:
        left = self.left.get(key, 0)
        if key not in self.restrictions:
            self.unknown.append((txn, name))
            self.problems.append(
                Problem(
                    txn.date,
                    txn.meta,
                    f"使途指定「{name}」の受入 (使途が制約された寄付・助成) が、"
                    "この日までに記録されていません。支出は一般正味財産からのものとしました。",
                )
            )
            return []
        take = min(cost, left)
        if take < cost:
            self.overspent.append((txn.date, name, cost - max(take, 0)))
            self.problems.append(
                Problem(
                    txn.date,
                    txn.meta,
                    f"使途指定「{name}」の残高 {left:,}円 を超える支出です。"
                    f"超えた {cost - take:,}円 は一般正味財産から支出したものとしました。",
                )
            )
        if take <= 0:
            return []
        self.left[key] = left - take
        return [self._move(txn, key, MoveKind.RELEASE, -take, posting)]

    def _name(self, posting: data.Posting, txn: data.Transaction) -> str | None:
        """The restriction a posting names (posting, then transaction, then account)."""
        for meta in (posting.meta, txn.meta):
            if meta and KEY in meta:
                value = meta[KEY]
                if isinstance(value, str) and value.strip():
                    return value.strip()
                if value is True:
                    return str(txn.meta.get("purpose") or txn.narration or "使途指定")
                return None  # FALSE: not restricted
        return self.account_names.get(posting.account)


@dataclass(frozen=True)
class Restrictions:
    """Every restriction and every move of restricted net assets in the books."""

    restrictions: dict[str, Restriction]
    moves: list[RestrictedMove]
    problems: list[Problem]
    #: Spent beyond a restriction's balance (from 一般正味財産): day, name, yen.
    overspent: list[tuple[datetime.date, str, int]] = field(default_factory=list)

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive], options: Mapping[str, Any] | None = None
    ) -> Restrictions:
        """Read the books' restrictions (for a page or a command without the index)."""
        listed = list(entries)
        reader = RestrictionReader(
            Funds.from_entries(listed)[0], Chart.from_entries(listed), Roots.of(options)
        )
        for entry in listed:
            if isinstance(entry, data.Transaction):
                reader.add(entry)
        return cls.of(reader)

    @classmethod
    def of(cls, reader: RestrictionReader) -> Restrictions:
        """What ``reader`` gathered."""
        return cls(
            dict(reader.restrictions), reader.moves, reader.problems, reader.overspent
        )

    def balance(self, day: datetime.date, key: str | None = None) -> int:
        """Restricted net assets at the end of ``day`` (of one restriction, or all)."""
        return sum(
            m.amount
            for m in self.moves
            if m.date <= day and (key is None or m.key == key)
        )
