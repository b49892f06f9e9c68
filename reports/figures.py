"""Figures for a period: per-account opening, movement and closing, net assets, funds.

Every statement is built from :func:`figures_of`; net assets are always
:meth:`Roots.net_assets <connect_books.accounts.Roots.net_assets>` over the balances
(正味財産 = 資産 − 負債 = −(正味財産・収益・費用の科目の残高)), the one definition the
plugins and the settlement use too.

Opening balances brought in from the predecessors (transactions with ``opening: TRUE``)
count as the period's opening balance, not as its movement, so the first 年度 opens with
the inherited net assets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from connect_books.accounts import FLOW_KINDS, Kind, Roots
from connect_books.funds import Fund
from connect_books.money import ZERO, yen
from connect_books.reports.index import FundMoveKind, Index
from connect_books.restriction import MoveKind, RestrictedMove, Restriction

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Figures:
    """Per-account opening balance, movement and closing balance for ``start``..``end``.

    ``opening`` includes opening balances brought in (``opening: TRUE``) during the period;
    ``movement`` is everything else posted in the period. Integer yen, Beancount's sign.
    """

    roots: Roots
    start: datetime.date
    end: datetime.date
    opening: dict[str, int]
    movement: dict[str, int]
    #: Net assets at the end of the day before ``start``.
    net_assets_before: int = 0

    def closing(self, account: str) -> int:
        """The balance at the end of the period."""
        return self.opening.get(account, 0) + self.movement.get(account, 0)

    def moved(self, account: str) -> int:
        """The period's movement (Beancount's sign)."""
        return self.movement.get(account, 0)

    def _sum(self, values: dict[str, int], *kinds: Kind) -> int:
        return sum(v for a, v in values.items() if self.roots.is_(a, *kinds))

    @property
    def net_assets_opening(self) -> int:
        """Net assets at the start (incl. balances brought in during the period)."""
        return int(self.roots.net_assets(self.opening.items()))

    @property
    def net_assets_closing(self) -> int:
        """Net assets at the end: assets − liabilities."""
        return self.net_assets_opening + self.net_assets_change + self.equity_moves

    @property
    def net_assets_change(self) -> int:
        """当期正味財産増減額: income − expenses of the period."""
        return -self._sum(self.movement, *FLOW_KINDS)

    @property
    def equity_moves(self) -> int:
        """Net postings to Equity in the period other than opening balances (0 for transfers)."""
        return -self._sum(self.movement, Kind.EQUITY)

    @property
    def brought_in(self) -> int:
        """Net assets brought in from the predecessors during the period."""
        return self.net_assets_opening - self.net_assets_before


def figures_of(idx: Index, start: datetime.date, end: datetime.date) -> Figures:
    """The figures for ``start``..``end`` (computed once per span, kept on the index)."""
    key = (start, end)
    found = idx.figures_cache.get(key)
    if found is not None:
        return found
    before = start - ONE_DAY
    opening: dict[str, int] = {}
    movement: dict[str, int] = {}
    at_start: dict[str, int] = {}
    for account, series in idx.series.items():
        start_balance = series.balance(before)
        brought = sum(
            (n for d, n in idx.opening.get(account, ()) if start <= d <= end), ZERO
        )
        opening[account] = yen(start_balance + brought)
        movement[account] = yen(series.balance(end) - start_balance - brought)
        at_start[account] = yen(start_balance)
    result = Figures(
        idx.roots,
        start,
        end,
        opening,
        movement,
        int(idx.roots.net_assets(at_start.items())),
    )
    idx.figures_cache[key] = result
    return result


def net_assets(idx: Index, day: datetime.date) -> int:
    """Net assets at the end of ``day``."""
    return int(
        idx.roots.net_assets(
            (account, yen(series.balance(day)))
            for account, series in idx.series.items()
        )
    )


@dataclass(frozen=True)
class FundFigures:
    """One fund over a period, from its asset account."""

    fund: Fund
    opening: int
    receipts: int
    grants: int
    transfers: int
    closing: int

    @property
    def increase(self) -> int:
        """当期増加額: money that came in (receipts and transfers in)."""
        return self.receipts + max(self.transfers, 0)

    @property
    def decrease(self) -> int:
        """当期減少額: money that went out (grants and transfers out), positive."""
        return -self.grants - min(self.transfers, 0)


def fund_figures(
    idx: Index, start: datetime.date, end: datetime.date
) -> list[FundFigures]:
    """Every fund's opening, receipts, grants, transfers and closing for the period.

    Transfers are netted per fund; gross in/out movements are in receipts and grants.
    """
    found = idx.funds_cache.get((start, end))
    if found is not None:
        return found
    fig = figures_of(idx, start, end)
    moves: dict[str, dict[FundMoveKind, int]] = defaultdict(lambda: defaultdict(int))
    for move in idx.fund_moves:
        if start <= move.date <= end and move.kind is not FundMoveKind.OPENING:
            moves[move.account][move.kind] += yen(move.amount)
    result = []
    for fund in idx.funds.funds.values():
        by_kind = moves.get(fund.asset, {})
        result.append(
            FundFigures(
                fund,
                fig.opening.get(fund.asset, 0),
                by_kind.get(FundMoveKind.RECEIPT, 0),
                by_kind.get(FundMoveKind.GRANT, 0),
                by_kind.get(FundMoveKind.TRANSFER, 0),
                fig.closing(fund.asset),
            )
        )
    idx.funds_cache[(start, end)] = result
    return result


@dataclass(frozen=True)
class RestrictedFigures:
    """One restriction over a period: opening, what came in, what was released, closing.

    ``moves`` are the period's moves (brought-in balances are part of the opening).
    """

    restriction: Restriction
    opening: int
    closing: int
    moves: tuple[RestrictedMove, ...]

    @property
    def receipts(self) -> int:
        """Restricted gifts, grants and interest received in the period."""
        return sum(m.amount for m in self.moves if m.kind is MoveKind.RECEIPT)

    @property
    def released(self) -> int:
        """Released to 一般正味財産 (positive; negative when money came in by transfer)."""
        return -sum(m.amount for m in self.moves if m.kind is MoveKind.RELEASE)

    @property
    def increase(self) -> int:
        """当期増加額 (positive)."""
        return sum(m.amount for m in self.moves if m.amount > 0)

    @property
    def decrease(self) -> int:
        """当期減少額 (positive)."""
        return -sum(m.amount for m in self.moves if m.amount < 0)


@dataclass(frozen=True)
class Split:
    """一般正味財産 and 指定正味財産 of a period: the one split every statement shows."""

    figures: Figures
    restricted: tuple[RestrictedFigures, ...]

    @property
    def restricted_opening(self) -> int:
        """指定正味財産期首残高."""
        return sum(r.opening for r in self.restricted)

    @property
    def restricted_closing(self) -> int:
        """指定正味財産期末残高."""
        return sum(r.closing for r in self.restricted)

    @property
    def general_opening(self) -> int:
        """一般正味財産期首残高 = 正味財産 − 指定正味財産."""
        return self.figures.net_assets_opening - self.restricted_opening

    @property
    def general_closing(self) -> int:
        """一般正味財産期末残高 = 正味財産 − 指定正味財産."""
        return self.figures.net_assets_closing - self.restricted_closing

    @property
    def released(self) -> int:
        """指定正味財産から一般正味財産への振替額 (positive)."""
        return sum(r.released for r in self.restricted)

    def receipts(self, kind: MoveKind = MoveKind.RECEIPT) -> list[RestrictedMove]:
        """The period's moves of ``kind``, every restriction."""
        return [m for r in self.restricted for m in r.moves if m.kind is kind]


def split_of(idx: Index, start: datetime.date, end: datetime.date) -> Split:
    """一般 and 指定正味財産 for ``start``..``end`` (brought-in balances as opening)."""
    restrictions = idx.restrictions
    opening: dict[str, int] = defaultdict(int)
    moves: dict[str, list[RestrictedMove]] = defaultdict(list)
    for move in restrictions.moves:
        if move.date > end:
            continue
        if move.date < start or move.kind is MoveKind.OPENING:
            opening[move.key] += move.amount
        else:
            moves[move.key].append(move)
    figures = [
        RestrictedFigures(
            restriction,
            opening[key],
            opening[key] + sum(m.amount for m in moves[key]),
            tuple(moves[key]),
        )
        for key, restriction in restrictions.restrictions.items()
    ]
    return Split(figures_of(idx, start, end), tuple(figures))


def restricted_at(idx: Index, day: datetime.date) -> int:
    """指定正味財産 at the end of ``day``."""
    return idx.restrictions.balance(day)
