"""会費納入状況: the dues roll, member × 年度.

One line per member on the roll per 年度, from the first 年度 up to the one asked for:
会費額 (due, from the roster: dated rate or ``dues-adjust``), 入金額 (paid by the as-of day,
collections of 未収会費 and 前受会費 included), 入金日, 未収 (due − paid) and 状態.
"""

from __future__ import annotations

import datetime

from connect_books.books import Books
from connect_books.fiscal import FiscalYear, jdate
from connect_books.reports.common import (
    DuesLine,
    dues_lines,
    fmt_yen,
    index,
    period,
    short_name,
)
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "dues"
TITLE = "会費納入状況"
COLUMNS = (
    Column("member", "会員ID", "text"),
    Column("year", "年度", "text"),
    Column("due", "会費額"),
    Column("paid", "入金額"),
    Column("paid_on", "入金日", "date"),
    Column("outstanding", "未収"),
    Column("status", "状態", "text"),
)


def years_through(first: datetime.date | None, year: FiscalYear) -> list[FiscalYear]:
    """Every 年度 from the one of ``first`` (or ``year``) to ``year``."""
    current = FiscalYear.of(first) if first else year
    years = []
    while current <= year:
        years.append(current)
        current = current.next()
    return years or [year]


def report(
    books: Books, year: FiscalYear, as_of: datetime.date | None = None
) -> Report:
    """The dues roll of every 年度 up to ``year``, as of its end (or ``as_of``)."""
    idx = index(books)
    p = period(year, as_of)
    years = years_through(idx.first, year)
    lines = dues_lines(idx, years, p.end)
    rows: list[Row] = []
    totals = {"due": 0, "paid": 0, "outstanding": 0}
    for current in years:
        mine = [ln for ln in lines if ln.year == current]
        rows.append(Row(current.label, {}, "heading", 0, current.label))
        sub = {"due": 0, "paid": 0, "outstanding": 0}
        for line in mine:
            rows.append(_row(line))
            sub["due"] += line.due
            sub["paid"] += line.paid
            sub["outstanding"] += line.outstanding
        rows.append(
            Row(f"{current.label} 計", dict(sub), "subtotal", 0, f"{current.label}:計")
        )
        for key in totals:
            totals[key] += sub[key]
    rows.append(Row("合計", dict(totals), "total", 0))

    remarks = [f"{jdate(p.end)}現在。未収 = 会費額 − 入金額。"]
    ahead = [
        ln for ln in dues_lines(idx, [year.next()], p.end) if ln.paid > ln.recognised
    ]
    if ahead:
        parts = "、".join(
            f"{short_name(ln.member.name)} {fmt_yen(ln.paid - ln.recognised)}"
            for ln in ahead
        )
        remarks.append(f"{year.next().label}会費の前受: {parts}")
    unpaid = [ln for ln in lines if ln.year == year and ln.outstanding > 0]
    if unpaid:
        parts = "、".join(
            f"{short_name(ln.member.name)} {fmt_yen(ln.outstanding)}" for ln in unpaid
        )
        remarks.append(f"{year.label}会費の未収: {parts}")
    table = Table(TITLE, COLUMNS, tuple(rows))
    return Report(NAME, TITLE, year, p.start, p.end, (table,), tuple(remarks), p.as_of)


def _row(line: DuesLine) -> Row:
    values: dict[str, Cell] = {
        "member": line.member.id,
        "year": line.year.label,
        "due": line.due,
        "paid": line.paid,
        "paid_on": max(line.paid_dates) if line.paid_dates else None,
        "outstanding": line.outstanding,
        "status": line.status,
    }
    return Row(
        line.member.name, values, "item", 1, f"{line.year.label}:{line.member.id}"
    )
