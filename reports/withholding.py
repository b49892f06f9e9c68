"""源泉徴収の状況: fees and tax withheld per payee per calendar year (the 支払調書's data).

The statement has one block per calendar year (1月〜12月, the 支払調書's year) touched by
the 年度, one row per payee: 支払金額, 源泉徴収税額, 納付済額 and the number of payments;
a payee paid more than :data:`REPORT_LIMIT` in the year is marked for the 支払調書. The
note lists each payment of the 年度 with its due date and when the tax was paid.
Everything comes from :class:`connect_books.withholding.Withholdings`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from connect_books.fiscal import Period, jdate
from connect_books.money import yen_text
from connect_books.reports.index import Index
from connect_books.reports.table import Cell, Column, Report, Row, Table
from connect_books.withholding import Payment, Remittance, Withholdings

NAME = "withholding"
TITLE = "源泉徴収の状況"
#: 講演料等の支払調書: required when one payee is paid more than this in a calendar year.
REPORT_LIMIT = 50_000

COLUMNS = (
    Column("fee", "支払金額"),
    Column("withheld", "源泉徴収税額"),
    Column("remitted", "納付済額"),
    Column("count", "件数", "text"),
    Column("note", "備考", "text"),
)
PAYMENT_COLUMNS = (
    Column("date", "支払日", "date"),
    Column("fee", "支払金額"),
    Column("withheld", "源泉徴収税額"),
    Column("due", "納付期限", "date"),
    Column("paid_on", "納付日", "date"),
    Column("status", "状況", "text"),
)


def report(idx: Index, p: Period) -> Report:
    """Withholding per payee per calendar year, to the end of ``p``."""
    book = Withholdings.from_entries(idx.entries, idx.roots)
    held = {id(r.payment): r for r in book.remittances(p.end)}
    rows: list[Row] = []
    for year in range(p.start.year, p.end.year + 1):
        # the whole calendar year, Jan〜Mar of the previous 年度 included, to the end of p
        payments = [x for x in book.payments if x.date.year == year and x.date <= p.end]
        rows.append(Row(f"{year}年 (1月〜12月)", {}, "heading", 0, f"{year}"))
        by_payee: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for payment in payments:
            sums = by_payee[payment.payee]
            found = held.get(id(payment))
            sums[0] += payment.fee
            sums[1] += payment.withheld
            sums[2] += found.paid if found else 0
            sums[3] += 1
        total = [0, 0, 0, 0]
        for payee, (fee, withheld, remitted, count) in sorted(by_payee.items()):
            note = "支払調書の提出対象" if fee > REPORT_LIMIT and withheld else None
            rows.append(
                Row(
                    payee,
                    _values(fee, withheld, remitted, count, note),
                    "item",
                    1,
                    f"{year}:{payee}",
                )
            )
            for n, value in enumerate((fee, withheld, remitted, count)):
                total[n] += value
        fee, withheld, remitted, count = total
        rows.append(
            Row(
                "計",
                _values(fee, withheld, remitted, count, None),
                "subtotal",
                0,
                f"{year}:計",
            )
        )
    detail = [
        _payment_row(x, held.get(id(x)), p.end)
        for x in book.payments
        if p.start <= x.date <= p.end
    ]
    remarks = [
        "個人への講師謝金・原稿料は 10.21% (1回の支払いの100万円を超える部分は 20.42%) を源泉徴収し、"
        "翌月10日までに税務署へ納付します。暦年の合計は支払調書の金額です。",
        f"同じ支払先への暦年の支払が {yen_text(REPORT_LIMIT)} を超えるときは「報酬、料金、契約金及び賞金の支払調書」を"
        "翌年1月31日までに税務署へ提出します (氏名・住所は帳簿の外の名簿で管理します)。",
        f"{jdate(p.end)}までの支払と納付を数えています。",
    ]
    if not book.fees:
        remarks.insert(
            0, "源泉徴収の対象の科目 (open に withholding: TRUE) がありません。"
        )
    tables = (
        Table(TITLE, COLUMNS, tuple(rows)),
        Table("支払ごとの源泉徴収と納付", PAYMENT_COLUMNS, tuple(detail)),
    )
    return Report(NAME, TITLE, p.year, p.start, p.end, tables, tuple(remarks), p.as_of)


def _values(
    fee: int, withheld: int, remitted: int, count: int, note: str | None
) -> dict[str, Cell]:
    return {
        "fee": fee,
        "withheld": withheld,
        "remitted": remitted,
        "count": f"{count}件",
        "note": note,
    }


def _payment_row(
    payment: Payment, held: Remittance | None, as_of: datetime.date
) -> Row:
    if payment.exempt is not None:
        status = f"対象外 ({payment.exempt})"
    elif held is None:
        status = "源泉徴収なし"
    elif held.left == 0:
        status = (
            "納付済"
            if held.paid_on and held.paid_on <= payment.due
            else "納付済 (期限後)"
        )
    else:
        status = "期限超過 (未納)" if as_of > payment.due else "未納 (期限前)"
    values: dict[str, Cell] = {
        "date": payment.date,
        "fee": payment.fee,
        "withheld": payment.withheld,
        "due": payment.due if payment.withheld else None,
        "paid_on": held.paid_on if held else None,
        "status": status,
    }
    return Row(payment.payee, values, "item", 0, f"{payment.date}:{payment.payee}")
