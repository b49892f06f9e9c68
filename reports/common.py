"""The one computation every statement reads: an index of the books built in one pass.

:func:`index` walks ``books.entries`` once and keeps, per account, its postings as running
balances (so the balance on any day is a binary search), plus the few details the
statements need beyond balances: dues postings by member, open payables by payee, grant
payments by decision, money moving in and out of each fund, balance assertions, and which
expense payments carry a voucher. It is cached on the :class:`~connect_books.books.Books`
object, so producing every statement of a 年度 costs one pass.

:func:`figures` turns the index into per-account opening balance, movement and closing
balance for a period; every statement is built from those figures. Placement on the
statements comes only from :class:`~connect_books.chart.Chart` (the ``open`` metadata),
the roster from :class:`~connect_books.roster.Roster`, funds from
:class:`~connect_books.funds.Funds` and budgets from :class:`~connect_books.budgets.Budgets`.

Conventions: amounts are integer yen; an account's balance has Beancount's sign (assets
positive, income negative). Net assets = assets − liabilities = −(Equity + Income +
Expenses). Opening balances brought in from the predecessors (transactions with
``opening: TRUE``) count as the period's opening balance, not as its movement, so the first
年度 opens with the inherited net assets.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from beancount.core import data

from connect_books.budgets import Budgets
from connect_books.chart import AccountInfo, Chart
from connect_books.fiscal import FiscalYear, jdate
from connect_books.funds import Fund, Funds
from connect_books.reports.table import Cell
from connect_books.roster import Member, Roster

if TYPE_CHECKING:
    from connect_books.books import Books

CURRENCY = "JPY"
ONE_DAY = datetime.timedelta(days=1)
#: The statement roots whose sum is minus the net assets.
NET_ASSET_ROOTS = ("Equity", "Income", "Expenses")
#: Activity labels (事業内容 1〜5).
ACTIVITIES: dict[int, str] = {
    1: "市民版まちづくり計画・新規事業",
    2: "人材の登場・育成",
    3: "広報",
    4: "事業活動・資金循環",
    5: "政策づくり",
}
DUES_INCOME, DUES_RECEIVABLE, DUES_ADVANCE = (
    "dues-income",
    "dues-receivable",
    "dues-advance",
)
DUES_ROLES = frozenset({DUES_INCOME, DUES_RECEIVABLE, DUES_ADVANCE})
PAYABLE = "payable"
GRANT_EXPENSE = "grant-expense"
FUND_ASSET = "fund-asset"
DETAIL_ROLES = frozenset({*DUES_ROLES, PAYABLE, GRANT_EXPENSE, FUND_ASSET})

_CACHE_KEY = "connect_books.reports.index"
_LEGAL_FORMS = (
    "認定特定非営利活動法人",
    "特定非営利活動法人",
    "社会福祉法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "NPO法人",
)
_PAREN_TAIL = re.compile(r"[（(]([^()（）]+)[)）]\s*$")


class ReportError(ValueError):
    """A report cannot be made as asked; the message says why, in Japanese."""


# ---------------------------------------------------------------------------------------
# Small helpers shared by the statements.


def cells(values: Mapping[str, Cell]) -> dict[str, Cell]:
    """A row's values as the dict :class:`~connect_books.reports.table.Row` holds."""
    return dict(values)


def yen(value: Decimal | int) -> int:
    """Integer yen (half-up, though the hygiene rules keep fractions out of the books)."""
    if isinstance(value, int):
        return value
    return int(value.to_integral_value(ROUND_HALF_UP))


def fmt_yen(value: int) -> str:
    """``1,234円`` / ``▲1,234円`` for remarks."""
    return f"▲{-value:,}円" if value < 0 else f"{value:,}円"


def ratio(part: int, whole: int | None) -> Decimal | None:
    """``part / whole`` to four places (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def short_name(name: str) -> str:
    """An organisation's name without its legal form (``エコメッセ``)."""
    for form in _LEGAL_FORMS:
        if name.startswith(form):
            return name[len(form) :]
    return name


def fund_short(fund: Fund) -> str:
    """The everyday name of a fund: ``インクルファンド`` for ``…基金(インクルファンド)``."""
    match = _PAREN_TAIL.search(fund.name)
    return match.group(1) if match else fund.name


