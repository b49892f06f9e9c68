"""仕訳帳: every transaction of the period in date order, each posting on its own line.

Each transaction has its 伝票番号 (No.), date, 摘要 and 証憑 (voucher) on its first line;
each posting is a line with its account (勘定科目) and the amount on the 借方 or 貸方 side.
The 借方 and 貸方 totals are equal, and equal to the 合計試算表's (the 総勘定元帳's) totals.
"""

from __future__ import annotations

from connect_books.fiscal import Period
from connect_books.reports.index import Index
from connect_books.reports.ledger_lines import label, slips
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "journal"
TITLE = "仕訳帳"
COLUMNS = (
    Column("date", "日付", "date"),
    Column("no", "No.", "text"),
    Column("debit", "借方"),
    Column("credit", "貸方"),
    Column("description", "摘要", "text"),
    Column("voucher", "証憑", "text"),
)


def report(idx: Index, p: Period) -> Report:
    """The 仕訳帳 of ``p``: one line per posting, grouped by transaction."""
    rows: list[Row] = []
    debits = credits = count = 0
    for number, slip in enumerate(slips(idx, p.start, p.end), start=1):
        count += 1
        for n, (account, amount) in enumerate(slip.postings):
            values: dict[str, Cell] = {
                "debit": amount if amount > 0 else None,
                "credit": -amount if amount < 0 else None,
            }
            if n == 0:
                values.update(
                    date=slip.date,
                    no=str(number),
                    description=slip.description,
                    voucher=slip.voucher or None,
                )
            if amount > 0:
                debits += amount
            else:
                credits -= amount
            rows.append(
                Row(label(idx, account), values, "item", 0, f"{number}:{n + 1}")
            )
    rows.append(Row("合計", {"debit": debits, "credit": credits}, "total", 0, "合計"))
    remarks = [
        f"取引 {count}件。No. は年度の中の伝票番号 (日付順) で、総勘定元帳・出納帳の No. と同じです。",
        "証憑は取引の document: と、同じリンク (^…) を持つ document の書類です。",
    ]
    table = Table(TITLE, COLUMNS, tuple(rows))
    return Report(
        NAME, TITLE, p.year, p.start, p.end, (table,), tuple(remarks), p.as_of
    )
