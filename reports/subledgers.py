"""The details behind some balances: the dues roll, open payables, unmatched grants.

A balance says how much is owed; these say by whom and for what (the 財産目録 names each
member in arrears and each payee), and they are what the 監事 tie the balances to.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from connect_books.fiscal import FiscalYear
from connect_books.money import yen
from connect_books.reports.index import GrantPayment, Index
from connect_books.roster import Member


def years_through(first: datetime.date | None, year: FiscalYear) -> list[FiscalYear]:
    """Every 年度 from the one of ``first`` (or ``year``) to ``year``."""
    current = FiscalYear.of(first) if first else year
    years = []
    while current <= year:
        years.append(current)
        current = current.next()
    return years or [year]


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
    def ahead(self) -> int:
        """Dues paid before they were recognised (前受会費), positive."""
        return self.paid - self.recognised

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


@dataclass
class _Arrear:
    """Dues of one 年度 booked as 未収会費 and not yet collected."""

    year: FiscalYear
    left: int


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

    def line(member: Member, year: FiscalYear) -> DuesLine:
        key = (member.id, year)
        if key not in lines:
            lines[key] = DuesLine(member, year, yen(idx.roster.due(member.id, year)))
        return lines[key]

    for year in wanted:
        for member in idx.roster.active(year):
            line(member, year)
    for member_id, events in idx.dues.items():
        who = idx.member(member_id)
        if who is None:
            continue
        arrears: list[_Arrear] = []
        for event in events:
            if event.date > as_of:
                break
            year = FiscalYear.of(event.date)
            income = -yen(event.income)
            receivable, advance = yen(event.receivable), yen(event.advance)
            # what was neither booked as 未収 nor taken from 前受会費 was paid now
            cash = income - max(receivable, 0) - max(advance, 0)
            if income or cash:
                current = line(who, year)
                current.recognised += income
                if receivable > 0:  # booked as 未収会費
                    current.accrued += receivable
                    arrears.append(_Arrear(year, receivable))
                if cash:
                    current.paid += cash
                    current.paid_dates.append(event.date)
            if advance < 0:  # 前受会費 received for the next 年度
                ahead = line(who, year.next())
                ahead.paid += -advance
                ahead.paid_dates.append(event.date)
            if receivable < 0:  # 未収会費 collected: the oldest arrear first
                left = -receivable
                for arrear in arrears:
                    if not left:
                        break
                    take = min(left, arrear.left)
                    if take <= 0:
                        continue
                    arrear.left -= take
                    left -= take
                    owed = line(who, arrear.year)
                    owed.collected += take
                    owed.paid += take
                    owed.paid_dates.append(event.date)
    chosen = set(wanted)
    order = {member_id: n for n, member_id in enumerate(idx.roster.members)}
    return sorted(
        (ln for (_, y), ln in lines.items() if y in chosen),
        key=lambda ln: (ln.year, order.get(ln.member.id, len(order))),
    )


def dues_ahead(idx: Index, year: FiscalYear, as_of: datetime.date) -> list[DuesLine]:
    """Members who paid ``year``'s dues before it was recognised (前受会費), as of a day."""
    return [ln for ln in dues_lines(idx, [year], as_of) if ln.ahead > 0]


@dataclass(frozen=True)
class OpenItem:
    """An amount still owed to (or by) someone at a day, with what it was for."""

    key: str
    account: str
    amount: int
    narrations: tuple[str, ...]


@dataclass
class _Owed:
    amount: int
    narration: str


def open_payables(idx: Index, as_of: datetime.date) -> list[OpenItem]:
    """Payables still open at ``as_of`` per account and payee (payments clear oldest first)."""
    queues: dict[tuple[str, str], list[_Owed]] = defaultdict(list)
    for move in idx.payables:
        if move.date > as_of:
            continue
        amount = -yen(move.amount)  # owed > 0
        queue = queues[(move.account, move.payee)]
        if amount > 0:
            queue.append(_Owed(amount, move.narration))
            continue
        left = -amount
        for item in queue:
            take = min(left, item.amount)
            item.amount -= take
            left -= take
            if not left:
                break
        if left:  # paid more than recorded as owed: an advance to the payee
            queue.append(_Owed(-left, move.narration))
    items = []
    for (account, payee), queue in sorted(queues.items()):
        total = sum(item.amount for item in queue)
        if total:
            narrations = tuple(item.narration for item in queue if item.amount)
            items.append(OpenItem(payee, account, total, narrations))
    return items


def unmatched_grants(
    idx: Index, start: datetime.date, end: datetime.date
) -> list[GrantPayment]:
    """Grant payments in the period that name no recorded grant decision."""
    return [
        g
        for g in idx.grants
        if start <= g.date <= end and g.decision not in idx.funds.grants
    ]
