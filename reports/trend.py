"""月次推移: month by month, for the board's charts.

One row per month of the 年度 (up to the as-of day): 収入合計, 支出合計, 事業費 by activity
(1〜5), 管理費, 収支差額, 累計収支差額 and 月末正味財産.
"""

from __future__ import annotations

import datetime

from connect_books.accounts import Kind
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports.figures import figures_of, net_assets
from connect_books.reports.index import Index
from connect_books.reports.labels import ACTIVITIES
from connect_books.reports.table import Column, Report, Row, Table, cells

NAME = "trend"
TITLE = "月次推移"
COLUMNS = (
    Column("income", "収入合計"),
    Column("expenses", "支出合計"),
    *(Column(f"a{n}", f"事業費 {n} {label}") for n, label in ACTIVITIES.items()),
    Column("admin", "管理費"),
    Column("net", "収支差額"),
    Column("cumulative", "累計収支差額"),
    Column("net_assets", "月末正味財産"),
)


def month_spans(
    year: FiscalYear, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of each month of ``year`` up to ``end``."""
    spans = []
    for month_end in year.month_ends():
        first = max(month_end.replace(day=1), year.start)
        if first > end:
            break
        spans.append((first, min(month_end, end)))
    return spans


def month_values(
    idx: Index, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """The month's income, expenses, costs by activity and admin (positive amounts)."""
    fig = figures_of(idx, start, end)
    values = dict.fromkeys(
        ["income", "expenses", *(f"a{n}" for n in ACTIVITIES), "admin"], 0
    )
    for account, moved in fig.movement.items():
        if not moved:
            continue
        if idx.roots.is_(account, Kind.INCOME):
            values["income"] -= moved
        elif idx.roots.is_(account, Kind.EXPENSES):
            values["expenses"] += moved
            info = idx.info(account)
            if info.section == "事業費" and info.activity in ACTIVITIES:
                values[f"a{info.activity}"] += moved
            elif info.section == "管理費":
                values["admin"] += moved
    return values


def report(idx: Index, p: Period) -> Report:
    """Monthly figures of the period ``p`` (to its as-of day when inside the year)."""
    year = p.year
    rows: list[Row] = []
    cumulative = 0
    totals: dict[str, int] = {}
    for first, last in month_spans(year, p.end):
        values: dict[str, int] = month_values(idx, first, last)
        values["net"] = values["income"] - values["expenses"]
        cumulative += values["net"]
        values["cumulative"] = cumulative
        values["net_assets"] = net_assets(idx, last)
        for key in (
            "income",
            "expenses",
            *(f"a{n}" for n in ACTIVITIES),
            "admin",
            "net",
        ):
            totals[key] = totals.get(key, 0) + values[key]
        label = f"{first.year}年{first.month}月"
        rows.append(Row(label, cells(values), "item", 0, first.strftime("%Y-%m")))
    totals["cumulative"] = cumulative
    totals["net_assets"] = net_assets(idx, p.end)
    rows.append(Row("合計", cells(totals), "total", 0))
    remarks = ["事業費は事業内容 1〜5 ごと。支出合計には予備費・経常外費用を含みます。"]
    table = Table(TITLE, COLUMNS, tuple(rows))
    return Report(NAME, TITLE, year, p.start, p.end, (table,), tuple(remarks), p.as_of)
