"""貸借対照表: assets, liabilities and net assets at the year end (or an as-of day).

Columns 当年度末 | 前年度末 | 増減. Lines come from each account's ``section`` and ``line``
metadata (流動資産 / 固定資産, 流動負債 / 固定負債). 正味財産の部 shows 指定正味財産 (each
restriction as 「うち…」) and 一般正味財産 (the board's reserves as 「うち特定資産 …」) from
the one split of :func:`~connect_books.reports.figures.split_of`, 正味財産合計 with
「うち前期繰越正味財産」 and 「うち当期正味財産増減額」, and 負債及び正味財産合計. Each fund's
deposit is shown under its asset line as 「うち…」. Every figure row has a stable ``key``.
"""

from __future__ import annotations

import datetime

from connect_books.accounts import Kind
from connect_books.fiscal import Period, jdate
from connect_books.funds import Fund
from connect_books.money import yen_text
from connect_books.reports.figures import Split, split_of
from connect_books.reports.index import Index
from connect_books.reports.labels import fund_short
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
    now = split_of(idx, p.start, p.end)
    previous = year.previous()
    then = split_of(idx, previous.start, previous.end) if previous else None

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
        rows.append(Row(label, values, style, level, key or label))

    def total(split: Split | None, accounts: list[str], sign: int) -> int | None:
        if split is None:
            return None
        return sign * sum(split.figures.closing(a) for a in accounts)

    def block(kind: Kind, known: tuple[str, ...], sign: int) -> tuple[int, int | None]:
        layout = sections(idx, kind, known, p.end)
        grand, grand_before = 0, (0 if then else None)
        for section in known:
            rows.append(Row(section, {}, "heading", 1, section))
            sub, sub_before = 0, (0 if then else None)
            for label, accounts in layout[section].items():
                current = total(now, accounts, sign) or 0
                before = total(then, accounts, sign)
                line(label, current, before, level=2, key=f"{section}:{label}")
                for fund in idx.funds.funds.values():
                    if fund.asset in accounts:
                        line(
                            fund_line(fund),
                            total(now, [fund.asset], sign) or 0,
                            total(then, [fund.asset], sign),
                            level=3,
                            key=f"基金:{fund.id}",
                        )
                sub += current
                if sub_before is not None and before is not None:
                    sub_before += before
            line(f"{section}合計", sub, sub_before, "subtotal", 1)
            grand += sub
            if grand_before is not None and sub_before is not None:
                grand_before += sub_before
        return grand, grand_before

    rows.append(Row("Ⅰ資産の部", {}, "heading", 0, "資産の部"))
    assets, assets_before = block(Kind.ASSETS, ASSET_SECTIONS, 1)
    line("資産合計", assets, assets_before, "total")
    rows.append(Row("Ⅱ負債の部", {}, "heading", 0, "負債の部"))
    liabilities, liabilities_before = block(Kind.LIABILITIES, LIABILITY_SECTIONS, -1)
    line("負債合計", liabilities, liabilities_before, "total")

    rows.append(Row("Ⅲ正味財産の部", {}, "heading", 0, "正味財産の部"))
    line(
        "指定正味財産",
        now.restricted_closing,
        then.restricted_closing if then else None,
        level=1,
    )
    before_by_key = (
        {r.restriction.key: r.closing for r in then.restricted} if then else {}
    )
    for restricted in now.restricted:
        key = restricted.restriction.key
        if restricted.closing or before_by_key.get(key):
            line(
                f"うち{restricted.restriction.name}",
                restricted.closing,
                before_by_key.get(key, 0) if then else None,
                level=2,
                key=f"指定:{key}",
            )
    line(
        "一般正味財産",
        now.general_closing,
        then.general_closing if then else None,
        level=1,
    )
    for fund in idx.funds.funds.values():
        if not fund.restricted:
            line(
                f"うち特定資産 {fund_short(fund)}",
                total(now, [fund.asset], 1) or 0,
                total(then, [fund.asset], 1),
                level=2,
                key=f"特定資産:{fund.id}",
            )
    net = now.figures.net_assets_closing
    net_before = then.figures.net_assets_closing if then else None
    line("正味財産合計", net, net_before, "total")
    line(
        "うち前期繰越正味財産",
        now.figures.net_assets_opening,
        then.figures.net_assets_opening if then else None,
        level=1,
        key="前期繰越正味財産",
    )
    line(
        "うち当期正味財産増減額",
        now.figures.net_assets_change + now.figures.equity_moves,
        then.figures.net_assets_change + then.figures.equity_moves if then else None,
        level=1,
        key="当期正味財産増減額",
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
    table = Table(TITLE, columns, tuple(rows))
    remarks = _remarks(idx, p, now, assets - liabilities, net)
    return Report(NAME, TITLE, year, p.start, p.end, (table,), tuple(remarks), p.as_of)


def fund_line(fund: Fund) -> str:
    """The 「うち…」 line of a fund's deposit: 指定 or 特定資産."""
    if fund.restricted:
        return f"うち{fund_short(fund)} (指定正味財産)"
    return f"うち特定資産 {fund_short(fund)}"


def _remarks(idx: Index, p: Period, now: Split, difference: int, net: int) -> list[str]:
    remarks = []
    if now.restricted:
        parts = "、".join(
            f"{r.restriction.name} {yen_text(r.closing)}"
            for r in now.restricted
            if r.closing
        )
        remarks.append(
            f"指定正味財産は寄付者・助成者が使途を制約した財産です ({parts or 'なし'})。"
        )
    reserves = [f for f in idx.funds.funds.values() if not f.restricted]
    if reserves:
        names = "、".join(
            f"{f.name} ({f.body or '運営委員会'}の決定)" for f in reserves
        )
        remarks.append(f"特定資産 ({names}) は一般正味財産に含みます。")
    if now.figures.brought_in:
        remarks.append(
            f"前期繰越正味財産には前身団体からの引継 {yen_text(now.figures.brought_in)} を含みます。"
        )
    if p.year.previous() is None:
        remarks.append(f"{p.year.label}は初年度のため、前年度末の欄は空です。")
    if difference != net:
        remarks.append(
            f"資産合計 − 負債合計 ({yen_text(difference)}) が正味財産合計 ({yen_text(net)}) と一致しません。"
        )
    return remarks
