"""The rows of one 会計's 収支計算書 (:mod:`.income_expenditure` assembles the tables).

Every figure comes from :mod:`.liquidity` (the 資金 flows and positions) and the budget in
force; the totals are sums of the rows printed above them, so the statement adds up on
paper: 当期収入合計 + 前期繰越収支差額 = 収入合計, 収入合計 − 当期支出合計 = 次期繰越収支差額.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from connect_books.accounts import Kind
from connect_books.budgets import BudgetView
from connect_books.chart import Role
from connect_books.money import yen, yen_text
from connect_books.reports import liquidity as lq
from connect_books.reports.index import Index
from connect_books.reports.labels import ACTIVITIES, fund_short, ratio
from connect_books.reports.table import Cell, Row, Style

#: Rows without 達成率・執行率 (balances, not budget lines).
_NO_RATE = frozenset(
    {"前期繰越収支差額", "収入合計", "当期収支差額", "次期繰越収支差額"}
)
#: The 収入 lines of the form, in order (an account's ``budget-line``).
INCOME_LINES = ("会費", "寄付金", "助成金", "事業収入", "雑収入")


@dataclass(frozen=True)
class SectionData:
    """One period's 資金: flows, 前期繰越 per 会計, the position at the end, brought in."""

    flows: lq.Flows
    opening: dict[str, int]
    closing: lq.Position
    brought: dict[str, int]


@dataclass
class Fig:
    """Budget, actual and prior figures of one row."""

    budget: int | None = None
    actual: int = 0
    prior: int | None = None
    original: int | None = None
    parts: list[Fig] = field(default_factory=list, repr=False)

    def add(self, other: Fig) -> None:
        """Add ``other`` into this total."""
        if other.budget is not None:
            self.budget = (self.budget or 0) + other.budget
        self.actual += other.actual
        if other.prior is not None:
            self.prior = (self.prior or 0) + other.prior

    def minus(self, other: Fig) -> Fig:
        """This figure less ``other`` (for 当期収支差額 and 次期繰越収支差額)."""
        budget = (
            None
            if self.budget is None or other.budget is None
            else self.budget - other.budget
        )
        prior = (
            None
            if self.prior is None or other.prior is None
            else self.prior - other.prior
        )
        return Fig(budget, self.actual - other.actual, prior)

    @property
    def nonzero(self) -> bool:
        """Whether the row has any figure."""
        return bool(self.budget or self.actual or self.prior)


def account_label(idx: Index, account: str) -> str:
    """An expense account's label (``インクルファンド助成金`` for a fund's grants)."""
    info = idx.info(account)
    if info.role is Role.GRANT_EXPENSE and info.fund in idx.funds.funds:
        return f"{fund_short(idx.funds.funds[info.fund])}助成金"
    return info.label


def home(idx: Index, account: str) -> str:
    """The 会計 an income or expense account's budget belongs to."""
    fund = idx.info(account).fund
    return fund if fund in idx.funds.funds else lq.GENERAL


