"""総勘定元帳: every account's postings with a running balance, after a 合計残高試算表.

The statement itself (``rows``) is the 合計残高試算表: per account 前期繰越, the period's
借方 and 貸方, and 残高, each balance on the account's own side (資産・費用: 借方; 負債・
正味財産・収益: 貸方). Income and expenses start the 年度 at 0: what earlier years left in
them is one line, 前期までの収支差額. Then one table per account, the 元帳 proper: 前期繰越,
each posting (相手科目, 日付, No., 摘要, 借方, 貸方, 残高) and 計, whose figures equal the
account's line of the 試算表; the 試算表's 借方 and 貸方 totals equal the 仕訳帳's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from connect_books.accounts import Kind
from connect_books.fiscal import Period
from connect_books.reports.index import Index
from connect_books.reports.ledger_lines import (
    account_order,
    label,
    normal_sign,
    slips,
)
from connect_books.reports.table import Cell, Column, Report, Row, Table

NAME = "general-ledger"
TITLE = "総勘定元帳"
EARLIER = "前期までの収支差額"
TRIAL_COLUMNS = (
    Column("side", "残高の側", "text"),
    Column("opening", "前期繰越"),
    Column("debit", "借方"),
    Column("credit", "貸方"),
    Column("balance", "残高"),
)
LEDGER_COLUMNS = (
    Column("date", "日付", "date"),
    Column("no", "No.", "text"),
    Column("description", "摘要", "text"),
    Column("debit", "借方"),
    Column("credit", "貸方"),
    Column("balance", "残高"),
)


def report(idx: Index, p: Period) -> Report:
    """The 合計残高試算表 and every account's ledger for ``p``."""
    before = p.start - datetime.timedelta(days=1)
    lines: dict[str, list[Row]] = defaultdict(list)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    running: dict[str, int] = {}
    opening: dict[str, int] = {}
    for name in idx.series:
        flows = idx.roots.is_(name, Kind.INCOME, Kind.EXPENSES)
        opening[name] = 0 if flows else idx.balance(name, before)
    signs: dict[str, int] = {}
    for number, slip in enumerate(slips(idx, p.start, p.end), start=1):
        no = str(number)
        for (account, amount), other in zip(slip.postings, slip.counters, strict=True):
            sign = signs.get(account)
            if sign is None:
                sign = signs[account] = normal_sign(idx, account)
            balance = running.get(account, opening.get(account, 0)) + amount
            running[account] = balance
            totals[account][0 if amount > 0 else 1] += abs(amount)
            values: dict[str, Cell] = {
                "date": slip.date,
                "no": no,
                "description": slip.description,
                "debit": amount if amount > 0 else None,
                "credit": -amount if amount < 0 else None,
                "balance": sign * balance,
            }
            lines[account].append(Row(other, values, "item", 1, no))
    earlier = sum(
        idx.balance(name, before)
        for name in idx.series
        if idx.roots.is_(name, Kind.INCOME, Kind.EXPENSES)
    )
    accounts = sorted(
        set(lines) | {a for a, v in opening.items() if v},
        key=lambda a: account_order(idx, a),
    )
    trial: list[Row] = []
    ledgers: list[Table] = []
    sums = [0, 0]
    for account in accounts:
        sign = normal_sign(idx, account)
        debit, credit = totals[account]
        start = opening.get(account, 0)
        closing = start + debit - credit
        figures: dict[str, Cell] = {
            "side": "借方" if sign > 0 else "貸方",
            "opening": sign * start,
            "debit": debit,
            "credit": credit,
            "balance": sign * closing,
        }
        trial.append(Row(label(idx, account), figures, "item", 0, account))
        sums[0] += debit
        sums[1] += credit
        rows = [
            Row("前期繰越", {"balance": sign * start}, "item", 0, f"{account}:前期繰越")
        ]
        rows += lines.get(account, [])
        rows.append(
            Row(
                "計",
                {"debit": debit, "credit": credit, "balance": sign * closing},
                "total",
                0,
                f"{account}:計",
            )
        )
        ledgers.append(
            Table(
                f"{label(idx, account)} ({figures['side']}残高)",
                LEDGER_COLUMNS,
                tuple(rows),
            )
        )
    if earlier:
        trial.append(
            Row(
                EARLIER,
                {"side": "貸方", "opening": -earlier, "balance": -earlier},
                "item",
                0,
                "前期損益",
            )
        )
    trial.append(Row("合計", {"debit": sums[0], "credit": sums[1]}, "total", 0, "合計"))
    remarks = [
        "残高は科目の側 (資産・費用は借方、負債・正味財産・収益は貸方) の向きで表示します。",
        "収益・費用の科目は年度の初めに 0 から始めます。前年度までの分は「前期までの収支差額」"
        "として正味財産に含めます (決算振替の仕訳はありません)。",
    ]
    main = Table("合計残高試算表", TRIAL_COLUMNS, tuple(trial))
    return Report(
        NAME, TITLE, p.year, p.start, p.end, (main, *ledgers), tuple(remarks), p.as_of
    )
