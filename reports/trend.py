"""月次推移: month by month, for the board's charts.

One row per month of the 年度 (up to the as-of day): 収益計, 費用計, 事業費 by activity
(1〜5), 管理費, 正味財産増減額, その累計 and 月末正味財産. These are the 活動計算書's
figures (accrual: 減価償却 in, the purchase of a fixed asset and a transfer to a reserve
not), so they are named as there, never as the 収支計算書's 収入・支出.

The month's figures are a pandas pivot of the income and expense postings: account ×
month in integer yen (``int64``; never float), weighted into the columns by each
account's kind, ``section`` and ``activity``. Opening balances brought in
(``opening: TRUE``) are left out, as in :func:`~connect_books.reports.figures.figures_of`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from connect_books.accounts import FLOW_KINDS, Kind
from connect_books.fiscal import FiscalYear, Period
from connect_books.money import ZERO, yen_or_zero
from connect_books.reports.figures import net_assets
from connect_books.reports.index import Index
from connect_books.reports.labels import ACTIVITIES
from connect_books.reports.table import Column, Report, Row, Table, cells

if TYPE_CHECKING:
    import pandas as pd

NAME = "trend"
TITLE = "月次推移"
#: The figures of a month, in column order (costs as positive amounts).
FLOWS = ("income", "expenses", *(f"a{n}" for n in ACTIVITIES), "admin")
COLUMNS = (
    Column("income", "収益計"),
    Column("expenses", "費用計"),
    *(Column(f"a{n}", f"事業費 {n} {label}") for n, label in ACTIVITIES.items()),
    Column("admin", "管理費"),
    Column("net", "正味財産増減額"),
    Column("cumulative", "正味財産増減額の累計"),
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


def month_key(day: datetime.date) -> str:
    """``2025-06``: the month a day falls in (also the row's key)."""
    return f"{day.year:04d}-{day.month:02d}"


def monthly_movement(idx: Index, p: Period) -> pd.DataFrame:
    """Income and expense accounts × months of the period: movement in yen (int64).

    Each cell is the account's movement in the month, rounded to yen once (as the
    figures round an account's movement), opening balances brought in left out.
    """
    import pandas as pd  # only this report needs it: ``connect-books`` starts faster

    start, end = p.start, p.end
    spans = month_spans(p.year, end)
    months = [month_key(first) for first, _ in spans]
    month_of = {
        first + datetime.timedelta(days=n): key
        for (first, last), key in zip(spans, months, strict=True)
        for n in range((last - first).days + 1)
    }
    accounts: list[str] = []
    keys: list[str] = []
    amounts: list[Decimal] = []
    for account, series in idx.series.items():
        if not idx.roots.is_(account, *FLOW_KINDS):
            continue
        dates, values = series.between(start, end)
        accounts += [account] * len(dates)
        keys += map(month_of.__getitem__, dates)
        amounts += values
        for day, number in idx.opening.get(account, ()):
            if start <= day <= end:  # brought in: the opening, not the movement
                accounts.append(account)
                keys.append(month_of[day])
                amounts.append(-number)
    if not accounts:
        return pd.DataFrame(0, index=pd.Index([], dtype=object), columns=months)
    postings = pd.DataFrame(
        {"account": accounts, "month": keys, "amount": pd.Series(amounts, dtype=object)}
    )
    sums = postings.groupby(["account", "month"])["amount"].sum()
    table = sums.unstack("month", fill_value=ZERO).reindex(columns=months)
    return table.map(yen_or_zero).astype("int64")


def weights(idx: Index, accounts: pd.Index) -> pd.DataFrame:
    """Account × figure: how an account's movement counts in each figure of the month."""
    import pandas as pd

    table = pd.DataFrame(0, index=accounts, columns=list(FLOWS), dtype="int64")
    for account in accounts:
        if idx.roots.is_(account, Kind.INCOME):
            table.at[account, "income"] = -1
            continue
        table.at[account, "expenses"] = 1
        info = idx.info(account)
        if info.section == "事業費" and info.activity in ACTIVITIES:
            table.at[account, f"a{info.activity}"] = 1
        elif info.section == "管理費":
            table.at[account, "admin"] = 1
    return table


def monthly_figures(idx: Index, p: Period) -> pd.DataFrame:
    """Figure (``income`` … ``admin``) × month of the period: integer yen (int64)."""
    movement = monthly_movement(idx, p)
    return weights(idx, movement.index).T @ movement


def report(idx: Index, p: Period) -> Report:
    """Monthly figures of the period ``p`` (to its as-of day when inside the year)."""
    table = monthly_figures(idx, p)
    rows: list[Row] = []
    cumulative = 0
    totals: dict[str, int] = dict.fromkeys((*FLOWS, "net"), 0)
    for first, last in month_spans(p.year, p.end):
        key = month_key(first)
        values: dict[str, int] = {f: int(table.at[f, key]) for f in FLOWS}
        values["net"] = values["income"] - values["expenses"]
        cumulative += values["net"]
        values["cumulative"] = cumulative
        values["net_assets"] = net_assets(idx, last)
        for name in totals:
            totals[name] += values[name]
        label = f"{first.year}年{first.month}月"
        rows.append(Row(label, cells(values), "item", 0, key))
    totals["cumulative"] = cumulative
    totals["net_assets"] = net_assets(idx, p.end)
    rows.append(Row("合計", cells(totals), "total", 0))
    remarks = [
        "活動計算書と同じ数字です (減価償却費を含み、固定資産の取得・積立金への繰入は"
        "含みません)。収支計算書の収入・支出とは違います。",
        "事業費は事業内容 1〜5 ごと。費用計には予備費・経常外費用を含みます。",
    ]
    out = Table(TITLE, COLUMNS, tuple(rows))
    return Report(NAME, TITLE, p.year, p.start, p.end, (out,), tuple(remarks), p.as_of)
