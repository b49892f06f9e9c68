"""資金の流れ: where a 年度's money came from and where it went, as a list of flows.

Read from the statements themselves, so that the diagram adds up to them:

* the sources are the income lines of the 活動計算書, 一般 and 指定 together (受取寄附金
  is what was given, whether its use is restricted or not); the transfers between 一般
  and 指定正味財産 (振替額) move no money and are left out;
* the money goes to the 一般会計 or to a fund: a receipt on a fund's bank account (基金の
  状況「受入」) is split over the income lines of the transactions that brought it (the
  only figure found here, by one pass over the period's transactions), the rest of each
  line goes to the 一般会計;
* transfers between the 一般会計 and a fund are the 基金の状況「振替」;
* grants go from their fund to each grantee (助成の決定と支払「うち当期」);
* the 一般会計 pays the 事業費 of activities 1–5 (less the grants, shown by grantee) and
  the 管理費 (the 活動計算書's 事業別損益の状況), and the 経常外費用;
* what a holder received but did not spend goes to 次期への繰越; what it spent beyond
  its receipts comes from 前期からの繰越.

The result is a :class:`~connect_books.reports.table.Report` (the flows, then the checks
against the 活動計算書), rendered as a Sankey diagram, JSON and Excel like the others.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from beancount.core import data

from connect_books.accounts import Kind
from connect_books.chart import Role
from connect_books.fiscal import Period
from connect_books.money import posting_yen, yen, yen_or_zero
from connect_books.reports.index import Index
from connect_books.reports.labels import ACTIVITIES, fund_short
from connect_books.reports.table import Column, Report, Row, Table

NAME = "fund-flow"
TITLE = "資金の流れ"
GENERAL = "一般会計"
CARRIED_IN = "前期からの繰越"
CARRIED_OUT = "次期への繰越"
OTHER_RECEIPTS = "その他の受入"
#: The row keys of the 活動計算書's income lines: ``経常収益:受取会費``, ``指定:受取寄附金``.
INCOME_SECTIONS = ("経常収益", "経常外収益", "指定")
#: Lines under those heads that are no money received (the 指定 part's own totals).
NOT_RECEIPTS = ("振替", "期首", "期末", "増減額")


@dataclass(frozen=True)
class Flow:
    """Money moving from one node of the diagram to another, in yen (positive)."""

    source: str
    target: str
    amount: int
    group: str  # "income", "transfer", "grant", "expense", "carry"


def _amount(report: Report, key: str, column: str = "amount") -> int:
    """The amount on the statement's row ``key`` (0 when the statement has no such row)."""
    try:
        return yen_or_zero(report.main.by_key(key).get(column))
    except KeyError:
        return 0


def income_lines(activity: Report) -> dict[str, tuple[str, int]]:
    """Income line (``受取寄附金``) → (its label, money received: 一般 and 指定 together)."""
    lines: dict[str, tuple[str, int]] = {}
    for row in activity.rows:
        head, _, line = row.key.partition(":")
        if row.style != "item" or head not in INCOME_SECTIONS or line in NOT_RECEIPTS:
            continue
        label, total = lines.get(line, (row.label, 0))
        lines[line] = (label, total + yen_or_zero(row.get("amount")))
    return lines


def _table_with(report: Report, column: str) -> Table:
    for table in report.tables:
        if any(c.key == column for c in table.columns):
            return table
    raise KeyError(column)


def _fund_income(
    entries: Sequence[data.Directive], idx: Index, period: Period
) -> dict[tuple[str, str], int]:
    """(income line, fund id) → the part of the fund's receipts from that line.

    A receipt is a transaction with an income posting and a fund's bank account, and no
    grant (the index's rule): the money on each fund account is split over the
    transaction's income lines in order.
    """
    fund_of = {f.asset: f.id for f in idx.funds.funds.values()}
    grant_accounts = idx.chart.roles(Role.GRANT_EXPENSE)
    income = {a for a in idx.series if idx.roots.is_(a, Kind.INCOME)}
    found: dict[tuple[str, str], int] = defaultdict(int)
    first = bisect.bisect_left(entries, period.start, key=lambda e: e.date)
    for position in range(first, len(entries)):
        entry = entries[position]
        if entry.date > period.end:
            break
        if (
            not isinstance(entry, data.Transaction)
            or entry.meta.get("opening") is True
            or not any(p.account in fund_of for p in entry.postings)
        ):
            continue
        into: dict[str, int] = defaultdict(int)
        keys: list[str] = []
        left: list[int] = []
        for posting in entry.postings:
            if posting.account in grant_accounts:
                break
            if posting.account in fund_of:
                into[fund_of[posting.account]] += yen(posting_yen(posting))
            elif posting.account in income:
                info = idx.info(posting.account)
                keys.append(info.line)
                left.append(-yen(posting_yen(posting)))
        else:
            for fund, amount in into.items():
                for number, key in enumerate(keys):
                    part = min(amount, left[number]) if amount > 0 else amount
                    found[(key, fund)] += part
                    left[number] -= part
                    amount -= part
                    if not amount:
                        break
    return found


