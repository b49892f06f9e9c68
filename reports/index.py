"""The one pass every statement reads: an index of the books.

:func:`build_index` walks the entries once and keeps, per account, its postings as
running balances (so the balance on any day is a binary search), plus the few details
that only a pass over the postings can gather: dues postings by member, payable moves by
payee, grant payments with the decision they name, money moving in and out of each fund,
balance assertions, which expense payments carry a voucher, the moves of restricted net
assets (classified by :class:`~connect_books.restriction.RestrictionReader`, the one
definition of 指定正味財産), postings tagged with another activity
(:class:`~connect_books.activities.ActivityTags`), the transactions with related parties
and the balances brought in from the predecessors. The readers of the
books' data (:class:`~connect_books.chart.Chart`, :class:`~connect_books.roster.Roster`,
:class:`~connect_books.funds.Funds`, :class:`~connect_books.budgets.Budgets`, the
settlements) and the root names (:class:`~connect_books.accounts.Roots`, from the
options) ride along, so a report needs nothing but the index and a period.

Build it once per load (:func:`connect_books.reports.registry.index_of`) and hand it to
every report; per-period figures are cached on it.

Conventions: amounts are Beancount's (assets positive, income negative), in yen.
"""

from __future__ import annotations

import bisect
import datetime
import enum
import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from connect_books.accounts import Kind, Roots
from connect_books.activities import (
    ActivityMove,
    ActivityTags,
    Problem,
    tagged_activity,
)
from connect_books.budgets import Budgets
from connect_books.chart import CASH_ROLES, DUES_ROLES, AccountInfo, Chart, Role
from connect_books.fiscal import FiscalYear
from connect_books.funds import Funds
from connect_books.money import JPY, ZERO, yen
from connect_books.related import RelatedDeal, RelatedParties
from connect_books.restriction import RestrictionReader, Restrictions
from connect_books.roster import Member, Roster
from connect_books.settlement import Settlement, read_settlements

if TYPE_CHECKING:
    from connect_books.reports.figures import Figures, FundFigures
    from connect_books.reports.ledger_lines import Slip

#: The roles whose postings need more than a balance (cash and bank do not).
DETAIL_ROLES = (*DUES_ROLES, Role.PAYABLE, Role.GRANT_EXPENSE, Role.FUND_ASSET)

Span = tuple[datetime.date, datetime.date]


@dataclass
class Series:
    """One account's postings: dates and the running balance after each."""

    dates: list[datetime.date] = field(default_factory=list)
    amounts: list[Decimal] = field(default_factory=list)
    running: list[Decimal] = field(default_factory=list)

    def balance(self, day: datetime.date) -> Decimal:
        """The balance at the end of ``day``."""
        position = bisect.bisect_right(self.dates, day)
        return self.running[position - 1] if position else ZERO

    def between(
        self, start: datetime.date, end: datetime.date
    ) -> tuple[list[datetime.date], list[Decimal]]:
        """The dates and amounts of the postings dated ``start``..``end``."""
        low = bisect.bisect_left(self.dates, start)
        high = bisect.bisect_right(self.dates, end)
        return self.dates[low:high], self.amounts[low:high]


@dataclass(frozen=True)
class DuesEvent:
    """One transaction's dues postings for one member, summed by role."""

    date: datetime.date
    member: str
    income: Decimal
    receivable: Decimal
    advance: Decimal
    meta: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class PayableMove:
    """A posting on a payable account (credit: owed; debit: paid)."""

    date: datetime.date
    account: str
    amount: Decimal
    payee: str
    narration: str


@dataclass(frozen=True)
class GrantPayment:
    """A posting on a grant-expense account and the decision it names."""

    date: datetime.date
    account: str
    amount: Decimal
    decision: str
    meta: dict[str, Any] = field(compare=False, repr=False)


class FundMoveKind(enum.StrEnum):
    """What moved money in or out of a fund, told by the other side of the transaction."""

    OPENING = "opening"
    RECEIPT = "receipt"
    GRANT = "grant"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class FundMove:
    """Money moving in or out of a fund's asset account."""

    date: datetime.date
    account: str
    amount: Decimal
    kind: FundMoveKind


@dataclass(frozen=True)
class ExpensePayment:
    """A payment: a transaction that takes money out of the cash, bank and fund accounts
    (net of what it puts back: a transfer between them is none), with the amount paid
    and whether a voucher is recorded. A grant paid, an asset bought, a 未払金 settled
    are payments; a depreciation (no money moves) is not.

    A voucher is the transaction's ``document:`` metadata or a ``document`` directive
    sharing one of its links.
    """

    date: datetime.date
    amount: Decimal
    has_voucher: bool


