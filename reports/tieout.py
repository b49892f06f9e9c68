"""監事の照合 (tie-out): the auditors' checks, each a row with its figures and ✓ / ✗.

The checks compare the statements as produced (the same Report objects the board reads),
reading every figure by its row's stable ``key``, never by a printed label. A figure that
is missing (no such row, or an empty cell) makes its check ✗, never 0.

1. 繰越: 前年度の正味財産合計 = 本年度の前期繰越 (一般・指定それぞれも), and the 総会-approved
   figure (✗ when the previous 年度 has no settlement recorded);
2. each cash and bank balance = its year-end ``balance`` assertion (passbook, cash count);
   each fund's balance = its deposit account, and a restricted fund's = its 指定正味財産;
3. 財産目録 = 貸借対照表; 一般 + 指定 = 正味財産合計 in the 活動計算書, 貸借対照表 and 財産目録;
   活動計算書 正味財産期末残高 = 貸借対照表 正味財産合計 = 財産目録 正味財産; the same 指定正味財産
   everywhere; 収支計算書 次期繰越収支差額 = 資金 (流動資産 − 流動負債 on the 貸借対照表);
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
from connect_books.money import yen, yen_or_zero, yen_text
from connect_books.reports import (
    activity,
    balance_sheet,
    dues,
    funds,
    income_expenditure,
    inventory,
)
from connect_books.reports.index import Index
from connect_books.reports.labels import fund_short
from connect_books.reports.subledgers import dues_ahead, unmatched_grants
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "tie-out"
TITLE = "監事の照合"
OK, NG, INFO = "✓", "✗", "—"
#: The row of the 収支計算書 (combined) whose 決算額 is the 次期繰越収支差額.
BUDGET_CARRY_KEY = "次期繰越収支差額"
COLUMNS = (
    Column("a", "帳簿・計算書"),
    Column("b", "照合先"),
    Column("diff", "差額"),
    Column("result", "結果", "mark"),
    Column("note", "備考", "text"),
)


def figure(table: Report | Table | None, key: str, column: str) -> int | None:
    """The figure in row ``key``, column ``column`` (None when anything is missing)."""
    return table.figure(key, column) if table is not None else None


def added(*values: int | None) -> int | None:
    """The sum, or None when any part is missing."""
    return None if any(v is None for v in values) else sum(v or 0 for v in values)


class _Checks:
    """The rows of the tie-out, added one check at a time."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def heading(self, label: str) -> None:
        self.rows.append(Row(label, {}, "heading", 0, label))

    def check(
        self,
        label: str,
        a: int | None,
        b: int | None,
        note: str = "",
        *,
        key: str,
        info: bool = False,
        passed: bool | None = None,
        show_diff: bool = True,
        absent: str = "照合する数字が計算書にありません",
    ) -> None:
        values: dict[str, Cell] = {"a": a, "b": b}
        if a is not None and b is not None and show_diff:
            values["diff"] = a - b
        if info:
            mark = INFO
        elif passed is not None:
            mark = OK if passed else NG
        else:
            mark = OK if a is not None and b is not None and a == b else NG
        missing = a is None or b is None
        if missing and (mark == NG or (mark == INFO and not note)):
            note = f"{absent} ({note})" if note else absent
        values["result"] = mark
        values["note"] = note or None
        self.rows.append(Row(label, values, "item", 1, key))

    def same(self, label: str, key: str, *pairs: tuple[str, int | None]) -> None:
        """One row per later figure: each equals the first (``label`` names the pair)."""
        (first_name, first), *others = pairs
        for name, value in others:
            self.check(
                f"{label}: {first_name} = {name}",
                first,
                value,
                key=f"{key}:{name}",
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
    c = _Checks()

    # 1 carry-forward
    c.heading("1 繰越")
    opening = figure(bs, "前期繰越正味財産", "current")
    previous = year.previous()
    if previous is None:
        c.check(
            "前年度の次期繰越 = 本年度の前期繰越",
            None,
            opening,
            f"初年度: 前身団体からの引継 {yen_text(opening or 0)}",
            info=True,
            key="繰越:前年度",
        )
    else:
        before = balance_sheet.report(idx, Period.of(previous))
        c.check(
            "前年度の次期繰越 = 本年度の前期繰越",
            figure(before, "正味財産合計", "current"),
            opening,
            f"{previous.label} 貸借対照表 正味財産合計 と {year.label} 前期繰越正味財産",
            key="繰越:前年度",
        )
        for part in ("一般", "指定"):
            c.check(
                f"前年度末の{part}正味財産 = 本年度の{part}正味財産期首残高",
                figure(before, f"{part}正味財産", "current"),
                figure(act, f"{part}:期首", "amount"),
                f"{previous.label} 貸借対照表 と {year.label} 活動計算書",
                key=f"繰越:{part}",
            )
        settled = idx.settlements.get(previous)
        c.check(
            "前年度の決算承認額 = 本年度の前期繰越",
            yen(settled.carry_forward) if settled else None,
            opening,
            f"{jdate(settled.date)} {settled.body}で承認" if settled else "",
            key="繰越:決算承認",
            absent=f"{previous.label}の決算 (総会の承認) が記録されていません。"
            "承認されたら connect-books close-year で記録してください",
        )

    # 2 cash, deposits and funds against the passbooks / cash count
    c.heading("2 現金・預金・基金の残高")
    day = p.end + datetime.timedelta(days=1)
    for info in idx.chart.with_role(*CASH_ROLES):
        if info.opened > p.end:
            continue
        asserted = idx.assertions.get((info.name, day))
        c.check(
            f"{info.label} = 残高確認 ({jdate(p.end)})",
            idx.balance(info.name, p.end),
            yen(asserted) if asserted is not None else None,
            f"{day.isoformat()} 付の残高確認" if asserted is not None else "",
            info=asserted is None and p.as_of is not None,
            key=info.name,
            absent=f"{day.isoformat()} 付の balance (通帳・残高証明・現金実査) がありません",
        )
    restricted_note = act.note("使途等が制約された寄付等の内訳")
    for fund in idx.funds.funds.values():
        name = fund_short(fund)
        balance = figure(grants, f"基金:{fund.id}", "closing")
        c.check(
            f"基金 {name} の残高 = 口座 {idx.info(fund.asset).label}",
            balance,
            figure(inv, fund.asset, "amount") if balance else 0,
            "基金の状況 期末残高 と 財産目録の預金",
            key=f"基金:{fund.id}",
        )
        if fund.restricted:
            c.check(
                f"基金 {name} の残高 = 指定正味財産 ({name})",
                balance,
                figure(restricted_note, f"指定:fund:{fund.id}", "closing")
                if balance
                else 0,
                "注記 使途等が制約された寄付等の内訳 の期末残高",
                key=f"基金:{fund.id}:指定",
            )
        earmarked = -idx.balance(fund.equity, p.end)
        held = idx.balance(fund.asset, p.end)
        if earmarked != held:  # (the 総勘定元帳 shows the 正味財産 account as it is)
            c.check(
                f"基金 {name}: 正味財産の科目 {idx.info(fund.equity).label} と口座の残高",
                earmarked,
                held,
                "正味財産の科目は引継と繰入の累計で、基金からの助成・利息などでは動きません。"
                "計算書 (貸借対照表の内訳・財産目録・基金の状況) は口座の残高を使います",
                info=True,
                key=f"基金:{fund.id}:正味財産の科目",
            )

    over = [x for x in idx.restrictions.overspent if p.start <= x[0] <= p.end]
    if over:
        c.check(
            "使途指定の残高を超えた支出",
            sum(x[2] for x in over),
            0,
            "超えた分は一般正味財産からの支出としました: "
            + "、".join(f"{x[1]} {yen_text(x[2])} ({jdate(x[0])})" for x in over),
            info=True,
            show_diff=False,
            key="指定:超過",
        )

    # 3 the statements agree
    c.heading("3 計算書の一致")
    net = figure(bs, "正味財産合計", "current")
    for key in ("資産合計", "負債合計"):
        c.check(
            f"財産目録 {key} = 貸借対照表 {key}",
            figure(inv, key, "amount"),
            figure(bs, key, "current"),
            key=f"一致:{key}",
        )
    unexplained = [r for r in inv.rows if r.get("detail") == "内訳不明"]
    c.check(
        "財産目録 内訳のない残高",
        sum(yen_or_zero(r.get("amount")) for r in unexplained),
        0,
        "会員・支払先の記録のない未収会費・未払金" if unexplained else "",
        key="一致:内訳不明",
    )
    overpaid: list[tuple[str, int]] = [
        (info.label, debit)
        for info in idx.chart.accounts.values()
        if idx.roots.is_(info.name, Kind.LIABILITIES)
        and (debit := idx.balance(info.name, p.end)) > 0
    ]
    if overpaid:  # (a liability with a debit balance: paid twice, or an asset)
        c.check(
            "マイナスの負債 (払いすぎなど)",
            sum(amount for _, amount in overpaid),
            0,
            "、".join(f"{label} ▲{amount:,}円" for label, amount in overpaid)
            + ": 過払いなら立替金・未収金として資産に振り替えてください",
            info=True,
            show_diff=False,
            key="一致:マイナスの負債",
        )
    assets, debts = figure(bs, "資産合計", "current"), figure(bs, "負債合計", "current")
    c.check(
        "資産合計 − 負債合計 = 正味財産合計",
        None if assets is None or debts is None else assets - debts,
        net,
        key="一致:資産−負債",
    )
    for name, parts, total in (
        (
            "貸借対照表",
            added(
                *(figure(bs, k, "current") for k in ("一般正味財産", "指定正味財産"))
            ),
            net,
        ),
        (
            "活動計算書",
            added(
                figure(act, "一般:期末", "amount"), figure(act, "指定:期末", "amount")
            ),
            figure(act, "正味財産:期末", "amount"),
        ),
        (
            "財産目録",
            added(
                *(figure(inv, k, "amount") for k in ("一般正味財産", "指定正味財産"))
            ),
            figure(inv, "正味財産", "amount"),
        ),
    ):
        c.check(
            f"{name} 一般正味財産 + 指定正味財産 = 正味財産合計",
            parts,
            total,
            key=f"一致:一般+指定:{name}",
        )
    c.same(
        "正味財産",
        "一致:正味財産",
        ("貸借対照表", net),
        ("活動計算書", figure(act, "正味財産:期末", "amount")),
        ("財産目録", figure(inv, "正味財産", "amount")),
    )
    c.same(
        "指定正味財産",
        "一致:指定",
        ("貸借対照表", figure(bs, "指定正味財産", "current")),
        ("活動計算書", figure(act, "指定:期末", "amount")),
        ("財産目録", figure(inv, "指定正味財産", "amount")),
        ("注記", figure(restricted_note, "指定:合計", "closing")),
    )
    current_assets = figure(bs, "流動資産合計", "current")
    current_debts = figure(bs, "流動負債合計", "current")
    c.check(
        "収支計算書 次期繰越収支差額 = 貸借対照表 資金",
        figure(bud, BUDGET_CARRY_KEY, "actual"),
        None
        if current_assets is None or current_debts is None
        else current_assets - current_debts,
        "資金 = 流動資産合計 − 流動負債合計",
        key="一致:資金",
    )

    _dues_checks(c, idx, p, roll)
    _grant_checks(c, idx, p, grants)
    _voucher_and_budget_checks(c, idx, p, bud)

    failures = [r for r in c.rows if r.get("result") == NG]
    passes = [r for r in c.rows if r.get("result") == OK]
    remarks = [
        f"照合 {len(passes) + len(failures)}件: ✓ {len(passes)}件、✗ {len(failures)}件 (— は情報)。"
    ]
    remarks += [f"✗ {r.label}" for r in failures]
    table = Table(TITLE, COLUMNS, tuple(c.rows))
    return Report(NAME, TITLE, year, p.start, p.end, (table,), tuple(remarks), p.as_of)


def _dues_checks(c: _Checks, idx: Index, p: Period, roll: Report) -> None:
    c.heading("4 会費")
    receivable = sum(
        idx.balance(a.name, p.end) for a in idx.chart.with_role(Role.DUES_RECEIVABLE)
    )
    in_arrears = sum(
        yen_or_zero(r.get("outstanding"))
        for r in roll.rows
        if r.style == "item" and (p.as_of is None or r.get("year") != p.year.label)
    )
    c.check(
        "未収会費 = 会費納入状況の未収",
        receivable,
        in_arrears,
        "年度末: すべての年度の未収"
        if p.as_of is None
        else f"{p.year.label}より前の年度の未収",
        key="会費:未収",
    )
    advance = -sum(
        idx.balance(a.name, p.end) for a in idx.chart.with_role(Role.DUES_ADVANCE)
    )
    ahead = sum(line.ahead for line in dues_ahead(idx, p.year.next(), p.end))
    c.check("前受会費 = 翌年度会費の前受", advance, ahead, key="会費:前受")


def _grant_checks(c: _Checks, idx: Index, p: Period, grants: Report) -> None:
    c.heading("5 助成")
    for row in grants.tables[1].rows:
        if row.style != "item":
            continue
        amount, paid = figure(grants.tables[1], row.key, "amount"), row.get("paid")
        paid_yen = paid if isinstance(paid, int) else None
        c.check(
            f"{row.label} 支払額 ≤ 決定額",
            paid_yen,
            amount,
            f"{row.get('grantee')}",
            passed=paid_yen is not None and amount is not None and paid_yen <= amount,
            key=row.key,
        )
    orphan = sum(yen(g.amount) for g in unmatched_grants(idx, p.start, p.end))
    c.check(
        "決定のない助成金の支払",
        orphan,
        0,
        "decision: で助成の決定を指していない支払" if orphan else "",
        key="助成:決定なし",
    )


def _voucher_and_budget_checks(c: _Checks, idx: Index, p: Period, bud: Report) -> None:
    c.heading("6 証憑と固定資産")
    spent = [e for e in idx.expenses if p.start <= e.date <= p.end]
    missing = [e for e in spent if not e.has_voucher]
    c.check(
        "証憑の記録のない支払",
        yen(sum(e.amount for e in missing)),
        yen(sum(e.amount for e in spent)),
        f"現金・預金・基金からの支払 {len(spent)}件 (助成金・固定資産・未払金の支払を含み、振替と"
        f"減価償却は含みません) のうち証憑の記録のないもの {len(missing)}件"
        " (情報: 紙の証憑と照合してください)",
        info=True,
        show_diff=False,
        key="証憑",
    )

    if not p.interim:  # (a year's depreciation is booked at its end)
        from connect_books.fixed_assets import FixedAssets

        book = FixedAssets.from_entries(idx.entries, idx.roots)
        planned = sum(book.planned(a, p.year) for a in book.assets.values())
        due = {
            a.id: owed for a in book.assets.values() if (owed := book.due(a, p.year))
        }
        if planned:
            c.check(
                "減価償却 (年度分) の記帳",
                planned - sum(due.values()),
                planned,
                (
                    "未記帳: "
                    + "、".join(f"{k} {yen_text(v)}" for k, v in sorted(due.items()))
                    + f"。connect-books depreciation --year {p.year.year} --write で記帳します"
                )
                if due
                else "固定資産台帳の定額法・月割の償却額",
                key="固定資産:償却",
            )

    c.heading("7 予算")
    over = []
    for place, row in _spending_lines(bud):
        actual, budget = figure(bud, row.key, "actual"), figure(bud, row.key, "budget")
        if actual is not None and budget is not None and actual > budget:
            over.append(row)
            c.check(
                f"予算超過: {place}{row.label}",
                actual,
                budget,
                "流用・予備費充用の説明が必要です",
                info=True,
                key=row.key,
            )
    if not over:
        c.check(
            "予算超過の科目",
            0,
            0,
            "予算を超えた支出科目はありません",
            info=True,
            key="予算",
        )


def _spending_lines(bud: Report) -> list[tuple[str, Row]]:
    """Each line of the 収支計算書's 支出の部 (every account, 固定資産取得支出,
    積立金繰入支出, 予備費), with where it sits (``事業3 広報 `` or ``管理費 ``), so that
    two 印刷製本費 are told apart."""
    found: list[tuple[str, Row]] = []
    spending, place = False, ""
    for row in bud.rows:
        if row.style == "heading":
            if row.label.startswith("Ⅱ"):
                spending = True
            elif spending and row.key and str(row.key).startswith("事業"):
                place = f"{row.key} {row.label.split(' ', 1)[-1]} "
            elif spending and row.label == "管理費":
                place = "管理費 "
            continue
        if spending and row.style == "item":
            found.append((place if str(row.key).startswith("Expenses:") else "", row))
    return found
