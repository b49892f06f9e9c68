"""基金の状況: each fund's movements, and each grant decision with what has been paid.

Funds (事業内容4): 期首残高, 受入 (designated donations, interest…), 助成支払, 振替 (transfers
by decision, e.g. into the まちづくり積立金), 期末残高 — from the fund's asset account — and
区分: a restricted fund is 指定正味財産, a reserve the board set aside a 特定資産 of
一般正味財産.
Decisions (第14条3): ID, 決定日, 機関, 助成先, 決定額, 支払額 (to the end of the period),
うち当期, 残額.
"""

from __future__ import annotations

from collections import defaultdict

from connect_books.fiscal import Period
from connect_books.money import yen, yen_text
from connect_books.reports.figures import fund_figures
from connect_books.reports.index import Index
from connect_books.reports.subledgers import unmatched_grants
from connect_books.reports.table import Column, Report, Row, Table, cells

NAME = "funds"
TITLE = "基金の状況"


def report(idx: Index, p: Period) -> Report:
    """Funds and grant decisions for the period ``p``."""

    fund_rows: list[Row] = []
    totals = dict.fromkeys(("opening", "receipts", "grants", "transfers", "closing"), 0)
    for f in fund_figures(idx, p.start, p.end):
        amounts = {
            "opening": f.opening,
            "receipts": f.receipts,
            "grants": -f.grants,
            "transfers": f.transfers,
            "closing": f.closing,
        }
        for key in totals:
            totals[key] += amounts[key]
        kind = "指定正味財産" if f.fund.restricted else "特定資産 (一般正味財産)"
        fund_rows.append(
            Row(
                f.fund.name,
                {**cells(amounts), "class": kind},
                "item",
                0,
                f"基金:{f.fund.id}",
            )
        )
    fund_rows.append(Row("合計", cells(totals), "total", 0))
    funds_table = Table(
        TITLE,
        (
            Column("opening", "期首残高"),
            Column("receipts", "受入"),
            Column("grants", "助成支払"),
            Column("transfers", "振替"),
            Column("closing", "期末残高" if p.as_of is None else "現在残高"),
            Column("class", "区分", "text"),
        ),
        tuple(fund_rows),
    )

    paid_total: dict[str, int] = defaultdict(int)
    paid_now: dict[str, int] = defaultdict(int)
    for payment in idx.grants:
        if payment.date > p.end:
            continue
        amount = yen(payment.amount)
        paid_total[payment.decision] += amount
        if payment.date >= p.start:
            paid_now[payment.decision] += amount
    orphans = [
        f"{g.date.isoformat()} {yen_text(g.amount)} (決定: {g.decision or 'なし'})"
        for g in unmatched_grants(idx, p.start, p.end)
    ]
    decision_rows: list[Row] = []
    over: list[str] = []
    for fund in idx.funds.funds.values():
        decisions = [
            d
            for d in idx.funds.grants.values()
            if d.fund == fund.id
            and d.date <= p.end
            and (
                d.date >= p.start or paid_now[d.id] or yen(d.amount) - paid_total[d.id]
            )
        ]
        if not decisions:
            continue
        decision_rows.append(Row(fund.name, {}, "heading", 0, f"基金:{fund.id}"))
        sums = dict.fromkeys(("amount", "paid", "paid_now", "left"), 0)
        for d in sorted(decisions, key=lambda d: (d.date, d.id)):
            amount = yen(d.amount)
            figures = {
                "amount": amount,
                "paid": paid_total[d.id],
                "paid_now": paid_now[d.id],
                "left": amount - paid_total[d.id],
            }
            for key in sums:
                sums[key] += figures[key]
            values = cells(
                {"date": d.date, "body": d.body, "grantee": d.grantee, **figures}
            )
            decision_rows.append(Row(d.id, values, "item", 1, d.id))
            if figures["left"] < 0:
                over.append(d.id)
        decision_rows.append(
            Row("計", cells(sums), "subtotal", 0, f"基金:{fund.id}:計")
        )
    decisions_table = Table(
        "助成の決定と支払",
        (
            Column("date", "決定日", "date"),
            Column("body", "機関", "text"),
            Column("grantee", "助成先", "text"),
            Column("amount", "決定額"),
            Column("paid", "支払額"),
            Column("paid_now", "うち当期"),
            Column("left", "残額"),
        ),
        tuple(decision_rows),
    )
    remarks = ["支払額は決定からの累計、うち当期はこの期間の支払です。"]
    if over:
        remarks.append(f"決定額を超えて支払った決定があります: {'、'.join(over)}")
    if orphans:
        remarks.append(
            f"助成の決定と結び付かない助成金の支払があります: {'、'.join(orphans)}"
        )
    return Report(
        NAME,
        TITLE,
        p.year,
        p.start,
        p.end,
        (funds_table, decisions_table),
        tuple(remarks),
        p.as_of,
    )