def same_day_last_year(day: datetime.date) -> datetime.date:
    """The same day one year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """The span a statement covers: ``start``..``end`` inclusive, within one 年度."""

    year: FiscalYear
    start: datetime.date
    end: datetime.date
    as_of: datetime.date | None

    @property
    def interim(self) -> bool:
        """Whether the statement stops before the year end (実績 to date)."""
        return self.as_of is not None


def period(year: FiscalYear, as_of: datetime.date | None = None) -> Period:
    """``start = year.start``, ``end = min(year.end, as_of)``; as_of only when inside the year."""
    if as_of is not None and as_of < year.start:
        msg = f"基準日 {as_of.isoformat()} は{year.label}の開始 ({year.start.isoformat()}) より前です。"
        raise ReportError(msg)
    inside = as_of is not None and as_of < year.end
    return Period(
        year,
        year.start,
        as_of if inside and as_of else year.end,
        as_of if inside else None,
    )


def previous_point(p: Period) -> Period | None:
    """The same point of the previous 年度 (None for the first year)."""
    previous = p.year.previous()
    if previous is None:
        return None
    if p.as_of is None:
        return Period(previous, previous.start, previous.end, None)
    end = max(min(same_day_last_year(p.as_of), previous.end), previous.start)
    return Period(previous, previous.start, end, end if end < previous.end else None)


# ---------------------------------------------------------------------------------------
# The index: one pass over the entries.


@dataclass
class Series:
    """One account's postings: dates and the running balance after each."""

    dates: list[datetime.date] = field(default_factory=list)
    amounts: list[Decimal] = field(default_factory=list)
    running: list[Decimal] = field(default_factory=list)

    def balance(self, day: datetime.date) -> Decimal:
        """The balance at the end of ``day``."""
        position = bisect.bisect_right(self.dates, day)
        return self.running[position - 1] if position else Decimal(0)

    def between(self, start: datetime.date, end: datetime.date) -> list[Decimal]:
        """The individual postings dated ``start``..``end``."""
        low = bisect.bisect_left(self.dates, start)
        high = bisect.bisect_right(self.dates, end)
        return self.amounts[low:high]


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


@dataclass(frozen=True)
class FundMove:
    """Money moving in or out of a fund's asset account, classified by its other side."""

    date: datetime.date
    account: str
    amount: Decimal
    kind: str  # "opening" | "receipt" | "grant" | "transfer"


class ExpensePayment(NamedTuple):
    """A transaction with an expense: its date, amount spent and whether a voucher is recorded.

    A voucher is the transaction's ``document:`` metadata or a ``document`` directive
    sharing one of its links.
    """

    date: datetime.date
    amount: Decimal
    has_voucher: bool


@dataclass
class Index:
    """Everything the statements read from the books, gathered in one pass."""

    chart: Chart
    funds: Funds
    budgets: Budgets
    roster: Roster
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
    _figures: dict[tuple[datetime.date, datetime.date], Figures] = field(
        default_factory=dict
    )
    _funds: dict[tuple[datetime.date, datetime.date], list[FundFigures]] = field(
        default_factory=dict
    )

    def balance(self, account: str, day: datetime.date) -> int:
        """An account's balance at the end of ``day`` (Beancount's sign)."""
        series = self.series.get(account)
        return yen(series.balance(day)) if series else 0

    def accounts(self, root: str | None = None) -> list[str]:
        """Accounts that have postings (optionally under one root), sorted."""
        names = sorted(self.series)
        return [a for a in names if root is None or a.split(":", 1)[0] == root]

    def info(self, account: str) -> AccountInfo:
        """The chart's information for ``account`` (an empty one if it was never opened)."""
        found = self.chart.get(account)
        return found if found is not None else AccountInfo(account, datetime.date.min)

    def member(self, member_id: str) -> Member | None:
        """A member of the roster."""
        return self.roster.members.get(member_id)


def index(books: Books) -> Index:
    """The index of ``books`` (built on first use, then cached on the Books object)."""
    cached = books._cache.get(_CACHE_KEY)
    if cached is None:
        cached = build_index(books.entries, books.roster)
        books._cache[_CACHE_KEY] = cached
    return cached