@dataclass
class Index:
    """Everything the statements read from the books, gathered in one pass."""

    roots: Roots
    chart: Chart
    funds: Funds
    budgets: Budgets
    roster: Roster
    settlements: Mapping[FiscalYear, Settlement]
    series: dict[str, Series]
    opening: dict[str, list[tuple[datetime.date, Decimal]]]
    dues: dict[str, list[DuesEvent]]
    payables: list[PayableMove]
    grants: list[GrantPayment]
    fund_moves: list[FundMove]
    assertions: dict[tuple[str, datetime.date], Decimal]
    expenses: list[ExpensePayment]
    first: datetime.date | None
    last: datetime.date | None
    #: Restricted net assets (指定正味財産): every restriction and its moves.
    restrictions: Restrictions = field(default_factory=lambda: Restrictions({}, [], []))
    #: Postings whose ``activity:`` differs from their account's.
    activity_moves: list[ActivityMove] = field(default_factory=list)
    #: ``activity:`` or ``restricted:`` metadata the statements could not use.
    problems: list[Problem] = field(default_factory=list)
    #: The related-party roster and the transactions with those parties.
    related: RelatedParties = field(default_factory=lambda: RelatedParties({}, {}))
    deals: list[RelatedDeal] = field(default_factory=list)
    #: The transactions that brought in the predecessors' balances (``opening: TRUE``).
    openings: list[data.Transaction] = field(default_factory=list)
    #: Per-period figures, filled by :func:`~connect_books.reports.figures.figures_of`.
    figures_cache: dict[Span, Figures] = field(default_factory=dict, repr=False)
    #: Per-period fund figures, filled by :func:`~connect_books.reports.figures.fund_figures`.
    funds_cache: dict[Span, list[FundFigures]] = field(default_factory=dict, repr=False)
    #: The loaded entries themselves, for the account books (仕訳帳, 元帳, 出納帳).
    entries: Sequence[data.Directive] = field(default=(), repr=False)
    #: The account books' transactions and their dates, filled by
    #: :func:`~connect_books.reports.ledger_lines.all_slips`.
    slips_cache: tuple[list[datetime.date], list[Slip]] | None = field(
        default=None, repr=False
    )
    #: Per period, what each account moved in each slip, filled by
    #: :func:`~connect_books.reports.ledger_lines.moves`.
    moves_cache: dict[
        tuple[datetime.date, datetime.date], dict[str, list[tuple[int, Slip, int, str]]]
    ] = field(default_factory=dict, repr=False)
    #: Accounts as the account books print them, filled by
    #: :func:`~connect_books.reports.ledger_lines.label`.
    labels_cache: dict[str, str] = field(default_factory=dict, repr=False)

    def balance(self, account: str, day: datetime.date) -> int:
        """An account's balance at the end of ``day`` (Beancount's sign), in yen."""
        series = self.series.get(account)
        return yen(series.balance(day)) if series else 0

    def info(self, account: str) -> AccountInfo:
        """The chart's information for ``account`` (an empty one if it was never opened)."""
        found = self.chart.get(account)
        return found if found is not None else AccountInfo(account, datetime.date.min)

    def member(self, member_id: str) -> Member | None:
        """A member of the roster."""
        return self.roster.members.get(member_id)


