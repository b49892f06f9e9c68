"""活動計算書 (NPO法人会計基準, 指定正味財産を区分する様式) with its notes.

Ⅰ 一般正味財産増減の部: 経常収益 (受取会費 … その他収益, 指定正味財産からの振替額),
経常費用 (事業費 and 管理費, each 人件費 / その他経費 with the nature lines), 当期経常増減額,
経常外収益・経常外費用, 当期一般正味財産増減額, 一般正味財産期首残高・期末残高.
Ⅱ 指定正味財産増減の部: the restricted receipts by line (受取寄附金, 受取助成金等 …),
一般正味財産への振替額 (▲), 当期指定正味財産増減額, 指定正味財産期首残高・期末残高.
Ⅲ 正味財産期末残高.

What is restricted comes from :mod:`connect_books.restriction` (through the figures'
:func:`~connect_books.reports.figures.split_of`): restricted money spent is an ordinary
cost of 一般正味財産, with the same amount shown as 指定正味財産からの振替額 in Ⅰ and as
一般正味財産への振替額 in Ⅱ. During the year the closing rows say 「…残高 (日付現在)」, never
期末. Lines come from each account's ``line`` metadata, groups from ``section`` and
``kind``; every figure row has a stable ``key`` (``一般:期末``, ``指定:期末`` …).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from connect_books.accounts import FLOW_KINDS, Kind
from connect_books.chart import AccountInfo
from connect_books.fiscal import Period, jdate
from connect_books.money import yen_text
from connect_books.reports import notes, notes_more
from connect_books.reports.figures import Figures, Split, split_of
from connect_books.reports.index import Index
from connect_books.reports.labels import (
    ADMIN,
    EXTRA_EXPENSE,
    EXTRA_INCOME,
    KINDS,
    ORDINARY_INCOME,
    PROGRAM,
    REVENUE_LINES,
    TRANSFER_IN,
    placement,
)
from connect_books.reports.table import Column, Report, Row, Style, Table

NAME = "activity"
TITLE = "活動計算書"
#: Lines of Ⅱ shown even when nothing was received.
RESTRICTED_LINES = ("受取寄附金", "受取助成金等")
TRANSFER_OUT = "一般正味財産への振替額"


def closing_label(what: str, p: Period) -> str:
    """``一般正味財産期末残高``, or ``一般正味財産残高 (2026年11月30日現在)`` mid-year."""
    if p.interim:
        return f"{what}残高 ({jdate(p.end)}現在)"
    return f"{what}期末残高"


def general_lines(
    idx: Index, split: Split, accounts: list[AccountInfo]
) -> dict[str, dict[str, dict[str, int]]]:
    """group → kind → line → amount of 一般正味財産 (revenue and costs positive).

    Revenue is the accounts' movement less what was restricted (it is in Ⅱ).
    """
    fig = split.figures
    lines: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    restricted: dict[str, int] = defaultdict(int)
    for move in split.receipts():
        restricted[move.account] += move.amount
    for info in accounts:
        group, kind, line = placement(info, idx.roots)
        if idx.roots.is_(info.name, Kind.INCOME):
            value = -fig.moved(info.name) - restricted.get(info.name, 0)
        else:
            value = fig.moved(info.name)
        bucket = lines[group][kind]
        bucket[line] = bucket.get(line, 0) + value
    return lines


def report(idx: Index, p: Period) -> Report:
    """The 活動計算書 for the period ``p`` (to its as-of day when inside the year)."""
    split = split_of(idx, p.start, p.end)
    fig = split.figures
    accounts = flow_accounts(idx, fig, p.start, p.end)
    lines = general_lines(idx, split, accounts)
    rows: list[Row] = []

    def amount(
        label: str, value: int, style: Style = "item", level: int = 0, key: str = ""
    ) -> int:
        rows.append(Row(label, {"amount": value}, style, level, key or label))
        return value

    def heading(label: str, level: int = 0, key: str = "") -> None:
        rows.append(Row(label, {}, "heading", level, key))

    heading("Ⅰ 一般正味財産増減の部", 0, "一般")
    heading("1 経常増減の部", 1)
    heading("(1) 経常収益", 1, "一般:経常収益")
    revenue = lines[ORDINARY_INCOME][""]
    for line in [*REVENUE_LINES, *[x for x in revenue if x not in REVENUE_LINES]]:
        amount(line, revenue.get(line, 0), level=2, key=f"経常収益:{line}")
    amount(TRANSFER_IN, split.released, level=2, key="一般:振替")
    ordinary_revenue = amount(
        "経常収益計",
        sum(revenue.values()) + split.released,
        "subtotal",
        1,
        "経常収益計",
    )
    heading("(2) 経常費用", 1, "一般:経常費用")
    costs = 0
    for group in (PROGRAM, ADMIN):
        heading(group, 2, group)
        group_total = 0
        for kind in KINDS:
            heading(kind, 3, f"{group}:{kind}")
            bucket = lines[group][kind]
            for line, value in bucket.items():
                amount(line, value, level=4, key=f"{group}:{kind}:{line}")
            kind_total = sum(bucket.values())
            amount(f"{kind}計", kind_total, "subtotal", 3, f"{group}:{kind}計")
            group_total += kind_total
        costs += amount(f"{group}計", group_total, "subtotal", 2, f"{group}計")
    amount("経常費用計", costs, "subtotal", 1, "経常費用計")
    ordinary = amount("当期経常増減額", ordinary_revenue - costs, "total", 1)

    heading("2 経常外増減の部", 1)
    extra: dict[str, int] = {}
    for group, label in (
        (EXTRA_INCOME, "(1) 経常外収益"),
        (EXTRA_EXPENSE, "(2) 経常外費用"),
    ):
        heading(label, 1, f"一般:{group}")
        total = 0
        for kind_lines in lines[group].values():
            for line, value in kind_lines.items():
                total += amount(line, value, level=2, key=f"{group}:{line}")
        extra[group] = amount(f"{group}計", total, "subtotal", 1)
    amount(
        "当期経常外増減額", extra[EXTRA_INCOME] - extra[EXTRA_EXPENSE], "subtotal", 1
    )
    general_change = ordinary + extra[EXTRA_INCOME] - extra[EXTRA_EXPENSE]
    if fig.equity_moves:
        general_change += amount(
            "正味財産の直接増減", fig.equity_moves, level=1, key="一般:直接増減"
        )
    amount("当期一般正味財産増減額", general_change, "total", 0, "一般:増減額")
    amount("一般正味財産期首残高", split.general_opening, key="一般:期首")
    amount(
        closing_label("一般正味財産", p),
        split.general_closing,
        "total",
        key="一般:期末",
    )

    heading("Ⅱ 指定正味財産増減の部", 0, "指定")
    by_line: dict[str, int] = defaultdict(int)
    for move in split.receipts():
        by_line[placement(idx.info(move.account), idx.roots)[2]] += move.amount
    for line in [*RESTRICTED_LINES, *[x for x in by_line if x not in RESTRICTED_LINES]]:
        amount(line, by_line.get(line, 0), level=1, key=f"指定:{line}")
    amount(TRANSFER_OUT, -split.released, level=1, key="指定:振替")
    restricted_change = split.restricted_closing - split.restricted_opening
    amount("当期指定正味財産増減額", restricted_change, "total", 0, "指定:増減額")
    amount("指定正味財産期首残高", split.restricted_opening, key="指定:期首")
    amount(
        closing_label("指定正味財産", p),
        split.restricted_closing,
        "total",
        key="指定:期末",
    )
    amount(
        "Ⅲ " + closing_label("正味財産", p),
        fig.net_assets_closing,
        "total",
        key="正味財産:期末",
    )

    statement = Table(TITLE, (Column("amount", "金額"),), tuple(rows))
    tables = (
        statement,
        notes_more.policies(idx, p),
        notes.by_activity(idx, split, accounts, lines),
        notes.restricted(idx, split, p),
        *notes_more.inherited(idx, p),
        notes_more.related_parties(idx, p),
        notes_more.grants_unpaid(idx, p),
    )
    return Report(
        NAME,
        TITLE,
        p.year,
        p.start,
        p.end,
        tables,
        remarks(idx, p, fig, accounts),
        p.as_of,
    )


def remarks(
    idx: Index, p: Period, fig: Figures, accounts: list[AccountInfo]
) -> tuple[str, ...]:
    """What the reader of the statement should know (brought-in balances, problems)."""
    found = []
    if fig.brought_in:
        found.append(
            f"一般・指定正味財産期首残高には前身団体からの引継 {yen_text(fig.brought_in)} を含みます (注記 引継財産の内訳)。"
        )
    if fig.equity_moves:
        found.append(
            f"正味財産の科目への直接の記帳 {yen_text(fig.equity_moves)} があります (定款第29条: 決定を確認してください)。"
        )
    unplaced = [
        info.label
        for info in accounts
        if idx.roots.is_(info.name, Kind.EXPENSES)
        and info.section not in (PROGRAM, ADMIN, EXTRA_EXPENSE)
        and fig.moved(info.name)
    ]
    if unplaced:
        found.append(
            f"計算書上の区分 (section) のない費用科目を管理費に含めました: {'、'.join(unplaced)}"
        )
    for problem in idx.problems:
        if p.start <= problem.date <= p.end:
            found.append(f"{jdate(problem.date)}の記録: {problem.message}")
    return tuple(found)


def flow_accounts(
    idx: Index, fig: Figures, start: datetime.date, end: datetime.date
) -> list[AccountInfo]:
    """Income and expense accounts open in the period or moved in it (予備費 if used)."""
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
        and (idx.info(n).section != "予備費" or fig.moved(n))
    ]
