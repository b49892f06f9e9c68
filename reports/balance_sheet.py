"""貸借対照表: assets, liabilities and net assets at the year end (or an as-of day).

Columns 当年度末 | 前年度末 | 増減. Lines come from each account's ``section`` and ``line``
metadata (流動資産 / 固定資産, 流動負債 / 固定負債). 正味財産の部 shows 前期繰越正味財産 and
当期正味財産増減額 (as on the 活動計算書), 正味財産合計 with the funds' balances as
「うち指定正味財産」, and 負債及び正味財産合計.
"""

from __future__ import annotations

import datetime

from connect_books.accounts import Kind
from connect_books.fiscal import Period, jdate
from connect_books.money import yen_text
from connect_books.reports.figures import Figures, figures_of, fund_figures
from connect_books.reports.index import Index
from connect_books.reports.table import Cell, Column, Report, Row, Style, Table

NAME = "balance-sheet"
TITLE = "貸借対照表"
ASSET_SECTIONS = ("流動資産", "固定資産")
LIABILITY_SECTIONS = ("流動負債", "固定負債")


def sections(
    idx: Index, kind: Kind, known: tuple[str, ...], day: datetime.date
) -> dict[str, dict[str, list[str]]]:
    """section -> line -> accounts, for the accounts of ``kind`` opened by ``day``."""
    layout: dict[str, dict[str, list[str]]] = {s: {} for s in known}
    names = {n for n, i in idx.chart.accounts.items() if i.opened <= day} | set(
        idx.series
    )
    for name in sorted(names):
        if not idx.roots.is_(name, kind):
            continue
        info = idx.info(name)
        section = info.section if info.section in known else known[0]
        layout[section].setdefault(info.line or info.label, []).append(name)
    return layout


def report(idx: Index, p: Period) -> Report:
    """The 貸借対照表 at the end of the period ``p`` (its year end or as-of day)."""
    year = p.year
    now = figures_of(idx, p.start, p.end)
    previous = year.previous()
    then = figures_of(idx, previous.start, previous.end) if previous else None

    rows: list[Row] = []

    def line(
        label: str,
        current: int,
        before: int | None,
        style: Style = "item",
        level: int = 0,
        key: str = "",
    ) -> None:
        values: dict[str, Cell] = {
            "current": current,
            "previous": before,
            "change": current - before if before is not None else None,
        }
        rows.append(Row(label, values, style, level, key))

    def total(fig: Figures | None, accounts: list[str], sign: int) -> int | None:
        if fig is None:
            return None
        return sign * sum(fig.closing(a) for a in accounts)

    def block(kind: Kind, known: tuple[str, ...], sign: int) -> tuple[int, int | None]:
        layout = sections(idx, kind, known, p.end)
        grand, grand_before = 0, (0 if then else None)
        for section in known:
            rows.append(Row(section, {}, "heading", 1))
            sub, sub_before = 0, (0 if then else None)
            for label, accounts in layout[section].items():
                current = total(now, accounts, sign) or 0
                before = total(then, accounts, sign)
                line(label, current, before, level=2, key=f"{section}:{label}")
                sub += current
                if sub_before is not None and before is not None:
                    sub_before += before
            line(f"{section}合計", sub, sub_before, "subtotal", 1)
            grand += sub
            if grand_before is not None and sub_before is not None:
                grand_before += sub_before
        return grand, grand_before

    rows.append(Row("Ⅰ資産の部", {}, "heading", 0))
    assets, assets_before = block(Kind.ASSETS, ASSET_SECTIONS, 1)
    line("資産合計", assets, assets_before, "total")
    rows.append(Row("Ⅱ負債の部", {}, "heading", 0))
    liabilities, liabilities_before = block(Kind.LIABILITIES, LIABILITY_SECTIONS, -1)
    line("負債合計", liabilities, liabilities_before, "total")

    rows.append(Row("Ⅲ正味財産の部", {}, "heading", 0))
    line(
        "前期繰越正味財産",
        now.net_assets_opening,
        then.net_assets_opening if then else None,
        level=1,
    )
    line(
        "当期正味財産増減額",
        now.net_assets_change,
        then.net_assets_change if then else None,
        level=1,
    )
    if now.equity_moves or (then and then.equity_moves):
        line(
            "正味財産の直接増減",
            now.equity_moves,
            then.equity_moves if then else None,
            level=1,
        )
    net = now.net_assets_closing
    net_before = then.net_assets_closing if then else None
    line("正味財産合計", net, net_before, "total")
    funds_now = fund_figures(idx, p.start, p.end)
    funds_then = fund_figures(idx, previous.start, previous.end) if previous else None
    line(
        "うち指定正味財産",
        sum(f.closing for f in funds_now),
        sum(f.closing for f in funds_then) if funds_then is not None else None,
        level=1,
        key="指定正味財産",
    )
    line(
        "負債及び正味財産合計",
        liabilities + net,
        liabilities_before + net_before
        if liabilities_before is not None and net_before is not None
        else None,
        "total",
    )

    current_label = "当年度末" if p.as_of is None else f"{jdate(p.end)}現在"
    columns = (
        Column("current", current_label),
        Column("previous", "前年度末"),
        Column("change", "増減"),
    )
    remarks = []
    if funds_now:
        parts = "、".join(f"{f.fund.name} {yen_text(f.closing)}" for f in funds_now)
        remarks.append(f"うち指定正味財産は基金の残高です ({parts})。")
    if now.brought_in:
        remarks.append(
            f"前期繰越正味財産には前身団体からの引継 {yen_text(now.brought_in)} を含みます。"
        )
    if previous is None:
        remarks.append(f"{year.label}は初年度のため、前年度末の欄は空です。")
    if assets - liabilities != net:
        remarks.append(
            f"資産合計 − 負債合計 ({yen_text(assets - liabilities)}) が正味財産合計 ({yen_text(net)}) と一致しません。"
        )
    table = Table(TITLE, columns, tuple(rows))
    return Report(NAME, TITLE, year, p.start, p.end, (table,), tuple(remarks), p.as_of)
