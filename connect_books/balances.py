"""Net assets (正味財産) and the sums behind them: one arithmetic for the whole project.

Accounts are classified by the books' own root names (:class:`~connect_books.accounts.Roots`,
from the options), and the net assets are the one definition of
:data:`~connect_books.accounts.NET_ASSET_KINDS`: minus the sum of the equity, income and
expense balances, which equals 資産 − 負債 when the books balance. The settlement, its
plugin and the reports all take their figures from here.

Sums are of posting *weights* in yen: the units, or units × cost (or × price) when a posting
holds something bought at a cost or converted at a price.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.position import Cost

from connect_books.accounts import NET_ASSET_KINDS, Kind, Roots
from connect_books.money import JPY, ZERO

#: The order of the fields of :class:`Totals` (and of the running sums).
KINDS = (Kind.ASSETS, Kind.LIABILITIES, Kind.EQUITY, Kind.INCOME, Kind.EXPENSES)
_INDEX = {kind: index for index, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Totals:
    """Sums of posting weights (in yen), by account kind, with Beancount's signs."""

    assets: Decimal = ZERO
    liabilities: Decimal = ZERO
    equity: Decimal = ZERO
    income: Decimal = ZERO
    expenses: Decimal = ZERO

    @classmethod
    def of_balances(
        cls, balances: Iterable[tuple[str, Decimal]], roots: Roots
    ) -> Totals:
        """The totals of ``(account, balance)`` pairs (accounts under no root left out)."""
        sums = [ZERO] * len(KINDS)
        for account, balance in balances:
            kind = roots.kind(account)
            if kind is not None:
                sums[_INDEX[kind]] += balance
        return cls(*sums)

    def of(self, kind: Kind) -> Decimal:
        """The sum of the accounts of ``kind``."""
        value: Decimal = getattr(self, kind.name.lower())
        return value

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(self.of(kind) + other.of(kind) for kind in KINDS))

    @property
    def net_assets(self) -> Decimal:
        """正味財産 = 資産 − 負債 = minus the sum of equity, income and expenses."""
        return -sum((self.of(kind) for kind in NET_ASSET_KINDS), ZERO)

    @property
    def total_assets(self) -> Decimal:
        """資産合計 (positive)."""
        return self.assets

    @property
    def total_liabilities(self) -> Decimal:
        """負債合計 (positive: liabilities are credit balances in Beancount)."""
        return -self.liabilities


class RunningTotals:
    """Running sums of posting weights in one currency, by account kind.

    With ``net_only``, assets and liabilities are not summed (they stay 0), which is all
    the net assets need and saves most of the work.
    """

    def __init__(
        self,
        options_map: Mapping[str, Any],
        currency: str = JPY,
        *,
        net_only: bool = False,
    ) -> None:
        self.roots = Roots.of(options_map)
        counted = NET_ASSET_KINDS if net_only else KINDS
        self.wanted = {kind: _INDEX[kind] for kind in counted}
        self.currency = currency
        self.indices: dict[str, int] = {}
        self.sums = [ZERO] * len(KINDS)

    def _index(self, account: str) -> int:
        kind = self.roots.kind(account)
        index = self.wanted.get(kind, -1) if kind is not None else -1
        self.indices[account] = index
        return index

    def add(self, postings: Iterable[data.Posting]) -> None:
        """Add the weights of a transaction's postings."""
        indices, sums, currency = self.indices, self.sums, self.currency
        for account, units, cost, price, _, _ in postings:
            index = indices.get(account)
            if index is None:
                index = self._index(account)
            if index < 0 or units is None or units.number is None:
                continue
            number: Decimal | None = units.number
            unit = units.currency
            if type(cost) is Cost and cost.number is not None:
                number, unit = units.number * cost.number, cost.currency
            elif price is not None and price.number is not None:
                number, unit = units.number * price.number, price.currency
            if unit == currency and number is not None:
                sums[index] += number

    def totals(self) -> Totals:
        """The sums so far."""
        return Totals(*self.sums)


def totals_at(
    entries: Iterable[data.Directive],
    options_map: Mapping[str, Any],
    ends: Iterable[datetime.date],
    currency: str = JPY,
    *,
    net_only: bool = False,
) -> dict[datetime.date, Totals]:
    """Cumulative :class:`Totals` at the end of each day in ``ends`` (one pass, sorted entries).

    ``net_only`` as in :class:`RunningTotals`.
    """
    wanted = sorted(set(ends))
    if not wanted:
        return {}
    sums = RunningTotals(options_map, currency, net_only=net_only)
    result: dict[datetime.date, Totals] = {}
    pending = iter(wanted)
    end: datetime.date | None = next(pending)
    for entry in entries:
        if type(entry) is not data.Transaction:
            continue
        while end is not None and entry.date > end:
            result[end] = sums.totals()
            end = next(pending, None)
        if end is None:
            break
        sums.add(entry.postings)
    while end is not None:
        result[end] = sums.totals()
        end = next(pending, None)
    return result
