"""監事の照合 (tie-out): the auditors' checks, each a row with its figures and ✓ / ✗.

The checks compare the statements as produced (the same Report objects the board reads):

1. 前年度の次期繰越 = 本年度の前期繰越 (and the 総会-approved figure, once settled);
2. each cash and bank balance = its year-end ``balance`` assertion (passbook, cash count);
3. 財産目録 = 貸借対照表; 活動計算書 次期繰越正味財産額 = 貸借対照表 正味財産合計 =
   財産目録 正味財産 = 収支計算書 次期繰越金;
4. 未収会費 (and 前受会費) = the dues roll;
5. every grant paid within its decision;
6. vouchers: expense payments without a ``document`` (information, not a failure);
7. budget lines spent beyond the budget (information: 流用・予備費充用 to be explained).
"""

from __future__ import annotations

import datetime

from connect_books.accounts import Kind
from connect_books.chart import CASH_ROLES, Role
from connect_books.fiscal import Period, jdate
from connect_books.money import yen, yen_text
from connect_books.reports import (
    activity,
    balance_sheet,
    dues,
    funds,
    income_expenditure,
    inventory,
)
from connect_books.reports.index import Index
from connect_books.reports.subledgers import dues_ahead, unmatched_grants
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "tie-out"
TITLE = "監事の照合"
OK, NG, INFO = "✓", "✗", "—"
COLUMNS = (
    Column("a", "帳簿・計算書"),
    Column("b", "照合先"),
    Column("diff", "差額"),
    Column("result", "結果", "mark"),
    Column("note", "備考", "text"),
)


