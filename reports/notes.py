"""Notes to the 活動計算書 built from its figures: 事業別損益の状況 and 使途等が制約された寄付等の内訳.

Both are on the statement's own figures (a :class:`~connect_books.reports.figures.Split`
and the general lines of Ⅰ), so their totals are the statement's: the 合計 column of
事業別損益 is Ⅰ's 経常収益計, 経常費用計 and 当期経常増減額; the 合計 row of the
restricted note is Ⅱ's 指定正味財産期末残高.
"""

from __future__ import annotations

from collections import defaultdict

from connect_books.accounts import Kind
from connect_books.activities import ADMIN
from connect_books.chart import AccountInfo
from connect_books.fiscal import Period
from connect_books.money import yen_text
from connect_books.reports.figures import RestrictedFigures, Split
from connect_books.reports.index import Index
from connect_books.reports.labels import (
    ACTIVITIES,
    KINDS,
    ORDINARY_INCOME,
    PROGRAM,
    REVENUE_LINES,
    TRANSFER_IN,
    placement,
)
from connect_books.reports.labels import ADMIN as ADMIN_GROUP
from connect_books.reports.table import Cell, Column, Row, Table, cells
from connect_books.restriction import MoveKind

BY_ACTIVITY = "事業別損益の状況"
RESTRICTED = "使途等が制約された寄付等の内訳"
#: Column of 事業費 accounts that name no activity.
UNASSIGNED = "program"


def column_of(activity: int | None) -> str:
    """The 事業別損益 column of an activity (``a1``〜``a5``, ``admin``)."""
    if activity in ACTIVITIES:
        return f"a{activity}"
    return "admin" if activity in (None, ADMIN) else UNASSIGNED


def by_activity(
    idx: Index,
    split: Split,
    accounts: list[AccountInfo],
    lines: dict[str, dict[str, dict[str, int]]],
) -> Table:
    """事業別損益の状況: Ⅰ's ordinary revenue and costs by activity 1〜5 and 管理部門.

    Revenue goes to its posting's activity (``activity:`` on the posting or transaction,
    else its account's), 管理部門 when it has none; 指定正味財産からの振替額 to the activity
    of the cost that spent it; 事業費 to its account's activity (or its tag), 管理費 to
    管理部門. Restricted receipts (Ⅱ) follow as 「(参考)」 rows by activity, outside the
    totals: they become the activity's revenue when spent (振替).
    """
    fig = split.figures
    start, end = fig.start, fig.end
    moved: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for info in accounts:
        group, _, _ = placement(info, idx.roots)
        if group == ORDINARY_INCOME:
            moved[info.name][column_of(info.activity)] -= fig.moved(info.name)
        elif group == PROGRAM:
            moved[info.name][column_of(info.activity)] += fig.moved(info.name)
        elif group == ADMIN_GROUP:
            moved[info.name]["admin"] += fig.moved(info.name)
    for move in idx.activity_moves:
        if start <= move.date <= end and info_group(idx, move.account) is not None:
            sign = -1 if idx.roots.is_(move.account, Kind.INCOME) else 1
            value = int(sign * move.amount)
            moved[move.account][column_of(idx.info(move.account).activity)] -= value
            moved[move.account][column_of(move.activity)] += value
    for receipt in split.receipts():
        moved[receipt.account][column_of(receipt.activity)] -= receipt.amount
    released: dict[str, int] = defaultdict(int)
    for release in split.receipts(MoveKind.RELEASE):
        released[column_of(release.activity)] -= release.amount

    revenue: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    costs: dict[str, dict[str, dict[str, int]]] = {kind: {} for kind in KINDS}
    for info in accounts:
        group, kind, line = placement(info, idx.roots)
        if group == ORDINARY_INCOME:
            target = revenue[line]
        elif group in (PROGRAM, ADMIN_GROUP):
            target = costs[kind].setdefault(line, defaultdict(int))
        else:
            continue
        for column, value in moved[info.name].items():
            target[column] += value

    rows: list[Row] = [Row("経常収益", {}, "heading", 0, "事業別:経常収益")]
    revenue_total: dict[str, int] = defaultdict(int)
    order = [*REVENUE_LINES, *[x for x in revenue if x not in REVENUE_LINES]]
    for line in [x for x in order if x in revenue or x in lines[ORDINARY_INCOME][""]]:
        rows.append(Row(line, _values(revenue[line]), "item", 1, f"事業別:収益:{line}"))
        _add(revenue_total, revenue[line])
    rows.append(Row(TRANSFER_IN, _values(released), "item", 1, "事業別:振替"))
    _add(revenue_total, released)
    rows.append(
        Row("経常収益計", _values(revenue_total), "subtotal", 0, "事業別:経常収益計")
    )
    rows.append(Row("経常費用", {}, "heading", 0, "事業別:経常費用"))
    cost_total: dict[str, int] = defaultdict(int)
    for kind in KINDS:
        rows.append(Row(kind, {}, "heading", 1, f"事業別:{kind}"))
        kind_total: dict[str, int] = defaultdict(int)
        for line, by_column in costs[kind].items():
            rows.append(
                Row(line, _values(by_column), "item", 2, f"事業別:{kind}:{line}")
            )
            _add(kind_total, by_column)
        rows.append(
            Row(f"{kind}計", _values(kind_total), "subtotal", 1, f"事業別:{kind}計")
        )
        _add(cost_total, kind_total)
    rows.append(
        Row("経常費用計", _values(cost_total), "subtotal", 0, "事業別:経常費用計")
    )
    net = {
        k: revenue_total.get(k, 0) - cost_total.get(k, 0)
        for k in {*revenue_total, *cost_total}
    }
    rows.append(Row("当期経常増減額", _values(net), "total", 0, "事業別:経常増減額"))
    restricted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for receipt in split.receipts():
        line = placement(idx.info(receipt.account), idx.roots)[2]
        restricted[line][column_of(receipt.activity)] += receipt.amount
    if (
        restricted
    ):  # what the activities received for later (Ⅱ), outside the totals above
        rows.append(Row("(参考) 指定正味財産の受入", {}, "heading", 0, "事業別:指定"))
        for line, by_column in restricted.items():
            rows.append(Row(line, _values(by_column), "item", 1, f"事業別:指定:{line}"))
    columns = (
        *(Column(f"a{n}", f"{n} {label}") for n, label in ACTIVITIES.items()),
        Column("program", "事業部門計"),
        Column("admin", "管理部門"),
        Column("total", "合計"),
    )
    return Table(BY_ACTIVITY, columns, tuple(rows))


