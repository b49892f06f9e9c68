"""領収書: for a dues payment or a donation, and a yearly list per supporter.

A receipt is made for a transaction that brings money into a cash, bank or fund account
and carries ``member:`` with a dues account (会費) or ``supporter:`` with a donation
account (寄付). Its number is ``R-<date>-<ID>`` (``-2``, ``-3`` … for a second payment of
the same payer on the same day): the same every time the receipt is made again.

The organisation is a 任意団体: gifts to it are not deductible, so the document is a
plain 領収書 (never titled as a certificate for a tax deduction) and says so. Supporters'
names come from the supporters' file outside the books
(:mod:`connect_books.entry_supporters`); members' names from the roster.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data

from connect_books import ORGANISATION
from connect_books.chart import CASH_ROLES, DUES_ROLES, Chart, Role
from connect_books.fiscal import FiscalYear, jdate
from connect_books.funds import Funds
from connect_books.money import posting_yen, yen
from connect_books.reports.labels import fund_short
from connect_books.reports.slip import BOX, COLUMNS, Slip

TITLE = "領収書"
YEARLY_TITLE = "領収書 (年間明細)"
#: Printed on every receipt: why it is no certificate for a deduction.
NOT_DEDUCTIBLE = (
    "当機構は任意団体のため、ご寄付は税法上の寄附金控除等の対象になりません。"
)
_YEN_MARK_FORMAT = '"¥"#,##0"-"'


@dataclass(frozen=True)
class Received:
    """Money received from a member or a supporter in one transaction."""

    number: str
    payer: str
    kind: str  # "dues" or "donation"
    date: datetime.date
    amount: int
    #: 但し書き: ``2026年度会費として``, ``ご寄付として`` …
    purpose: str


@dataclass(frozen=True)
class Addressee:
    """Who a receipt is made out to."""

    name: str
    postcode: str = ""
    address: str = ""


def received(
    entries: Iterable[data.Directive], chart: Chart, funds: Funds
) -> list[Received]:
    """Every dues payment and donation of the books, numbered, in date order."""
    roles = chart.roles()
    fund_of = {a.name: a.fund for a in chart.accounts.values() if a.fund}
    seen: Counter[tuple[datetime.date, str]] = Counter()
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        member, supporter = entry.meta.get("member"), entry.meta.get("supporter")
        if member is None and supporter is None:
            continue
        money = sum(
            (
                posting_yen(p)
                for p in entry.postings
                if roles.get(p.account) in CASH_ROLES and posting_yen(p) > 0
            ),
        )
        credits = [
            (roles.get(p.account), p.account)
            for p in entry.postings
            if posting_yen(p) < 0
        ]
        if not money:
            continue
        if isinstance(member, str) and any(r in DUES_ROLES for r, _ in credits):
            payer, kind = member, "dues"
            purpose = _dues_purpose(entry.date, {r for r, _ in credits})
        elif isinstance(supporter, str) and any(
            r in (Role.DONATION, Role.DESIGNATED_DONATION) for r, _ in credits
        ):
            payer, kind = supporter, "donation"
            fund = next((fund_of[a] for _, a in credits if a in fund_of), "")
            chosen = funds.funds.get(fund)
            purpose = (
                f"{fund_short(chosen)}へのご寄付として" if chosen else "ご寄付として"
            )
        else:
            continue
        seen[(entry.date, payer)] += 1
        count = seen[(entry.date, payer)]
        number = f"R-{entry.date:%Y%m%d}-{payer}" + (f"-{count}" if count > 1 else "")
        out.append(Received(number, payer, kind, entry.date, yen(money), purpose))
    return out


def _dues_purpose(day: datetime.date, roles: set[Role | None]) -> str:
    year = FiscalYear.of(day)
    if Role.DUES_ADVANCE in roles:
        return f"{year.next().label}会費 (前受け) として"
    if Role.DUES_RECEIVABLE in roles and Role.DUES_INCOME not in roles:
        return "過年度会費 (未納分) として"
    return f"{year.label}会費として"


def _head(slip: Slip, number: str, issued: datetime.date, title: str) -> None:
    slip.text(1, 4, "No.", align="right")
    slip.text(1, 5, number, align="right", to_column=COLUMNS)
    slip.text(2, 4, "発行日", align="right")
    slip.date(2, 5, issued, align="right", to_column=COLUMNS)
    slip.text(4, 1, title, size=20, bold=True, align="center", to_column=COLUMNS)
    slip.height(4, 36)


def _addressee(slip: Slip, to: Addressee, row: int) -> int:
    if to.postcode or to.address:
        postcode = f"〒{to.postcode}  " if to.postcode else ""
        slip.text(row, 1, f"{postcode}{to.address}".strip(), size=9, to_column=4)
        row += 1
    slip.text(row, 1, to.name, size=13, to_column=4)
    slip.underline(row, 1, 4)
    slip.height(row, 30)
    return row


def _issuer(slip: Slip, row: int) -> None:
    slip.text(row, 4, ORGANISATION, to_column=COLUMNS)
    slip.text(row + 1, 4, "会計担当", to_column=COLUMNS)


def write_receipt(
    item: Received, to: Addressee, issued: datetime.date, path: str | os.PathLike[str]
) -> Path:
    """One 領収書 as an A4 workbook at ``path``."""
    slip = Slip(
        f"{TITLE} {item.number}", TITLE, f"{ORGANISATION} {TITLE} {item.number}"
    )
    _head(slip, item.number, issued, TITLE)
    row = _addressee(slip, to, 6) + 2
    slip.text(row, 1, "金額", size=12, bold=True, to_column=2, border=BOX)
    slip.yen(row, 3, item.amount, size=18, bold=True, border=BOX)
    slip.ws.cell(row=row, column=3).number_format = _YEN_MARK_FORMAT
    slip.ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    slip.height(row, 36)
    slip.text(row + 1, 1, "但し", to_column=2, border=BOX)
    slip.text(row + 1, 3, item.purpose, to_column=4, border=BOX)
    slip.text(row + 2, 1, "受領日", to_column=2, border=BOX)
    slip.text(row + 2, 3, jdate(item.date), to_column=4, border=BOX)
    slip.text(row + 4, 1, "上記の金額を正に領収いたしました。", to_column=COLUMNS)
    _issuer(slip, row + 6)
    if item.kind == "donation":
        slip.text(row + 9, 1, NOT_DEDUCTIBLE, size=9, to_column=COLUMNS)
    return slip.save(path)


def write_yearly(
    items: list[Received],
    to: Addressee,
    year: FiscalYear,
    issued: datetime.date,
    path: str | os.PathLike[str],
) -> Path:
    """A supporter's donations in ``year``, listed with their total, on one A4 sheet."""
    number = f"RY{year.year}-{items[0].payer}" if items else f"RY{year.year}"
    slip = Slip(f"{YEARLY_TITLE} {number}", TITLE, f"{ORGANISATION} {YEARLY_TITLE}")
    _head(slip, number, issued, YEARLY_TITLE)
    row = _addressee(slip, to, 6) + 2
    slip.text(
        row,
        1,
        f"{year.label} ({jdate(year.start)}〜{jdate(year.end)}) にお受けしたご寄付は、"
        "次のとおりです。",
        to_column=COLUMNS,
    )
    row += 2
    for column, label in ((1, "No."), (2, "受領日"), (3, "但し書き"), (6, "金額 (円)")):
        to_column = 5 if column == 3 else None
        slip.text(
            row,
            column,
            label,
            bold=True,
            align="center",
            to_column=to_column,
            border=BOX,
        )
    for n, item in enumerate(items, start=1):
        row += 1
        slip.text(row, 1, str(n), align="center", border=BOX)
        slip.text(row, 2, jdate(item.date), border=BOX)
        slip.text(row, 3, item.purpose, to_column=5, border=BOX)
        slip.yen(row, 6, item.amount, border=BOX)
    row += 1
    slip.text(row, 1, "合計", bold=True, align="center", to_column=5, border=BOX)
    slip.yen(row, 6, sum(item.amount for item in items), bold=True, border=BOX)
    slip.text(row + 2, 1, "上記の金額を正に領収いたしました。", to_column=COLUMNS)
    _issuer(slip, row + 4)
    slip.text(row + 7, 1, NOT_DEDUCTIBLE, size=9, to_column=COLUMNS)
    return slip.save(path)