def flows(
    entries: Sequence[data.Directive],
    idx: Index,
    period: Period,
    activity: Report,
    funds: Report,
) -> list[Flow]:
    """The flows of ``period`` (see the module docstring)."""
    out: list[Flow] = []
    names = {f.id: fund_short(f) for f in idx.funds.funds.values()}
    held: dict[str, int] = defaultdict(int)  # node → money in − money out

    def move(source: str, target: str, amount: int, group: str) -> None:
        if amount < 0:
            source, target, amount = target, source, -amount
        if amount:
            out.append(Flow(source, target, amount, group))
            held[source] -= amount
            held[target] += amount

    attributed = _fund_income(entries, idx, period)
    fund_rows = {
        r.key.partition(":")[2]: r for r in funds.rows if r.key.startswith("基金:")
    }
    for line, (label, total) in income_lines(activity).items():
        for fund in fund_rows:
            part = attributed.pop((line, fund), 0)
            move(label, names.get(fund, fund), part, "income")
            total -= part
        move(label, GENERAL, total, "income")
    for (_, fund), part in attributed.items():  # lines the statement does not show
        move(OTHER_RECEIPTS, names.get(fund, fund), part, "income")
    for fund, row in fund_rows.items():
        name = names.get(fund, fund)
        received = sum(
            f.amount for f in out if f.target == name and f.group == "income"
        )
        move(
            OTHER_RECEIPTS, name, yen_or_zero(row.get("receipts")) - received, "income"
        )
        move(GENERAL, name, yen_or_zero(row.get("transfers")), "transfer")

    grants_by_column: dict[str, int] = defaultdict(int)
    for payment in idx.grants:
        if period.start <= payment.date <= period.end:
            number = idx.info(payment.account).activity
            grants_by_column[f"a{number}" if number in ACTIVITIES else "admin"] += yen(
                payment.amount
            )
    decisions = _table_with(funds, "paid_now")
    for row in decisions.rows:
        grant = idx.funds.grants.get(row.key)
        paid = row.get("paid_now")
        if grant is not None and isinstance(paid, int):
            grantee = str(row.get("grantee") or grant.grantee)
            move(names.get(grant.fund, grant.fund), grantee, paid, "grant")

    by_activity = _table_with(activity, "admin").row("経常費用計")
    spent = 0
    for number, label in ACTIVITIES.items():
        amount = (
            yen_or_zero(by_activity.get(f"a{number}")) - grants_by_column[f"a{number}"]
        )
        move(GENERAL, f"事業{number} {label}", amount, "expense")
        spent += amount
    admin = yen_or_zero(by_activity.get("admin")) - grants_by_column["admin"]
    move(GENERAL, "管理費", admin, "expense")
    spent += admin + sum(grants_by_column.values())
    move(
        GENERAL, "その他の経常費用", _amount(activity, "経常費用計") - spent, "expense"
    )
    move(GENERAL, "経常外費用", _amount(activity, "経常外費用計"), "expense")

    for holder in [GENERAL, *(names.get(f, f) for f in fund_rows)]:
        left = held[holder]
        if left > 0:
            move(holder, CARRIED_OUT, left, "carry")
        elif left < 0:
            move(CARRIED_IN, holder, -left, "carry")
    return out


#: The kinds of flow, as the report names them.
GROUPS = {
    "income": "収益",
    "transfer": "振替",
    "grant": "助成",
    "expense": "費用",
    "carry": "繰越",
}


def from_report(report: Report) -> list[Flow]:
    """The flows listed in a 資金の流れ report (for the diagram)."""
    kinds = {label: group for group, label in GROUPS.items()}
    return [
        Flow(
            row.label,
            str(row.get("target")),
            yen_or_zero(row.get("amount")),
            kinds.get(str(row.get("group")), "expense"),
        )
        for row in report.main.rows
    ]


def report(
    entries: Sequence[data.Directive],
    idx: Index,
    period: Period,
    activity: Report,
    funds: Report,
) -> Report:
    """The flows as a report, with the checks against the 活動計算書."""
    found = flows(entries, idx, period, activity, funds)
    rows = tuple(
        Row(
            f.source, {"target": f.target, "group": GROUPS[f.group], "amount": f.amount}
        )
        for f in found
    )
    income = sum(
        f.amount for f in found if f.group == "income" and f.source != OTHER_RECEIPTS
    )
    spent = sum(f.amount for f in found if f.group in ("expense", "grant"))
    carried = sum(f.amount for f in found if f.target == CARRIED_OUT) - sum(
        f.amount for f in found if f.source == CARRIED_IN
    )
    received = (
        _amount(activity, "経常収益計")
        - _amount(activity, "一般:振替")
        + _amount(activity, "経常外収益計")
        + _amount(activity, "指定:増減額")
        - _amount(activity, "指定:振替")
    )
    checks = (
        (
            "収益の流れの合計 = 経常収益計 − 指定正味財産からの振替額 + 経常外収益計"
            " + 指定正味財産の受入",
            income,
            received,
        ),
        (
            "費用・助成の流れの合計 = 経常費用計 + 経常外費用計",
            spent,
            _amount(activity, "経常費用計") + _amount(activity, "経常外費用計"),
        ),
        (
            "次期への繰越 − 前期からの繰越 = 当期一般正味財産増減額 + 当期指定正味財産増減額",
            carried,
            _amount(activity, "一般:増減額") + _amount(activity, "指定:増減額"),
        ),
    )
    check_rows = tuple(
        Row(label, {"a": a, "b": b, "diff": a - b, "result": "✓" if a == b else "✗"})
        for label, a, b in checks
    )
    return Report(
        NAME,
        TITLE,
        period.year,
        period.start,
        period.end,
        (
            Table(
                TITLE,
                (
                    Column("target", "行き先", "text"),
                    Column("group", "種類", "text"),
                    Column("amount", "金額"),
                ),
                rows,
            ),
            Table(
                "活動計算書との一致",
                (
                    Column("a", "資金の流れ"),
                    Column("b", "活動計算書"),
                    Column("diff", "差額"),
                    Column("result", "結果", "mark"),
                ),
                check_rows,
            ),
        ),
        (
            "出所 (科目) から行き先へ。基金の受入は、それを入金した取引の収益の科目に振り分けています。",
            "助成金の支払は事業費から除き、助成先ごとに示しています。",
        ),
        period.as_of,
    )