def info_group(idx: Index, account: str) -> str | None:
    """The group of an account whose tag can move it (None for any other)."""
    info = idx.info(account)
    if idx.roots.is_(account, Kind.INCOME):
        return "収益"
    return "事業費" if info.section == "事業費" else None


def _values(by_column: dict[str, int]) -> dict[str, Cell]:
    keys = [f"a{n}" for n in ACTIVITIES]
    program = sum(by_column.get(k, 0) for k in (*keys, UNASSIGNED))
    admin = by_column.get("admin", 0)
    out: dict[str, Cell] = {k: by_column.get(k, 0) for k in keys}
    out.update(program=program, admin=admin, total=program + admin)
    return out


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for key, value in part.items():
        total[key] += value


def restricted(idx: Index, split: Split, p: Period) -> Table:
    """使途等が制約された寄付等の内訳: each restriction's 期首・増加・減少・期末 and why."""
    columns = (
        Column("opening", "期首残高"),
        Column("increase", "当期増加額"),
        Column("decrease", "当期減少額"),
        Column("closing", "期末残高" if not p.interim else "現在残高"),
        Column("note", "備考", "text"),
    )
    rows = []
    totals = dict.fromkeys(("opening", "increase", "decrease", "closing"), 0)
    for figures in split.restricted:
        amounts = {
            "opening": figures.opening,
            "increase": figures.increase,
            "decrease": figures.decrease,
            "closing": figures.closing,
        }
        if not any(amounts.values()):
            continue
        for key in totals:
            totals[key] += amounts[key]
        values = cells({**amounts, "note": reason(idx, figures)})
        rows.append(
            Row(
                figures.restriction.name,
                values,
                "item",
                0,
                f"指定:{figures.restriction.key}",
            )
        )
    if not rows:
        rows.append(Row("該当なし", {}, "item", 0, "指定:なし"))
    rows.append(Row("合計", cells(totals), "total", 0, "指定:合計"))
    return Table(RESTRICTED, columns, tuple(rows))


def reason(idx: Index, figures: RestrictedFigures) -> str:
    """備考: the restriction's purpose, then what came in and what went out, by kind."""
    parts: list[str] = []
    fund = figures.restriction.fund
    if fund is not None:
        parts.append(f"使途指定 ({fund.body or '基金'}が助成を決定)")
    if figures.restriction.purpose:
        parts.append(f"使途: {figures.restriction.purpose}")
    sums: dict[str, int] = defaultdict(int)
    for move in figures.moves:
        if move.kind is MoveKind.RECEIPT:
            sums[f"{idx.info(move.account).label}の受入"] += move.amount
        elif move.account:
            sums[f"{idx.info(move.account).label}に充当"] -= move.amount
        else:
            what = "基金からの振替" if move.amount < 0 else "基金への振替"
            sums[what] += abs(move.amount)
    parts += [f"{what} {yen_text(value)}" for what, value in sums.items()]
    return "、".join(parts)
