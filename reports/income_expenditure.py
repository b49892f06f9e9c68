"""収支計算書 (任意団体様式): budget against actual, for the 総会 and the board.

Columns: 予算額 | 決算額 (実績 during the year) | 差異 (予算額 − 決算額) | 備考, and during the
year also 執行率 (決算額 ÷ 予算額) and 前年同期 (the previous 年度 up to the same day).
Budgets are the exact approved amounts (:meth:`Budgets.in_force`), never Fava's prorated
``custom "budget"`` entries. The statement covers the whole organisation, funds included:
前期繰越金 and 次期繰越金 are the net assets at the start and the end (read from the
:class:`~connect_books.reports.figures.Figures`, never recomputed here), so
次期繰越金 = 前期繰越金 + 収入合計 − 支出合計 whenever no posting moves net assets directly
(定款第29条; such a posting is named in the remarks).

The CLI and the JSON still call this report ``budget``; ``income-expenditure`` is an alias.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from connect_books.accounts import FLOW_KINDS, Kind
from connect_books.budgets import ORIGINAL, BudgetView
from connect_books.chart import AccountInfo, Role
from connect_books.fiscal import FiscalYear, Period, jdate
from connect_books.money import yen, yen_text
from connect_books.reports.figures import (
    Figures,
    FundFigures,
    figures_of,
    fund_figures,
)
from connect_books.reports.index import Index
from connect_books.reports.labels import ACTIVITIES, fund_short, ratio
from connect_books.reports.table import Cell, Column, Report, Row, Style, Table

NAME = "budget"
TITLE = "収支計算書"
INCOME_LINES = ("会費", "寄付金", "助成金", "事業収入", "雑収入")
DEFAULT_INCOME_LINE = "雑収入"


@dataclass
class _Figure:
    """Budget, actual and prior figures of one row, summed from accounts."""

    budget: int | None = None
    actual: int = 0
    prior: int = 0
    original: int | None = None
    accounts: list[str] = field(default_factory=list)

    def add(self, other: _Figure) -> None:
        if other.budget is not None:
            self.budget = (self.budget or 0) + other.budget
        if other.original is not None:
            self.original = (self.original or 0) + other.original
        self.actual += other.actual
        self.prior += other.prior
        self.accounts.extend(other.accounts)

    @property
    def nonzero(self) -> bool:
        return bool(self.budget or self.actual or self.prior)


def expense_label(idx: Index, info: AccountInfo) -> str:
    """The label of an expense account on the statement (``インクルファンド助成金``)."""
    if info.role is Role.GRANT_EXPENSE and info.fund in idx.funds.funds:
        return f"{fund_short(idx.funds.funds[info.fund])}助成金"
    return info.label


def report(idx: Index, p: Period) -> Report:
    """The 収支計算書 for the period ``p`` (実績 to date when it stops inside its 年度)."""
    year = p.year
    fig = figures_of(idx, p.start, p.end)
    before = p.previous_point()
    prior_fig = figures_of(idx, before.start, before.end) if before else None
    view = idx.budgets.in_force(year, p.end)
    original = _original(view)
    interim = p.interim

    def account_figure(account: str, sign: int) -> _Figure:
        first = yen(original[account]) if account in original else None
        return _Figure(
            yen(view.amount(account)) if view else None,
            sign * fig.moved(account),
            sign * prior_fig.moved(account) if prior_fig else 0,
            first,
            [account],
        )

    columns = _columns(interim, p)
    rows: list[Row] = []

    def emit(
        label: str,
        figure: _Figure | None,
        *,
        style: Style = "item",
        level: int = 0,
        key: str = "",
        note: str = "",
        actual: int | None = None,
        prior: int | None = None,
    ) -> None:
        values: dict[str, Cell] = {}
        if figure is not None:
            actual = figure.actual
            prior = figure.prior
            values["budget"] = figure.budget
            if figure.budget is not None:
                values["diff"] = figure.budget - figure.actual
                if interim:
                    values["rate"] = ratio(figure.actual, figure.budget)
            if (
                not note
                and figure.original is not None
                and figure.budget != figure.original
            ):
                note = f"補正 (当初 {yen_text(figure.original)})"
        values["actual"] = actual
        if interim:
            values["prior"] = prior if prior_fig is not None else None
        values["note"] = note or None
        rows.append(Row(label, values, style, level, key))

    # ---- 収入の部
    accounts = _accounts(idx, fig, prior_fig, view, p)
    income: dict[str, _Figure] = defaultdict(_Figure)
    for info in accounts:
        if idx.roots.is_(info.name, Kind.INCOME):
            income[info.budget_line or DEFAULT_INCOME_LINE].add(
                account_figure(info.name, -1)
            )
    opening = fig.net_assets_opening
    prior_opening = prior_fig.net_assets_opening if prior_fig else None
    opening_note = ""
    if fig.brought_in:
        opening_note = f"前身団体からの引継 {yen_text(fig.brought_in)} を含む"
    rows.append(Row("収入の部", {}, "heading", 0))
    emit("前期繰越金", None, actual=opening, prior=prior_opening, note=opening_note)
    income_total = _Figure(budget=0 if view else None, original=None)
    for line in [*INCOME_LINES, *sorted(set(income) - set(INCOME_LINES))]:
        figure = income.get(line, _Figure(budget=0 if view else None))
        if line not in INCOME_LINES and not figure.nonzero:
            continue
        emit(line, figure, level=1, key=f"収入:{line}")
        income_total.add(figure)
    emit("収入合計", income_total, style="total")

    # ---- 支出の部
    rows.append(Row("支出の部", {}, "heading", 0))
    program: dict[int, list[tuple[AccountInfo, _Figure]]] = defaultdict(list)
    admin: list[tuple[AccountInfo, _Figure]] = []
    reserve = _Figure(budget=0 if view else None)
    others: list[tuple[AccountInfo, _Figure]] = []
    for info in accounts:
        if not idx.roots.is_(info.name, Kind.EXPENSES):
            continue
        figure = account_figure(info.name, 1)
        if info.section == "事業費":
            program[info.activity or 0].append((info, figure))
        elif info.section == "管理費":
            admin.append((info, figure))
        elif info.section == "予備費":
            reserve.add(figure)
        else:
            others.append((info, figure))
    rows.append(Row("事業費", {}, "heading", 1))
    program_total = _Figure(budget=0 if view else None)
    for activity in [*ACTIVITIES, *sorted(set(program) - set(ACTIVITIES))]:
        label = (
            f"{activity} {ACTIVITIES[activity]}"
            if activity in ACTIVITIES
            else "事業区分なし"
        )
        rows.append(Row(label, {}, "heading", 2, f"事業{activity}"))
        subtotal = _Figure(budget=0 if view else None)
        for info, figure in program.get(activity, []):
            emit(expense_label(idx, info), figure, level=3, key=info.name)
            subtotal.add(figure)
        emit("小計", subtotal, style="subtotal", level=2, key=f"事業{activity}:小計")
        program_total.add(subtotal)
    emit("事業費計", program_total, style="subtotal", level=1)
    rows.append(Row("管理費", {}, "heading", 1))
    admin_total = _Figure(budget=0 if view else None)
    for info, figure in admin:
        emit(expense_label(idx, info), figure, level=2, key=info.name)
        admin_total.add(figure)
    emit("管理費計", admin_total, style="subtotal", level=1)
    emit("予備費", reserve, level=1, key="予備費")
    expense_total = _Figure(budget=0 if view else None)
    for part in (program_total, admin_total, reserve):
        expense_total.add(part)
    for info, figure in others:
        if figure.nonzero:
            emit(expense_label(idx, info), figure, level=1, key=info.name)
            expense_total.add(figure)
    emit("支出合計", expense_total, style="total")

    # ---- 次期繰越金 (the net assets at the end) and the funds it includes
    closing = fig.net_assets_closing
    prior_closing = prior_fig.net_assets_closing if prior_fig else None
    funds_now = fund_figures(idx, p.start, p.end)
    funds_then = (
        {f.fund.id: f for f in fund_figures(idx, before.start, before.end)}
        if before
        else {}
    )
    fund_note = "、".join(
        f"うち{fund_short(f.fund)} {yen_text(f.closing)}" for f in funds_now
    )
    emit(
        "次期繰越金",
        None,
        style="total",
        actual=closing,
        prior=prior_closing,
        note=f"基金の残高を含む ({fund_note})" if funds_now else "",
    )
    for f in funds_now:
        then = funds_then.get(f.fund.id)
        emit(
            f"うち{fund_short(f.fund)}",
            None,
            level=1,
            key=f"基金:{f.fund.id}",
            actual=f.closing,
            prior=then.closing if then else None,
        )

    remarks = _remarks(idx, year, p, view, fig, funds_now, closing)
    title = TITLE + (" (暫定予算)" if view is not None and view.provisional else "")
    table = Table(title, columns, tuple(rows))
    return Report(NAME, title, year, p.start, p.end, (table,), tuple(remarks), p.as_of)


def _columns(interim: bool, p: Period) -> tuple[Column, ...]:
    actual = f"実績 ({jdate(p.end)}現在)" if interim else "決算額"
    columns = [
        Column("budget", "予算額"),
        Column("actual", actual),
        Column("diff", "差異"),
    ]
    if interim:
        columns += [Column("rate", "執行率", "ratio"), Column("prior", "前年同期")]
    columns.append(Column("note", "備考", "text"))
    return tuple(columns)


def _original(view: BudgetView | None) -> dict[str, Decimal]:
    """The lines as first decided (当初予算), to mark what a 補正予算 changed."""
    if view is None or not view.revised:
        return {}
    firsts = [d for d in view.decisions if d.kind == ORIGINAL] or list(
        view.decisions[:1]
    )
    merged: dict[str, Decimal] = {}
    for decision in firsts:
        merged.update(decision.lines)
    return merged


def _accounts(
    idx: Index, fig: Figures, prior: Figures | None, view: BudgetView | None, p: Period
) -> list[AccountInfo]:
    """Income and expense accounts to show: open in the period, budgeted, or with figures."""
    names = {
        name
        for name, info in idx.chart.accounts.items()
        if info.opened <= p.end and (info.closed is None or info.closed >= p.start)
    }
    names.update(a for a, v in fig.movement.items() if v)
    if prior is not None:
        names.update(a for a, v in prior.movement.items() if v)
    if view is not None:
        names.update(view.lines)
    return [idx.info(n) for n in sorted(names) if idx.roots.is_(n, *FLOW_KINDS)]


def _remarks(
    idx: Index,
    year: FiscalYear,
    p: Period,
    view: BudgetView | None,
    fig: Figures,
    funds: list[FundFigures],
    closing: int,
) -> list[str]:
    remarks = []
    if view is None:
        remarks.append(
            f"{year.label}の予算の記録がありません (budgets.beancount)。予算額の欄は空です。"
        )
    else:
        own = idx.budgets.for_year(year)
        if view.provisional:
            until = (
                f"{jdate(own[0].date)}の{own[0].body}で決定"
                if own
                else "総会で決定されるまで"
            )
            remarks.append(
                f"暫定予算: {year.label}の予算は{p.end.isoformat()}時点で未決定のため、"
                f"{view.source_year.label}の予算で執行しています ({until})。"
            )
        elif own and own[0].date > year.start:
            last_day = own[0].date - datetime.timedelta(days=1)
            previous = year.previous()
            source = f"{previous.label}の" if previous else "前年度の"
            remarks.append(
                f"暫定予算: {jdate(year.start)}から{jdate(last_day)}までは{source}予算で執行しました"
                f" ({jdate(own[0].date)} {own[0].body}で{own[0].kind}を決定)。"
            )
        for decision in view.decisions:
            what = f"{jdate(decision.date)} {decision.body} {decision.kind}"
            if decision.reference:
                what += f" ({decision.reference})"
            remarks.append(
                ("補正予算: " if decision.kind != ORIGINAL else "予算の決定: ") + what
            )
    if funds:
        parts = "、".join(
            f"うち{fund_short(f.fund)} {yen_text(f.closing)}" for f in funds
        )
        remarks.append(
            f"次期繰越金 {yen_text(closing)} には基金の残高を含みます ({parts})。"
        )
    if fig.brought_in:
        remarks.append(
            f"前期繰越金には前身団体からの引継 {yen_text(fig.brought_in)} を含みます。"
        )
    if fig.equity_moves:
        remarks.append(
            f"次期繰越金には正味財産の科目への直接の記帳 {yen_text(fig.equity_moves)} を含みます"
            " (定款第29条: 決定を確認してください)。"
        )
    remarks.append("差異 = 予算額 − 決算額。")
    return remarks