def report(idx: Index, p: Period) -> Report:
    """The auditors' checks for the period ``p`` (at its year end or as-of day)."""
    year = p.year
    bs = balance_sheet.report(idx, p)
    act = activity.report(idx, p)
    inv = inventory.report(idx, p)
    bud = income_expenditure.report(idx, p)
    roll = dues.report(idx, p)
    grants = funds.report(idx, p)
    rows: list[Row] = []

    def check(
        label: str,
        a: int | None,
        b: int | None,
        note: str = "",
        *,
        info: bool = False,
        passed: bool | None = None,
        key: str = "",
        show_diff: bool = True,
    ) -> None:
        values: dict[str, Cell] = {"a": a, "b": b}
        if a is not None and b is not None and show_diff:
            values["diff"] = a - b
        if info:
            mark = INFO
        elif passed is not None:
            mark = OK if passed else NG
        else:
            mark = OK if a is not None and a == b else NG
        values["result"] = mark
        values["note"] = note or None
        rows.append(Row(label, values, "item", 1, key))

    def heading(label: str) -> None:
        rows.append(Row(label, {}, "heading", 0))

    net = _amount(bs.row("正味財産合計").get("current"))

    # 1 carry-forward
    heading("1 繰越")
    opening = _amount(bs.row("前期繰越正味財産").get("current"))
    previous = year.previous()
    if previous is None:
        brought = _amount(act.main.row("前期繰越正味財産額").get("amount"))
        check(
            "前年度の次期繰越 = 本年度の前期繰越",
            None,
            opening,
            f"初年度: 前身団体からの引継 {yen_text(brought)}",
            info=True,
        )
    else:
        before = balance_sheet.report(idx, Period.of(previous))
        check(
            "前年度の次期繰越 = 本年度の前期繰越",
            _amount(before.row("正味財産合計").get("current")),
            opening,
            f"{previous.label} 貸借対照表 正味財産合計 と {year.label} 前期繰越正味財産",
        )
        settled = idx.settlements.get(previous)
        if settled is not None:
            check(
                "前年度の決算承認額 = 本年度の前期繰越",
                yen(settled.carry_forward),
                opening,
                f"{jdate(settled.date)} {settled.body}で承認",
            )

    # 2 cash and deposits against the passbooks / cash count
    heading("2 現金・預金の残高")
    day = p.end + datetime.timedelta(days=1)
    for info in idx.chart.with_role(*CASH_ROLES):
        if info.opened > p.end:
            continue
        booked = idx.balance(info.name, p.end)
        asserted = idx.assertions.get((info.name, day))
        label = f"{info.label} = 残高確認 ({jdate(p.end)})"
        if asserted is None:
            check(
                label,
                booked,
                None,
                f"{day.isoformat()} 付の balance (通帳・残高証明・現金実査) がありません",
                info=p.as_of is not None,
                passed=False,
                key=info.name,
            )
        else:
            check(
                label,
                booked,
                yen(asserted),
                f"{day.isoformat()} 付の残高確認 (balance)",
                key=info.name,
            )

    # 3 the statements agree
    heading("3 計算書の一致")
    check(
        "財産目録 資産合計 = 貸借対照表 資産合計",
        _amount(inv.row("資産合計").get("amount")),
        _amount(bs.row("資産合計").get("current")),
    )
    check(
        "財産目録 負債合計 = 貸借対照表 負債合計",
        _amount(inv.row("負債合計").get("amount")),
        _amount(bs.row("負債合計").get("current")),
    )
    unexplained = [r for r in inv.rows if r.get("detail") == "内訳不明"]
    check(
        "財産目録 内訳のない残高",
        sum(_amount(r.get("amount")) for r in unexplained),
        0,
        "会員・支払先の記録のない未収会費・未払金" if unexplained else "",
    )
    check(
        "資産合計 − 負債合計 = 正味財産合計",
        _amount(bs.row("資産合計").get("current"))
        - _amount(bs.row("負債合計").get("current")),
        net,
    )
    check(
        "活動計算書 次期繰越正味財産額 = 貸借対照表 正味財産合計",
        _amount(act.main.row("次期繰越正味財産額").get("amount")),
        net,
    )
    check(
        "財産目録 正味財産 = 貸借対照表 正味財産合計",
        _amount(inv.row("正味財産").get("amount")),
        net,
    )
    check(
        "収支計算書 次期繰越金 = 貸借対照表 正味財産合計",
        _amount(bud.row("次期繰越金").get("actual")),
        net,
    )

    # 4 dues
    heading("4 会費")
    receivable = sum(
        idx.balance(a.name, p.end) for a in idx.chart.with_role(Role.DUES_RECEIVABLE)
    )
    in_arrears = sum(
        _amount(r.get("outstanding"))
        for r in roll.rows
        if r.style == "item" and (p.as_of is None or r.get("year") != year.label)
    )
    check(
        "未収会費 = 会費納入状況の未収",
        receivable,
        in_arrears,
        "年度末: すべての年度の未収"
        if p.as_of is None
        else f"{year.label}より前の年度の未収",
    )
    advance = -sum(
        idx.balance(a.name, p.end) for a in idx.chart.with_role(Role.DUES_ADVANCE)
    )
    ahead = sum(line.ahead for line in dues_ahead(idx, year.next(), p.end))
    check("前受会費 = 翌年度会費の前受", advance, ahead)

    # 5 grants within their decisions
    heading("5 助成")
    decisions = grants.tables[1]
    for row in decisions.rows:
        if row.style != "item":
            continue
        amount, paid = _amount(row.get("amount")), _amount(row.get("paid"))
        check(
            f"{row.label} 支払額 ≤ 決定額",
            paid,
            amount,
            f"{row.get('grantee')}",
            passed=paid <= amount,
            key=row.label,
        )
    orphan = sum(yen(g.amount) for g in unmatched_grants(idx, p.start, p.end))
    check(
        "決定のない助成金の支払",
        orphan,
        0,
        "decision: で助成の決定を指していない支払" if orphan else "",
    )

    # 6 vouchers
    heading("6 証憑")
    spent = [e for e in idx.expenses if p.start <= e.date <= p.end]
    missing = [e for e in spent if not e.has_voucher]
    check(
        "証憑 (document) の記録のない支出",
        yen(sum(e.amount for e in missing)),
        yen(sum(e.amount for e in spent)),
        f"支出 {len(spent)}件のうち証憑の記録のないもの {len(missing)}件 (情報: 紙の証憑と照合してください)",
        info=True,
        show_diff=False,
    )

    # 7 budget deviations
    heading("7 予算")
    over = [
        r
        for r in bud.rows
        if idx.roots.is_(r.key, Kind.EXPENSES)
        and r.get("budget") is not None
        and _amount(r.get("actual")) > _amount(r.get("budget"))
    ]
    for row in over:
        check(
            f"予算超過: {row.label}",
            _amount(row.get("actual")),
            _amount(row.get("budget")),
            "流用・予備費充用の説明が必要です",
            info=True,
            key=row.key,
        )
    if not over:
        check("予算超過の科目", 0, 0, "予算を超えた支出科目はありません", info=True)

    failures = [r for r in rows if r.get("result") == NG]
    passes = [r for r in rows if r.get("result") == OK]
    remarks = [
        f"照合 {len(passes) + len(failures)}件: ✓ {len(passes)}件、✗ {len(failures)}件 (— は情報)。"
    ]
    remarks += [f"✗ {r.label}" for r in failures]
    table = Table(TITLE, COLUMNS, tuple(rows))
    return Report(NAME, TITLE, year, p.start, p.end, (table,), tuple(remarks), p.as_of)


def _amount(value: Cell) -> int:
    """A figure read back from a report's cell (0 when the cell is empty)."""
    return int(value) if isinstance(value, int) else 0
