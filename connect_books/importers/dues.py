"""Which 年度 a member's payment pays (README §2.2): arrears, this year, or next year.

A payment from a member is allocated, in order, to

1. its 未収会費 (dues of an earlier 年度 booked as receivable at 3/31): credit the
   ``dues-receivable`` account;
2. the dues of the payment's 年度 still open (the roster's amount, minus what is already
   recognised and what was received in advance for that year): credit ``dues-income``;
3. from ``advance_from`` (3月1日) on, once this year is paid: next year's dues, credit
   ``dues-advance`` (前受会費; the treasurer moves it to 受取会費 on 4月1日).

What remains is not dues: the line stays unmatched, with the reason. So does a payment
while the previous, unsettled 年度's dues of that member are unpaid and not yet booked
as 未収会費 (the 3/31 accrual has to come first, in that year's journal).

``connect-books dues pay`` (:mod:`connect_books.entry_dues`) chooses the 年度 of one
payment the same way from the dues roll, next year's in advance also only from 3月1日
unless the treasurer names the 年度 (a second payment in October is more likely a
mistake: the import leaves it unmatched); the import differs on purpose in one point: it
splits one transfer that pays an arrear and this year's dues together.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from connect_books.chart import Chart, Role
from connect_books.fiscal import FiscalYear
from connect_books.money import posting_yen, yen_text
from connect_books.roster import Roster


@dataclass(frozen=True)
class Part:
    """One credit of a dues payment."""

    account: str
    amount: int
    #: What it pays, for the narration (``2026年度会費`` …).
    label: str


@dataclass
class DuesState:
    """What each member has been booked for, updated as the import allocates payments."""

    roster: Roster
    income: str
    receivable: str
    advance: str
    settled: frozenset[FiscalYear]
    recognised: dict[tuple[str, FiscalYear], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )
    owed: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    prepaid: dict[tuple[str, FiscalYear], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )

    @classmethod
    def of(
        cls,
        entries: Iterable[data.Directive],
        roster: Roster,
        chart: Chart,
        settled: Iterable[FiscalYear],
    ) -> DuesState | None:
        """The state of the books' dues (None when the chart has no dues accounts)."""
        accounts = [
            chart.with_role(role)
            for role in (Role.DUES_INCOME, Role.DUES_RECEIVABLE, Role.DUES_ADVANCE)
        ]
        if not all(accounts):
            return None
        state = cls(
            roster,
            accounts[0][0].name,
            accounts[1][0].name,
            accounts[2][0].name,
            frozenset(settled),
        )
        roles = chart.roles(Role.DUES_INCOME, Role.DUES_RECEIVABLE, Role.DUES_ADVANCE)
        for entry in entries:
            if not isinstance(entry, data.Transaction):
                continue
            for posting in entry.postings:
                role = roles.get(posting.account)
                if role is None:
                    continue
                member = (posting.meta or {}).get("member", entry.meta.get("member"))
                if member is not None:
                    state.book(str(member), role, entry.date, posting_yen(posting))
        return state

    def book(
        self, member: str, role: Role, day: datetime.date, number: Decimal
    ) -> None:
        """Add one dues posting (``number`` as posted: credits are negative)."""
        year = FiscalYear.of(day)
        if role == Role.DUES_INCOME:
            self.recognised[(member, year)] -= number
        elif role == Role.DUES_RECEIVABLE:
            self.owed[member] += number
        elif number < 0:  # received in advance in one year for the next
            self.prepaid[(member, year.next())] -= number
        else:  # moved to 受取会費 in the year it pays
            self.prepaid[(member, year)] -= number

    def allocate(
        self,
        member: str,
        amount: int,
        day: datetime.date,
        advance_from: tuple[int, int],
    ) -> list[Part] | str:
        """The credits of a payment (and book them), or why it is not dues (Japanese)."""
        year = FiscalYear.of(day)
        previous = year.previous()
        if (
            previous is not None
            and previous not in self.settled
            and self.owed[member] <= 0
            and self._open(member, previous) > 0
        ):
            return (
                f"{previous.label}の会費 {yen_text(self._open(member, previous))} が未納で、"
                f"未収会費にも計上されていません。先に {previous.end} 付で未収会費を計上してください"
                f" (connect-books dues pay {member} --year {previous.year} --account 未収会費)"
            )
        parts: list[Part] = []
        left = Decimal(amount)
        arrears = min(left, max(self.owed[member], Decimal(0)))
        if arrears:
            parts.append(Part(self.receivable, int(arrears), "未収会費の回収"))
            left -= arrears
        now = min(left, self._open(member, year))
        if now:
            parts.append(Part(self.income, int(now), f"{year.label}会費"))
            left -= now
        if left and advance_start(year, advance_from) <= day:
            ahead = min(left, self._open(member, year.next()))
            if ahead:
                parts.append(
                    Part(self.advance, int(ahead), f"{year.next().label}会費 (前受け)")
                )
                left -= ahead
        if left:
            due = self.roster.due(member, year)
            return (
                f"会費として割り当てられない {yen_text(left)} があります"
                f" ({year.label}の会費 {yen_text(due)}、計上済み {yen_text(self.recognised[(member, year)])})"
            )
        for part in parts:
            role = {
                self.receivable: Role.DUES_RECEIVABLE,
                self.income: Role.DUES_INCOME,
            }.get(part.account, Role.DUES_ADVANCE)
            self.book(member, role, day, Decimal(-part.amount))
        return parts

    def _open(self, member: str, year: FiscalYear) -> Decimal:
        """Dues of ``year`` not yet recognised nor received in advance."""
        due = self.roster.due(member, year)
        covered = self.recognised[(member, year)] + self.prepaid[(member, year)]
        return max(due - covered, Decimal(0))


def advance_start(year: FiscalYear, month_day: tuple[int, int]) -> datetime.date:
    """The day of ``year`` from which a paid-up member's payment is next year's dues."""
    month, day = month_day
    calendar_year = year.year if month >= 4 else year.year + 1
    try:
        return datetime.date(calendar_year, month, day)
    except ValueError:  # 02-29 in a common year
        return datetime.date(calendar_year, month, 28)
