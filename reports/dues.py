"""会費納入状況: the dues roll, member × 年度.

One line per member on the roll per 年度, from the first 年度 up to the one asked for:
会費額 (due, from the roster: dated rate or ``dues-adjust``), 入金額 (paid by the as-of day,
collections of 未収会費 and 前受会費 included), 入金日, 未収 (due − paid) and 状態.
"""

from __future__ import annotations

from connect_books.fiscal import Period, jdate
from connect_books.money import yen_text
from connect_books.reports.index import Index
from connect_books.reports.labels import short_name
from connect_books.reports.subledgers import (
    DuesLine,
    dues_ahead,
    dues_lines,
    years_through,
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


def report(idx: Index, p: Period) -> Report:
    """The dues roll of every 年度 up to the period's, as of its end (or as-of day)."""
    year = p.year
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
    ahead = dues_ahead(idx, year.next(), p.end)
    if ahead:
        parts = "、".join(
            f"{short_name(ln.member.name)} {yen_text(ln.ahead)}" for ln in ahead
        )
        remarks.append(f"{year.next().label}会費の前受: {parts}")
    unpaid = [ln for ln in lines if ln.year == year and ln.outstanding > 0]
    if unpaid:
        parts = "、".join(
            f"{short_name(ln.member.name)} {yen_text(ln.outstanding)}" for ln in unpaid
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