def build_index(
    entries: Sequence[data.Directive], options: Mapping[str, Any] | None = None
) -> Index:
    """Walk ``entries`` once and gather what the statements need.

    Args:
      entries: the loaded entries (plugins applied), in Beancount's order.
      options: the books' options map (the root names come from it).
    """
    roots = Roots.of(options)
    chart = Chart.from_entries(entries)
    roles = chart.roles(*DETAIL_ROLES)
    money = {info.name for info in chart.with_role(*CASH_ROLES)}

    dates: dict[str, list[datetime.date]] = defaultdict(list)
    amounts: dict[str, list[Decimal]] = defaultdict(list)
    opening: dict[str, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    details = _Details(roots, roles)
    assertions: dict[tuple[str, datetime.date], Decimal] = {}
    expense_txns: list[tuple[datetime.date, Decimal, bool, frozenset[str]]] = []
    document_links: set[str] = set()
    first: datetime.date | None = None
    last: datetime.date | None = None
    funds = Funds.from_entries(entries)[0]
    restrictions = RestrictionReader(funds, chart, roots)
    related = RelatedParties.from_entries(entries)[0]
    tags = ActivityTags(roots, chart)
    deals: list[RelatedDeal] = []
    openings: list[data.Transaction] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            day = entry.date
            if first is None:
                first = day
            last = day
            is_opening = entry.meta.get("opening") is True
            if is_opening:
                openings.append(entry)
            restrictions.add(entry)
            deal = related.deal(entry, roots)
            if deal is not None:
                deals.append(deal)
            special = False
            paid = ZERO
            for posting in entry.postings:
                units = posting.units
                if units is None or units.currency != JPY or units.number is None:
                    continue
                account = posting.account
                number = units.number
                dates[account].append(day)
                amounts[account].append(number)
                tag = tagged_activity(posting.meta, entry.meta)
                if tag is not None:
                    tags.add(entry, posting, tag, number)
                if is_opening:
                    opening[account].append((day, number))
                if account in money:
                    paid -= number
                if account in roles:
                    special = True
            if special:
                details.add(entry, is_opening)
            if paid > 0 and not is_opening:  # (money left the cash and bank accounts)
                links = frozenset(entry.links or ())
                expense_txns.append((day, paid, "document" in entry.meta, links))
        elif isinstance(entry, data.Balance):
            if entry.amount.number is not None:
                assertions[(entry.account, entry.date)] = entry.amount.number
        elif isinstance(entry, data.Document) and entry.links:
            document_links.update(entry.links)

    series = {
        account: Series(dates[account], values, list(itertools.accumulate(values)))
        for account, values in amounts.items()
    }
    expenses = [
        ExpensePayment(
            day,
            spent,
            documented or bool(links and not document_links.isdisjoint(links)),
        )
        for day, spent, documented, links in expense_txns
    ]
    return Index(
        roots=roots,
        chart=chart,
        funds=funds,
        budgets=Budgets.from_entries(entries)[0],
        roster=Roster.from_entries(entries)[0],
        settlements=read_settlements(entries)[0],
        series=series,
        opening=dict(opening),
        dues=dict(details.dues),
        payables=details.payables,
        grants=details.grants,
        fund_moves=details.fund_moves,
        assertions=assertions,
        expenses=expenses,
        first=first,
        last=last,
        restrictions=Restrictions.of(restrictions),
        activity_moves=tags.moves,
        problems=[*restrictions.problems, *tags.problems],
        related=related,
        deals=deals,
        openings=openings,
        entries=entries,
    )


class _Details:
    """The dues, payable, grant and fund details of the transactions that touch them."""

    def __init__(self, roots: Roots, roles: dict[str, Role]) -> None:
        self.roots = roots
        self.roles = roles
        self.dues: dict[str, list[DuesEvent]] = defaultdict(list)
        self.payables: list[PayableMove] = []
        self.grants: list[GrantPayment] = []
        self.fund_moves: list[FundMove] = []

    def add(self, txn: data.Transaction, is_opening: bool) -> None:
        """Record what one transaction does to dues, payables, grants and funds."""
        by_member: dict[str, list[Decimal]] = {}
        fund_postings: list[tuple[str, Decimal]] = []
        has_grant = has_income = False
        for posting in txn.postings:
            role = self.roles.get(posting.account)
            if self.roots.is_(posting.account, Kind.INCOME):
                has_income = True
            units = posting.units
            if (
                role is None
                or units is None
                or units.currency != JPY
                or units.number is None
            ):
                continue
            number = units.number
            if role in DUES_ROLES:
                member = (posting.meta or {}).get("member") or txn.meta.get("member")
                if isinstance(member, str):
                    sums = by_member.setdefault(member, [ZERO, ZERO, ZERO])
                    sums[DUES_ROLES.index(role)] += number
            elif role is Role.PAYABLE:
                payee = (posting.meta or {}).get("payee") or txn.payee or txn.narration
                self.payables.append(
                    PayableMove(
                        txn.date,
                        posting.account,
                        number,
                        str(payee),
                        txn.narration or "",
                    )
                )
            elif role is Role.GRANT_EXPENSE:
                has_grant = True
                self.grants.append(
                    GrantPayment(
                        txn.date,
                        posting.account,
                        number,
                        str(txn.meta.get("decision", "")),
                        txn.meta,
                    )
                )
            elif role is Role.FUND_ASSET:
                fund_postings.append((posting.account, number))
        for member, (income, receivable, advance) in by_member.items():
            self.dues[member].append(
                DuesEvent(txn.date, member, income, receivable, advance, txn.meta)
            )
        if is_opening:
            kind = FundMoveKind.OPENING
        elif has_grant:
            kind = FundMoveKind.GRANT
        elif has_income:
            kind = FundMoveKind.RECEIPT
        else:
            kind = FundMoveKind.TRANSFER
        for account, number in fund_postings:
            self.fund_moves.append(FundMove(txn.date, account, number, kind))