def build_index(entries: list[data.Directive], roster: Roster | None = None) -> Index:
    """Walk ``entries`` once and gather what the statements need."""
    chart = Chart.from_entries(entries)
    funds = Funds.from_entries(entries)[0]
    budgets = Budgets.from_entries(entries)[0]
    if roster is None:
        roster = Roster.from_entries(entries)[0]
    # only the roles whose postings need more than a balance (cash and bank do not)
    roles = {
        name: info.role
        for name, info in chart.accounts.items()
        if info.role in DETAIL_ROLES
    }

    dates: dict[str, list[datetime.date]] = defaultdict(list)
    amounts: dict[str, list[Decimal]] = defaultdict(list)
    opening: dict[str, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    dues: dict[str, list[DuesEvent]] = defaultdict(list)
    payables: list[PayableMove] = []
    grants: list[GrantPayment] = []
    fund_moves: list[FundMove] = []
    assertions: dict[tuple[str, datetime.date], Decimal] = {}
    expense_txns: list[
        tuple[datetime.date, Decimal, bool, frozenset[str] | set[str]]
    ] = []
    document_links: set[str] = set()
    first: datetime.date | None = None
    last: datetime.date | None = None
    for entry in entries:
        if isinstance(entry, data.Transaction):
            day = entry.date
            if first is None:
                first = day
            last = day
            is_opening = entry.meta.get("opening") is True
            special = False
            spent = Decimal(0)
            for posting in entry.postings:
                units = posting.units
                if units is None or units.currency != CURRENCY or units.number is None:
                    continue
                account = posting.account
                number = units.number
                dates[account].append(day)
                amounts[account].append(number)
                if is_opening:
                    opening[account].append((day, number))
                if account in roles:
                    special = True
                elif account.startswith("Expenses:") and number > 0:
                    spent += number
            if special:
                _special(entry, roles, is_opening, dues, payables, grants, fund_moves)
            if spent:
                links = entry.links or frozenset()
                expense_txns.append((day, spent, "document" in entry.meta, links))
        elif isinstance(entry, data.Balance):
            if entry.amount.number is not None:
                assertions[(entry.account, entry.date)] = entry.amount.number
        elif isinstance(entry, data.Document) and entry.links:
            document_links.update(entry.links)

    series = {}
    for account, values in amounts.items():
        series[account] = Series(
            dates[account], values, list(itertools.accumulate(values))
        )
    expenses = [
        ExpensePayment(
            day,
            spent,
            documented or bool(links and not document_links.isdisjoint(links)),
        )
        for day, spent, documented, links in expense_txns
    ]
    return Index(
        chart,
        funds,
        budgets,
        roster,
        series,
        dict(opening),
        dict(dues),
        payables,
        grants,
        fund_moves,
        assertions,
        expenses,
        first,
        last,
    )


def _special(
    txn: data.Transaction,
    roles: dict[str, str],
    is_opening: bool,
    dues: dict[str, list[DuesEvent]],
    payables: list[PayableMove],
    grants: list[GrantPayment],
    fund_moves: list[FundMove],
) -> None:
    """Record the dues, payable, grant and fund details of one transaction."""
    by_member: dict[str, list[Decimal]] = {}
    fund_postings: list[tuple[str, Decimal]] = []
    has_grant = has_income = False
    for posting in txn.postings:
        role = roles.get(posting.account)
        if posting.account.startswith("Income:"):
            has_income = True
        units = posting.units
        if (
            not role
            or units is None
            or units.currency != CURRENCY
            or units.number is None
        ):
            continue
        number = units.number
        if role in DUES_ROLES:
            member = (posting.meta or {}).get("member") or txn.meta.get("member")
            if isinstance(member, str):
                sums = by_member.setdefault(
                    member, [Decimal(0), Decimal(0), Decimal(0)]
                )
                sums[(DUES_INCOME, DUES_RECEIVABLE, DUES_ADVANCE).index(role)] += number
        elif role == PAYABLE:
            payee = (posting.meta or {}).get("payee") or txn.payee or txn.narration
            payables.append(
                PayableMove(
                    txn.date, posting.account, number, str(payee), txn.narration or ""
                )
            )
        elif role == GRANT_EXPENSE:
            has_grant = True
            grants.append(
                GrantPayment(
                    txn.date,
                    posting.account,
                    number,
                    str(txn.meta.get("decision", "")),
                    txn.meta,
                )
            )
        elif role == FUND_ASSET:
            fund_postings.append((posting.account, number))
    for member, (income, receivable, advance) in by_member.items():
        dues[member].append(
            DuesEvent(txn.date, member, income, receivable, advance, txn.meta)
        )
    for account, number in fund_postings:
        if is_opening:
            kind = "opening"
        elif has_grant:
            kind = "grant"
        elif has_income:
            kind = "receipt"
        else:
            kind = "transfer"
        fund_moves.append(FundMove(txn.date, account, number, kind))


# ---------------------------------------------------------------------------------------
# Figures for a period.


@dataclass(frozen=True)
class Figures:
    """Per-account opening balance, movement and closing balance for ``start``..``end``.

    ``opening`` includes opening balances brought in (``opening: TRUE``) during the period;
    ``movement`` is everything else posted in the period.
    """

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

    def _sum(self, values: dict[str, int], roots: Iterable[str]) -> int:
        roots = tuple(f"{r}:" for r in roots)
        return sum(v for a, v in values.items() if a.startswith(roots))

    @property
    def net_assets_opening(self) -> int:
        """Net assets at the start (incl. balances brought in during the period)."""
        return -self._sum(self.opening, NET_ASSET_ROOTS)

    @property
    def net_assets_closing(self) -> int:
        """Net assets at the end: assets − liabilities."""
        return self.net_assets_opening + self.net_assets_change + self.equity_moves

    @property
    def net_assets_change(self) -> int:
        """当期正味財産増減額: income − expenses of the period."""
        return -self._sum(self.movement, ("Income", "Expenses"))

    @property
    def equity_moves(self) -> int:
        """Net postings to Equity in the period other than opening balances (0 for transfers)."""
        return -self._sum(self.movement, ("Equity",))

    @property
    def brought_in(self) -> int:
        """Net assets brought in from the predecessors during the period."""
        return self.net_assets_opening - self.net_assets_before


def figures(books: Books, start: datetime.date, end: datetime.date) -> Figures:
    """The figures for ``start``..``end`` (cached per period on the index)."""
    return figures_of(index(books), start, end)


def figures_of(idx: Index, start: datetime.date, end: datetime.date) -> Figures:
    """The figures for ``start``..``end`` computed from an index."""
    key = (start, end)
    found = idx._figures.get(key)
    if found is not None:
        return found
    before = start - ONE_DAY
    opening: dict[str, int] = {}
    movement: dict[str, int] = {}
    before_net = 0
    for account, series in idx.series.items():
        at_start = series.balance(before)
        brought = sum(
            (n for d, n in idx.opening.get(account, ()) if start <= d <= end),
            Decimal(0),
        )
        at_end = series.balance(end)
        opening[account] = yen(at_start + brought)
        movement[account] = yen(at_end - at_start - brought)
        if account.startswith(("Equity:", "Income:", "Expenses:")):
            before_net -= yen(at_start)
    result = Figures(start, end, opening, movement, before_net)
    idx._figures[key] = result
    return result


def net_assets(idx: Index, day: datetime.date) -> int:
    """Net assets at the end of ``day``."""
    return -sum(
        yen(s.balance(day))
        for a, s in idx.series.items()
        if a.startswith(("Equity:", "Income:", "Expenses:"))
    )


# ---------------------------------------------------------------------------------------
# Funds, dues and payables: the details behind some balances.


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
    found = idx._funds.get((start, end))
    if found is not None:
        return found
    fig = figures_of(idx, start, end)
    moves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for move in idx.fund_moves:
        if start <= move.date <= end and move.kind != "opening":
            moves[move.account][move.kind] += yen(move.amount)
    result = []
    for fund in idx.funds.funds.values():
        by_kind = moves.get(fund.asset, {})
        result.append(
            FundFigures(
                fund,
                fig.opening.get(fund.asset, 0),
                by_kind.get("receipt", 0),
                by_kind.get("grant", 0),
                by_kind.get("transfer", 0),
                fig.closing(fund.asset),
            )
        )
    idx._funds[(start, end)] = result
    return result


def unmatched_grants(
    idx: Index, start: datetime.date, end: datetime.date
) -> list[GrantPayment]:
    """Grant payments in the period that name no recorded grant decision."""
    return [
        g
        for g in idx.grants
        if start <= g.date <= end and g.decision not in idx.funds.grants
    ]


@dataclass
class DuesLine:
    """One member's dues for one 年度, as of a day."""

    member: Member
    year: FiscalYear
    due: int
    recognised: int = 0
    paid: int = 0
    accrued: int = 0
    collected: int = 0
    paid_dates: list[datetime.date] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        """Dues not yet paid (due − paid)."""
        return self.due - self.paid

    @property
    def receivable(self) -> int:
        """Dues booked as 未収会費 and not yet collected."""
        return self.accrued - self.collected

    @property
    def status(self) -> str:
        """納入済 / 未収計上 / 一部納入 / 未納 / 過入金."""
        if self.paid > self.due:
            return "過入金"
        if self.paid == self.due:
            return "納入済"
        if self.receivable > 0:
            return "未収計上"
        return "一部納入" if self.paid else "未納"


def dues_lines(
    idx: Index, years: Iterable[FiscalYear], as_of: datetime.date
) -> list[DuesLine]:
    """The dues roll: one line per member on the roll per 年度, counting postings to ``as_of``.

    A transaction crediting dues income against cash pays that 年度 (the year of its date);
    against 未収会費 it books an arrear; against 前受会費 it recognises dues paid in advance
    (paid on the day the advance came in). Collecting 未収会費 pays the oldest arrear first.
    """
    wanted = list(years)
    lines: dict[tuple[str, FiscalYear], DuesLine] = {}
    for year in wanted:
        for member in idx.roster.active(year):
            lines[(member.id, year)] = DuesLine(
                member, year, yen(idx.roster.due(member.id, year))
            )
    for member_id, events in idx.dues.items():
        who = idx.member(member_id)
        if who is None:
            continue

        def line(year: FiscalYear, member: Member = who) -> DuesLine:
            key = (member.id, year)
            if key not in lines:
                lines[key] = DuesLine(
                    member, year, yen(idx.roster.due(member.id, year))
                )
            return lines[key]

        arrears: list[list[Any]] = []  # [year, amount left]
        for event in events:
            if event.date > as_of:
                break
            year = FiscalYear.of(event.date)
            income, receivable, advance = (
                -yen(event.income),
                yen(event.receivable),
                yen(event.advance),
            )
            # what was neither booked as 未収 nor taken from 前受会費 was paid now
            cash = income - max(receivable, 0) - max(advance, 0)
            if income or cash:
                current = line(year)
                current.recognised += income
                if receivable > 0:  # booked as 未収会費
                    current.accrued += receivable
                    arrears.append([year, receivable])
                if cash:
                    current.paid += cash
                    current.paid_dates.append(event.date)
            if advance < 0:  # 前受会費 received for the next 年度
                ahead = line(year.next())
                ahead.paid += -advance
                ahead.paid_dates.append(event.date)
            if receivable < 0:  # 未収会費 collected: the oldest arrear first
                left = -receivable
                for arrear in arrears:
                    if not left:
                        break
                    take = min(left, arrear[1])
                    if take <= 0:
                        continue
                    arrear[1] -= take
                    left -= take
                    owed = line(arrear[0])
                    owed.collected += take
                    owed.paid += take
                    owed.paid_dates.append(event.date)
    chosen = set(wanted)
    order = {
        member_id: position for position, member_id in enumerate(idx.roster.members)
    }
    return sorted(
        (ln for (_, y), ln in lines.items() if y in chosen),
        key=lambda ln: (ln.year, order.get(ln.member.id, len(order))),
    )


@dataclass(frozen=True)
class OpenItem:
    """An amount still owed to (or by) someone at a day, with what it was for."""

    key: str
    account: str
    amount: int
    narrations: tuple[str, ...]


def open_payables(idx: Index, as_of: datetime.date) -> list[OpenItem]:
    """Payables still open at ``as_of`` per account and payee (payments clear oldest first)."""
    queues: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for move in idx.payables:
        if move.date > as_of:
            continue
        amount = -yen(move.amount)  # owed > 0
        queue = queues[(move.account, move.payee)]
        if amount > 0:
            queue.append([amount, move.narration])
            continue
        left = -amount
        for item in queue:
            take = min(left, item[0])
            item[0] -= take
            left -= take
            if not left:
                break
        if left:  # paid more than recorded as owed: an advance to the payee
            queue.append([-left, move.narration])
    items = []
    for (account, payee), queue in sorted(queues.items()):
        total = sum(item[0] for item in queue)
        if total:
            narrations = tuple(item[1] for item in queue if item[0])
            items.append(OpenItem(payee, account, total, narrations))
    return items


def year_label_of(day: datetime.date) -> str:
    """``2025年度`` for a date."""
    return FiscalYear.of(day).label


def describe_period(p: Period) -> str:
    """``2025年度 (自 … 至 …)`` or ``… 現在`` for an interim statement."""
    if p.as_of is None:
        return f"{p.year.label} ({p.year.period_label})"
    return f"{p.year.label} ({jdate(p.start)}から{jdate(p.end)}現在まで)"