def build_rows(
    idx: Index,
    section: lq.Section,
    now: SectionData,
    then: SectionData | None,
    view: BudgetView | None,
    original: dict[str, Decimal],
    *,
    interim: bool,
    full: bool,
    key: Callable[[str], str],
) -> list[Row]:
    """The statement of one 会計 (``full``: every row of the form, even when 0)."""
    s = section.key
    cur = now.flows.of(s)
    prev = then.flows.of(s) if then else None
    mine = s == lq.TOTAL

    def budget(account: str) -> int | None:
        if view is None:
            return None
        return yen(view.amount(account)) if mine or home(idx, account) == s else 0

    def flow(k: str, account: str | None = None) -> Fig:
        first = original.get(account) if account else None
        return Fig(
            budget(account) if account else (0 if view else None),
            cur.get(k, 0),
            prev.get(k, 0) if prev is not None else None,
            yen(first)
            if first is not None and (mine or home(idx, account or "") == s)
            else None,
        )

    rows: list[Row] = []

    def emit(
        label: str,
        fig: Fig,
        style: Style = "item",
        level: int = 0,
        k: str = "",
        note: str = "",
    ) -> None:
        values: dict[str, Cell] = {"budget": fig.budget, "actual": fig.actual}
        if fig.budget is not None:
            values["diff"] = fig.budget - fig.actual
            if interim and (k or label) not in _NO_RATE:
                values["rate"] = ratio(fig.actual, fig.budget)
        if interim:
            values["prior"] = fig.prior
        if not note and fig.original is not None and fig.budget != fig.original:
            note = f"補正 (当初 {yen_text(fig.original)})"
        values["note"] = note or None
        rows.append(Row(label, values, style, level, key(k or label)))

    def heading(label: str, level: int, k: str = "") -> None:
        rows.append(Row(label, {}, "heading", level, key(k) if k else ""))

    accounts = _accounts(idx, s, cur, prev, view, now)

    # ---- Ⅰ 収入の部
    heading("Ⅰ 収入の部", 0)
    income_total = Fig(0 if view else None, 0, 0 if prev is not None else None)
    lines: dict[str, Fig] = {}
    for account in accounts:
        if idx.roots.is_(account, Kind.INCOME):
            line = idx.info(account).budget_line or lq.DEFAULT_INCOME_LINE
            if line not in lines:
                lines[line] = flow(lq.income_key(line))
                lines[line].budget = 0 if view else None
            part = budget(account)
            if part is not None:
                lines[line].budget = (lines[line].budget or 0) + part
    for line in [*INCOME_LINES, *sorted(set(lines) - set(INCOME_LINES))]:
        fig = lines.get(line) or flow(lq.income_key(line))
        if (full and line in INCOME_LINES) or fig.nonzero:
            emit(line, fig, level=1, k=lq.income_key(line))
            income_total.add(fig)
    for extra, always in (
        (lq.FIXED_ASSET_SALE, False),
        (lq.BORROWING, False),
        (lq.OTHER_IN, False),
        (lq.RESERVE_OUT, full),
        (lq.TRANSFER_IN, not full),
    ):
        if mine and extra in lq.TRANSFER_KEYS:
            continue  # (between 会計: eliminated from the 合計, 内部取引消去)
        fig = flow(extra)
        if always or fig.nonzero:
            emit(extra, fig, level=1)
            income_total.add(fig)
    emit("当期収入合計", income_total, "subtotal")
    opening = Fig(
        now.opening[s] if view else None,
        now.opening[s],
        then.opening[s] if then else None,
    )
    emit("前期繰越収支差額", opening, level=0)
    available = Fig(income_total.budget, income_total.actual, income_total.prior)
    available.add(opening)
    emit("収入合計", available, "total")

    # ---- Ⅱ 支出の部
    heading("Ⅱ 支出の部", 0)

    def shown(account: str, listed: bool) -> bool:
        return flow(account, account).nonzero or (
            listed and full and _shown_when_zero(idx, account, s)
        )

    groups: dict[str, list[str]] = defaultdict(list)
    for account in accounts:
        if idx.roots.is_(account, Kind.EXPENSES):
            info = idx.info(account)
            if info.section == "事業費":
                if shown(account, True):
                    groups[f"事業{info.activity or 0}"].append(account)
            else:
                groups[info.section or "その他"].append(account)
    spent = Fig(0 if view else None, 0, 0 if prev is not None else None)

    def block(accounts_: list[str], level: int, listed: bool = True) -> Fig:
        total = Fig(0 if view else None, 0, 0 if prev is not None else None)
        for account in accounts_:
            fig = flow(account, account)
            if shown(account, listed):
                emit(account_label(idx, account), fig, level=level, k=account)
                total.add(fig)
        return total

    activities = sorted(
        {int(g[2:]) for g in groups if g.startswith("事業")}
        | (set(ACTIVITIES) if full else set())
    )
    if activities:
        heading("事業費", 1)
        program = Fig(0 if view else None, 0, 0 if prev is not None else None)
        for number in activities:
            label = (
                f"{number} {ACTIVITIES[number]}"
                if number in ACTIVITIES
                else "事業区分なし"
            )
            heading(label, 2, f"事業{number}")
            sub = block(groups.get(f"事業{number}", []), 3)
            emit("小計", sub, "subtotal", 2, f"事業{number}:小計")
            program.add(sub)
        emit("事業費計", program, "subtotal", 1)
        spent.add(program)
    if full or groups.get("管理費"):
        heading("管理費", 1)
        admin = block(groups.get("管理費", []), 2)
        emit("管理費計", admin, "subtotal", 1)
        spent.add(admin)
    for extra, always in (
        (lq.FIXED_ASSET_PURCHASE, full),
        (lq.RESERVE_IN, full),
        (lq.TRANSFER_OUT, not full),
    ):
        if mine and extra in lq.TRANSFER_KEYS:
            continue  # (between 会計: eliminated from the 合計, 内部取引消去)
        fig = flow(extra)
        if always or fig.nonzero:
            emit(extra, fig, level=1)
            spent.add(fig)
    reserve = Fig(0 if view else None, 0, 0 if prev is not None else None)
    for account in groups.get("予備費", []):
        piece = flow(account, account)
        reserve.add(piece)
        if piece.original is not None:
            first = reserve.original if reserve.original is not None else 0
            reserve.original = first + piece.original
    if full or reserve.nonzero:
        emit("予備費", reserve, level=1)
        spent.add(reserve)
    for group, members in sorted(groups.items()):
        if group.startswith("事業") or group in ("管理費", "予備費"):
            continue
        spent.add(block(members, 1, listed=False))
    for extra in (lq.REPAYMENT, lq.OTHER_OUT):
        fig = flow(extra)
        if fig.nonzero:
            emit(extra, fig, level=1)
            spent.add(fig)
    emit("当期支出合計", spent, "total")

    emit("当期収支差額", income_total.minus(spent), "subtotal")
    closing = available.minus(spent)
    expected = now.closing[s]
    note = (
        f"流動資産 {yen_text(now.closing.assets[s])} − 流動負債 {yen_text(now.closing.liabilities[s])}"
        if closing.actual == expected
        else f"✗ 資金 {yen_text(expected)} と一致しません"
    )
    label = "現在の収支差額 (資金残高)" if interim else "次期繰越収支差額"
    emit(label, closing, "total", k="次期繰越収支差額", note=note)
    return rows


def _shown_when_zero(idx: Index, account: str, section: str) -> bool:
    """Whether a full form lists ``account`` even with nothing in it."""
    info = idx.info(account)
    if info.meta.get("depreciation") is True:
        return False  # no 資金 moves through it
    return section == lq.TOTAL or home(idx, account) == section


def _accounts(
    idx: Index,
    section: str,
    cur: dict[str, int],
    prev: dict[str, int] | None,
    view: BudgetView | None,
    now: SectionData,
) -> list[str]:
    """Income and expense accounts this 会計 may show, in code order."""
    start, end = now.flows.start, now.flows.end
    names = {
        name
        for name, info in idx.chart.accounts.items()
        if info.opened <= end
        and (info.closed is None or info.closed >= start)
        and (section == lq.TOTAL or home(idx, name) == section)
    }
    names.update(k for k in cur if ":" in k)
    if prev is not None:
        names.update(k for k in prev if ":" in k)
    if view is not None:
        names.update(
            a for a in view.lines if section == lq.TOTAL or home(idx, a) == section
        )
    return sorted(n for n in names if idx.roots.is_(n, Kind.INCOME, Kind.EXPENSES))
