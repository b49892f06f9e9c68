"""活動計算書 (NPO法人会計基準) with its notes.

Ⅰ経常収益, Ⅱ経常費用 (事業費 and 管理費, each split into 人件費 and その他経費 with the
nature lines), 当期経常増減額, Ⅲ経常外収益, Ⅳ経常外費用, 当期正味財産増減額,
前期繰越正味財産額 and 次期繰越正味財産額. Lines come from each account's ``line``
metadata, groups from ``section`` and ``kind``. Notes: 事業別損益の状況 (by activity 1〜5,
管理部門) and 使途等が制約された寄付等の内訳 (per fund).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from connect_books.accounts import FLOW_KINDS, Kind, Roots
from connect_books.chart import AccountInfo
from connect_books.fiscal import Period
from connect_books.money import yen_text
from connect_books.reports.figures import Figures, figures_of, fund_figures
from connect_books.reports.index import Index
from connect_books.reports.labels import ACTIVITIES
from connect_books.reports.table import Cell, Column, Report, Row, Style, Table, cells

NAME = "activity"
TITLE = "活動計算書"
REVENUE_LINES = ("受取会費", "受取寄附金", "受取助成金等", "事業収益", "その他収益")
KINDS = ("人件費", "その他経費")
PROGRAM, ADMIN, ORDINARY_INCOME, EXTRA_INCOME, EXTRA_EXPENSE = (
    "事業費",
    "管理費",
    "経常収益",
    "経常外収益",
    "経常外費用",
)


def placement(info: AccountInfo, roots: Roots) -> tuple[str, str, str]:
    """Where an income or expense account goes: (group, kind, line)."""
    if roots.is_(info.name, Kind.INCOME):
        group = EXTRA_INCOME if info.section == EXTRA_INCOME else ORDINARY_INCOME
        return (
            group,
            "",
            info.line or ("その他収益" if group == ORDINARY_INCOME else info.label),
        )
    if info.section == PROGRAM:
        group = PROGRAM
    elif info.section == EXTRA_EXPENSE:
        group = EXTRA_EXPENSE
    else:  # 管理費, 予備費 (should stay unspent) and anything unplaced
        group = ADMIN
    kind = "人件費" if info.kind == "人件費" else "その他経費"
    return group, kind, info.line or info.label


def report(idx: Index, p: Period) -> Report:
    """The 活動計算書 for the period ``p`` (to its as-of day when inside the year)."""
    fig = figures_of(idx, p.start, p.end)
    accounts = _accounts(idx, fig, p.start, p.end)

    # group -> kind -> line -> amount (positive: revenue or cost)
    lines: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    unplaced: list[str] = []
    for info in accounts:
        group, kind, line = placement(info, idx.roots)
        sign = -1 if idx.roots.is_(info.name, Kind.INCOME) else 1
        bucket = lines[group][kind]
        bucket[line] = bucket.get(line, 0) + sign * fig.moved(info.name)
        if (
            idx.roots.is_(info.name, Kind.EXPENSES)
            and info.section
            not in (
                PROGRAM,
                ADMIN,
                EXTRA_EXPENSE,
            )
            and fig.moved(info.name)
        ):
            unplaced.append(info.label)

    rows: list[Row] = []

    def amount(
        label: str, value: int, style: Style = "item", level: int = 0, key: str = ""
    ) -> None:
        rows.append(Row(label, {"amount": value}, style, level, key))

    def heading(label: str, level: int = 0, key: str = "") -> None:
        rows.append(Row(label, {}, "heading", level, key))

    heading("Ⅰ経常収益")
    revenue = lines[ORDINARY_INCOME][""]
    for line in [*REVENUE_LINES, *[x for x in revenue if x not in REVENUE_LINES]]:
        amount(line, revenue.get(line, 0), level=1, key=f"経常収益:{line}")
    ordinary_revenue = sum(revenue.values())
    amount("経常収益計", ordinary_revenue, "subtotal")

    heading("Ⅱ経常費用")
    costs = 0
    for group in (PROGRAM, ADMIN):
        heading(group, 1)
        group_total = 0
        for kind in KINDS:
            heading(kind, 2, f"{group}:{kind}")
            bucket = lines[group][kind]
            for line, value in bucket.items():
                amount(line, value, level=3, key=f"{group}:{kind}:{line}")
            amount(
                f"{kind}計", sum(bucket.values()), "subtotal", 2, f"{group}:{kind}計"
            )
            group_total += sum(bucket.values())
        amount(f"{group}計", group_total, "subtotal", 1)
        costs += group_total
    amount("経常費用計", costs, "subtotal")
    ordinary = ordinary_revenue - costs
    amount("当期経常増減額", ordinary, "total")

    heading("Ⅲ経常外収益")
    extra_revenue = 0
    for kind_lines in lines[EXTRA_INCOME].values():
        for line, value in kind_lines.items():
            amount(line, value, level=1, key=f"経常外収益:{line}")
            extra_revenue += value
    amount("経常外収益計", extra_revenue, "subtotal")
    heading("Ⅳ経常外費用")
    extra_costs = 0
    for kind_lines in lines[EXTRA_EXPENSE].values():
        for line, value in kind_lines.items():
            amount(line, value, level=1, key=f"経常外費用:{line}")
            extra_costs += value
    amount("経常外費用計", extra_costs, "subtotal")

    change = ordinary + extra_revenue - extra_costs
    amount("当期正味財産増減額", change, "total")
    amount("前期繰越正味財産額", fig.net_assets_opening)
    amount("次期繰越正味財産額", fig.net_assets_closing, "total")

    title = TITLE
    statement = Table(title, (Column("amount", "金額"),), tuple(rows))
    notes = (_by_activity(idx, fig, accounts), _restricted(idx, p.start, p.end))
    remarks = []
    if fig.brought_in:
        remarks.append(
            f"前期繰越正味財産額には前身団体からの引継 {yen_text(fig.brought_in)} を含みます。"
        )
    if fig.equity_moves:
        remarks.append(
            f"正味財産の科目への直接の記帳 {yen_text(fig.equity_moves)} があります (定款第29条: 決定を確認してください)。"
        )
    if unplaced:
        remarks.append(
            f"計算書上の区分 (section) のない費用科目を管理費に含めました: {'、'.join(unplaced)}"
        )
    remarks.append(
        "事業別損益の状況: 事業に直接対応しない収益は管理部門の欄に記載しています。"
    )
    return Report(
        NAME,
        title,
        p.year,
        p.start,
        p.end,
        (statement, *notes),
        tuple(remarks),
        p.as_of,
    )


def _accounts(
    idx: Index, fig: Figures, start: datetime.date, end: datetime.date
) -> list[AccountInfo]:
    names = {
        name
        for name, info in idx.chart.accounts.items()
        if info.opened <= end and (info.closed is None or info.closed >= start)
    }
    names.update(a for a, v in fig.movement.items() if v)
    return [
        idx.info(n)
        for n in sorted(names)
        if idx.roots.is_(n, *FLOW_KINDS)
        and (
            idx.info(n).section != "予備費" or fig.moved(n)
        )  # 予備費 is a budget line only
    ]


def _by_activity(idx: Index, fig: Figures, accounts: list[AccountInfo]) -> Table:
    """事業別損益の状況: ordinary revenue and costs by activity, with 管理部門."""
    keys = [f"a{n}" for n in ACTIVITIES]
    columns = (
        *(Column(f"a{n}", label) for n, label in ACTIVITIES.items()),
        Column("program", "事業部門計"),
        Column("admin", "管理部門"),
        Column("total", "合計"),
    )
    # (section, kind, line) -> column -> amount
    revenue: dict[str, dict[str, int]] = {}
    costs: dict[str, dict[str, dict[str, int]]] = {kind: {} for kind in KINDS}
    for info in accounts:
        group, kind, line = placement(info, idx.roots)
        if group in (EXTRA_INCOME, EXTRA_EXPENSE):
            continue
        if group == ORDINARY_INCOME:
            value = -fig.moved(info.name)
            target = revenue.setdefault(line, {})
        else:
            value = fig.moved(info.name)
            target = costs[kind].setdefault(line, {})
        if group == ADMIN or (
            group == ORDINARY_INCOME and info.activity not in ACTIVITIES
        ):
            column = "admin"
        elif info.activity in ACTIVITIES:
            column = f"a{info.activity}"
        else:
            column = "program"
        target[column] = target.get(column, 0) + value

    def values(by_column: dict[str, int]) -> dict[str, Cell]:
        program = sum(by_column.get(k, 0) for k in (*keys, "program"))
        admin = by_column.get("admin", 0)
        out: dict[str, Cell] = {k: by_column.get(k, 0) for k in keys}
        out.update(program=program, admin=admin, total=program + admin)
        return out

    def add(total: dict[str, int], part: dict[str, int]) -> None:
        for k, v in part.items():
            total[k] = total.get(k, 0) + v

    rows: list[Row] = [Row("経常収益", {}, "heading", 0)]
    revenue_total: dict[str, int] = {}
    ordered = [
        *[x for x in REVENUE_LINES if x in revenue],
        *[x for x in revenue if x not in REVENUE_LINES],
    ]
    for line in ordered:
        rows.append(Row(line, values(revenue[line]), "item", 1, f"経常収益:{line}"))
        add(revenue_total, revenue[line])
    rows.append(Row("経常収益計", values(revenue_total), "subtotal", 0))
    rows.append(Row("経常費用", {}, "heading", 0))
    cost_total: dict[str, int] = {}
    for kind in KINDS:
        rows.append(Row(kind, {}, "heading", 1, f"経常費用:{kind}"))
        kind_total: dict[str, int] = {}
        for line, by_column in costs[kind].items():
            rows.append(Row(line, values(by_column), "item", 2, f"{kind}:{line}"))
            add(kind_total, by_column)
        rows.append(
            Row(f"{kind}計", values(kind_total), "subtotal", 1, f"経常費用:{kind}計")
        )
        add(cost_total, kind_total)
    rows.append(Row("経常費用計", values(cost_total), "subtotal", 0))
    net = {
        k: revenue_total.get(k, 0) - cost_total.get(k, 0)
        for k in {*revenue_total, *cost_total}
    }
    rows.append(Row("当期経常増減額", values(net), "total", 0))
    return Table("事業別損益の状況", columns, tuple(rows))


def _restricted(idx: Index, start: datetime.date, end: datetime.date) -> Table:
    """使途等が制約された寄付等の内訳: each fund's opening, increase, decrease and closing."""
    columns = (
        Column("opening", "期首残高"),
        Column("increase", "当期増加額"),
        Column("decrease", "当期減少額"),
        Column("closing", "期末残高"),
        Column("note", "備考", "text"),
    )
    rows = []
    totals = dict.fromkeys(("opening", "increase", "decrease", "closing"), 0)
    for f in fund_figures(idx, start, end):
        parts = []
        if f.receipts:
            parts.append(f"寄付等の受入 {yen_text(f.receipts)}")
        if f.grants:
            parts.append(f"助成金の支払 {yen_text(-f.grants)}")
        if f.transfers:
            parts.append(f"振替 {yen_text(f.transfers)}")
        parts.append(
            "使途指定"
            if f.fund.restricted
            else f"{f.fund.body or '機構'}の決定による積立"
        )
        amounts = {
            "opening": f.opening,
            "increase": f.increase,
            "decrease": f.decrease,
            "closing": f.closing,
        }
        for k in totals:
            totals[k] += amounts[k]
        values = cells({**amounts, "note": "、".join(parts)})
        rows.append(Row(f.fund.name, values, "item", 0, f"基金:{f.fund.id}"))
    rows.append(Row("合計", cells(totals), "total", 0))
    return Table("使途等が制約された寄付等の内訳", columns, tuple(rows))
