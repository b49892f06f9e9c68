"""源泉徴収 (withholding income tax): the one reader of fees paid and tax withheld.

A 任意団体 that pays 講演料・原稿料 to an individual withholds 10.21% of each payment
(20.42% of the part over 1,000,000円) and pays it to the tax office by the 10th of the next
month. The books say which accounts take part with ``withholding: TRUE`` on their ``open``
(an expense: a fee subject to withholding; a liability: the 預り金 holding the tax)::

    2025-06-28 open Expenses:5120-人材育成:5121-講師謝金 JPY
      withholding: TRUE
    2025-06-28 open Liabilities:2120-預り金 JPY
      withholding: TRUE

    2025-11-15 * "L0001" "人材育成研修 講師謝金"
      Expenses:5120-人材育成:5121-講師謝金   50000 JPY
      Assets:1120-普通預金-ろうきん         -44895 JPY
      Liabilities:2120-預り金               -5105 JPY
    2025-12-10 * "世田谷税務署" "源泉所得税の納付 (2025年11月支払分)"
      Liabilities:2120-預り金                5105 JPY
      Assets:1120-普通預金-ろうきん          -5105 JPY

A payee that needs no withholding is marked on the payment: ``payee-kind: "corporation"``
(a 法人; ``"individual"`` may be written too) or ``withholding-exempt: "理由"``. An
individual payee is named by an ID (``L0001``), never by name (個人情報保護法); the name
and address for the 支払調書 are kept outside the books.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from beancount.core import data

from connect_books.accounts import Kind, Roots
from connect_books.chart import Chart
from connect_books.money import posting_yen, yen

#: The account metadata that marks a fee (expense) or the tax deposit (liability).
KEY = "withholding"
PAYEE_KIND = "payee-kind"
EXEMPT = "withholding-exempt"
INDIVIDUAL, CORPORATION = "individual", "corporation"
#: 10.21% up to this amount of one payment, 20.42% above it (所得税法第205条, 復興特別所得税込み).
LOWER_LIMIT = 1_000_000
LOWER_RATE = Decimal("0.1021")
UPPER_RATE = Decimal("0.2042")
#: The tax is due on this day of the month after the payment.
DUE_DAY = 10


def tax_on(fee: int) -> int:
    """The tax to withhold from one payment of ``fee`` yen (1円未満切捨て)."""
    if fee <= 0:
        return 0
    lower = min(fee, LOWER_LIMIT) * LOWER_RATE
    upper = max(fee - LOWER_LIMIT, 0) * UPPER_RATE
    return int((lower + upper).to_integral_value(ROUND_DOWN))


def due_date(paid: datetime.date) -> datetime.date:
    """The 10th of the month after ``paid``, or the next day the tax office is open.

    A due date on a Saturday, Sunday or national holiday moves to the next working day
    (国税通則法第10条2). The holidays that can fall on the 10th to the 14th are known
    here (:func:`_near_the_tenth_holiday`); 納期の特例 (half-yearly payment) is not modelled.
    """
    year, month = (
        (paid.year + 1, 1) if paid.month == 12 else (paid.year, paid.month + 1)
    )
    day = datetime.date(year, month, DUE_DAY)
    while day.weekday() >= 5 or _near_the_tenth_holiday(day):
        day += datetime.timedelta(days=1)
    return day


def _near_the_tenth_holiday(day: datetime.date) -> bool:
    """Whether ``day`` (10th〜14th) is a national holiday or its substitute (振替休日).

    成人の日 and スポーツの日 (the second Monday of January and October), 建国記念の日
    (2/11) and 山の日 (8/11), each moved to Monday the 12th when it falls on a Sunday.
    """
    if day.month in (1, 10) and day.weekday() == 0 and 8 <= day.day <= 14:
        return True
    if day.month in (2, 8):
        if day.day == 11:
            return True
        fixed = datetime.date(day.year, day.month, 11)
        return day.day == 12 and fixed.weekday() == 6
    return False


@dataclass(frozen=True)
class Payment:
    """One payment of a fee subject to withholding, and what was withheld from it."""

    date: datetime.date
    payee: str
    narration: str
    fee: int
    withheld: int
    #: None: withholding applies; otherwise why it does not (法人, an exemption).
    exempt: str | None
    meta: dict[str, Any] = field(compare=False, repr=False)

    @property
    def expected(self) -> int:
        """The tax that should have been withheld (0 when exempt)."""
        return 0 if self.exempt is not None else tax_on(self.fee)

    @property
    def due(self) -> datetime.date:
        """When the withheld tax must reach the tax office."""
        return due_date(self.date)


@dataclass(frozen=True)
class Remittance:
    """Tax withheld from one payment, and when it was paid to the tax office (FIFO)."""

    payment: Payment
    amount: int
    paid: int
    paid_on: datetime.date | None

    @property
    def left(self) -> int:
        """Tax still held."""
        return self.amount - self.paid


@dataclass(frozen=True)
class BadMeta:
    """A ``payee-kind:`` or ``withholding-exempt:`` that cannot be read."""

    message: str
    meta: dict[str, Any]
    entry: data.Transaction


@dataclass
class Withholdings:
    """Every fee paid, every tax withheld and every payment of it to the tax office."""

    fees: frozenset[str]
    deposits: frozenset[str]
    payments: list[Payment] = field(default_factory=list)
    #: (date, amount) of each payment out of a deposit account (to the tax office).
    remitted: list[tuple[datetime.date, int]] = field(default_factory=list)
    problems: list[BadMeta] = field(default_factory=list)

    @classmethod
    def from_entries(
        cls, entries: Iterable[data.Directive], roots: Roots | None = None
    ) -> Withholdings:
        """Read the books (``entries`` in date order)."""
        listed = list(entries)
        roots = roots or Roots.of()
        chart = Chart.from_entries(e for e in listed if isinstance(e, data.Open))
        marked = [n for n, a in chart.accounts.items() if a.meta.get(KEY) is True]
        found = cls(
            frozenset(n for n in marked if roots.is_(n, Kind.EXPENSES)),
            frozenset(n for n in marked if roots.is_(n, Kind.LIABILITIES)),
        )
        if found.fees or found.deposits:
            for entry in listed:
                if isinstance(entry, data.Transaction):
                    found.add(entry)
        return found

    def add(self, txn: data.Transaction) -> None:
        """Record what one transaction does to fees and deposits."""
        fee = withheld = 0
        for posting in txn.postings:
            if posting.account in self.fees:
                fee += yen(posting_yen(posting))
            elif posting.account in self.deposits:
                amount = yen(posting_yen(posting))
                if amount < 0:
                    withheld -= amount
                elif amount > 0:
                    self.remitted.append((txn.date, amount))
        if fee <= 0:
            return
        self.payments.append(
            Payment(
                txn.date,
                str(txn.payee or txn.narration or ""),
                txn.narration or "",
                fee,
                withheld,
                self._exemption(txn),
                txn.meta,
            )
        )

    def _exemption(self, txn: data.Transaction) -> str | None:
        kind = txn.meta.get(PAYEE_KIND)
        exempt = txn.meta.get(EXEMPT)
        if exempt is not None:
            if isinstance(exempt, str) and exempt.strip():
                return exempt.strip()
            self.problems.append(
                BadMeta(
                    f'{EXEMPT}: には源泉徴収をしない理由を文字で書いてください (例: {EXEMPT}: "交通費の実費")。',
                    txn.meta,
                    txn,
                )
            )
        if kind is None or kind == INDIVIDUAL:
            return None
        if kind == CORPORATION:
            return "法人"
        self.problems.append(
            BadMeta(
                f'{PAYEE_KIND}: "{kind}" は読めません。"{INDIVIDUAL}" (個人) か'
                f' "{CORPORATION}" (法人) と書いてください。',
                txn.meta,
                txn,
            )
        )
        return None

    def remittances(self, as_of: datetime.date | None = None) -> list[Remittance]:
        """Each withholding and how much of it reached the tax office by ``as_of``.

        Payments out of the deposit accounts clear the oldest withholding first.
        """
        held = [
            p
            for p in self.payments
            if p.withheld and (as_of is None or p.date <= as_of)
        ]
        paid = [0] * len(held)
        paid_on: list[datetime.date | None] = [None] * len(held)
        for day, amount in self.remitted:
            if as_of is not None and day > as_of:
                break
            left = amount
            for n, payment in enumerate(held):
                if not left or payment.date > day:
                    break
                take = min(left, payment.withheld - paid[n])
                if take > 0:
                    paid[n] += take
                    left -= take
                    if paid[n] == payment.withheld:
                        paid_on[n] = day
        return [
            Remittance(p, p.withheld, paid[n], paid_on[n]) for n, p in enumerate(held)
        ]
