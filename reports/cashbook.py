"""現金出納帳 and 預金出納帳: each cash and bank account line by line, as its passbook.

One table per account holding cash or deposits (``role`` cash, bank or a fund's account):
前期繰越, each receipt (入金) or payment (出金) with its date, No., 相手科目, 摘要, running
残高 and 証憑, and at every month end a line with the month's totals, the balance and the
passbook balance the books assert (``balance`` dated the 1st of the next month), marked
✓ when they agree. The statement itself (``rows``) sums every account up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from connect_books.chart import CASH_ROLES, Role
from connect_books.fiscal import Period, jdate
from connect_books.money import yen
from connect_books.reports.index import Index
from connect_books.reports.ledger_lines import label, moves
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "cash-book"
TITLE = "現金出納帳・預金出納帳"
OK, NG = "✓", "✗"
COLUMNS = (
    Column("date", "日付", "date"),
    Column("no", "No.", "text"),
    Column("description", "摘要", "text"),
    Column("receipt", "入金"),
    Column("payment", "出金"),
    Column("balance", "残高"),
    Column("passbook", "通帳・実査"),
    Column("mark", "照合", "mark"),
    Column("voucher", "証憑", "text"),
)
SUMMARY_COLUMNS = (
    Column("opening", "前期繰越"),
    Column("receipt", "入金"),
    Column("payment", "出金"),
    Column("balance", "残高"),
    Column("passbook", "通帳・実査"),
    Column("mark", "照合", "mark"),
)
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Book:
    """One account's 出納帳: its table and its totals."""

    account: str
    title: str
    table: Table
    opening: int
    receipts: int
    payments: int
    closing: int
    passbook: int | None


def cash_accounts(idx: Index, p: Period) -> list[str]:
    """The accounts with a 出納帳: cash, bank and fund accounts open in ``p``."""
    return [
        a.name
        for a in idx.chart.with_role(*CASH_ROLES)
        if a.opened <= p.end and (a.closed is None or a.closed >= p.start)
    ]


def title_of(idx: Index, account: str) -> str:
    """``現金出納帳`` or ``預金出納帳 1120-普通預金-ろうきん``."""
    if idx.info(account).role is Role.CASH:
        return (
            "現金出納帳"
            if len(idx.chart.with_role(Role.CASH)) == 1
            else f"現金出納帳 {label(idx, account)}"
        )
    return f"預金出納帳 {label(idx, account)}"


def book_of(idx: Index, p: Period, account: str) -> Book:
    """The 出納帳 of one account over ``p``."""
    start = idx.balance(account, p.start - ONE_DAY)
    balance = start
    rows = [Row("前期繰越", {"balance": start}, "item", 0, f"{account}:前期繰越")]
    month_in = month_out = receipts = payments = 0
    opened = idx.info(account).opened
    months = [
        m for m in p.year.month_ends() if p.start <= m <= p.end and m >= opened
    ] or [p.end]  # (no month-end of an account before it was opened)
    if months[-1] < p.end:
        months.append(p.end)
    pending = list(months)

    def close_month(end: datetime.date) -> None:
        nonlocal month_in, month_out
        asserted = idx.assertions.get((account, end + ONE_DAY))
        passbook = yen(asserted) if asserted is not None else None
        values: dict[str, Cell] = {
            "receipt": month_in,
            "payment": month_out,
            "balance": balance,
            "passbook": passbook,
            "mark": None if passbook is None else (OK if passbook == balance else NG),
        }
        what = f"{end.month}月末" if end in p.year.month_ends() else f"{jdate(end)}現在"
        rows.append(
            Row(f"{what} 残高", values, "subtotal", 0, f"{account}:{end.isoformat()}")
        )
        month_in = month_out = 0

    # (only the transactions that move the account: months close the same way, since
    # nothing else changes the month's figures)
    for number, slip, moved, other in moves(idx, p.start, p.end).get(account, ()):
        while pending and slip.date > pending[0]:
            close_month(pending.pop(0))
        balance += moved
        if moved > 0:
            month_in += moved
            receipts += moved
        else:
            month_out -= moved
            payments -= moved
        values: dict[str, Cell] = {
            "date": slip.date,
            "no": str(number),
            "description": slip.description,
            "receipt": moved if moved > 0 else None,
            "payment": -moved if moved < 0 else None,
            "balance": balance,
            "voucher": slip.voucher or None,
        }
        rows.append(
            Row(
                other,
                values,
                "item",
                1,
                f"{account}:{number}",
            )
        )
    while pending:
        close_month(pending.pop(0))
    asserted = idx.assertions.get((account, p.end + ONE_DAY))
    title = title_of(idx, account)
    return Book(
        account,
        title,
        Table(title, COLUMNS, tuple(rows)),
        start,
        receipts,
        payments,
        balance,
        yen(asserted) if asserted is not None else None,
    )


def account_report(idx: Index, p: Period, account: str) -> Report:
    """One account's 出納帳 as a report of its own (a sheet of the audit pack)."""
    book = book_of(idx, p, account)
    return Report(
        NAME,
        book.title,
        p.year,
        p.start,
        p.end,
        (book.table,),
        tuple(_remarks(idx)),
        p.as_of,
    )


def report(idx: Index, p: Period) -> Report:
    """Every 出納帳 of ``p``, after a summary of the accounts."""
    books = [book_of(idx, p, account) for account in cash_accounts(idx, p)]
    rows: list[Row] = []
    for book in books:
        values: dict[str, Cell] = {
            "opening": book.opening,
            "receipt": book.receipts,
            "payment": book.payments,
            "balance": book.closing,
            "passbook": book.passbook,
            "mark": None
            if book.passbook is None
            else (OK if book.passbook == book.closing else NG),
        }
        rows.append(Row(book.title, values, "item", 0, book.account))
    total: dict[str, Cell] = {
        "opening": sum(b.opening for b in books),
        "receipt": sum(b.receipts for b in books),
        "payment": sum(b.payments for b in books),
        "balance": sum(b.closing for b in books),
    }
    rows.append(Row("合計", total, "total", 0, "合計"))
    summary = Table("現金・預金の残高", SUMMARY_COLUMNS, tuple(rows))
    tables = (summary, *(b.table for b in books))
    return Report(
        NAME, TITLE, p.year, p.start, p.end, tables, tuple(_remarks(idx)), p.as_of
    )


def _remarks(idx: Index) -> list[str]:
    return [
        "月末の残高を、帳簿に書いた残高の確認 (翌月1日付の balance: 通帳・残高証明・現金実査) と照合します。",
        "No. は仕訳帳の伝票番号、証憑は取引の document: と同じリンク (^…) の書類です。",
    ]
