"""収支計算書 (任意団体様式): budget against actual in 資金, for the 総会 and the board.

One table per 会計 — first the 合計 of all of them (the report's ``rows``; the 繰入・繰出
between 会計 are eliminated there, 内部取引消去), then the 一般会計 and each fund's
特別会計 — each in the form::

    Ⅰ 収入の部   会費 … 雑収入, (積立金取崩収入), (他会計からの繰入収入),
                 当期収入合計, 前期繰越収支差額, 収入合計
    Ⅱ 支出の部   事業費 (事業内容 1〜5, 科目ごと), 管理費, 固定資産取得支出, 積立金繰入支出,
                 (他会計への繰出支出), 予備費, 当期支出合計
    当期収支差額 = 当期収入合計 − 当期支出合計
    次期繰越収支差額 = 収入合計 − 当期支出合計 = the 資金 at the end (:mod:`.liquidity`)

Columns: 予算額 | 決算額 | 差異 (予算額 − 決算額) | 備考; during the year 実績 (…現在), 達成率・執行率
and 前年同期 (with its dates). Budgets are the exact approved amounts
(:meth:`Budgets.in_force`); a budget line belongs to the 会計 of its account (a fund's
accounts, ``fund:``, to its 特別会計). The budget column is complete: its 前期繰越収支差額 is
the 資金 carried forward (the same as the 決算額) and its 次期繰越収支差額 follows, so the
approved budget balances on paper. Rows of the 合計 table carry stable keys (``収入:会費``,
``事業1:小計``, ``当期収入合計``, ``次期繰越収支差額`` …; an account row is keyed by its
account); a 会計's table uses the same keys after ``<会計>:`` (``inclufund:次期繰越収支差額``).

The CLI and the JSON still call this report ``budget``; ``income-expenditure`` is an alias.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from connect_books.budgets import ORIGINAL, BudgetView
from connect_books.fiscal import FiscalYear, Period, jdate
from connect_books.money import yen_text
from connect_books.reports import liquidity
from connect_books.reports.figures import figures_of
from connect_books.reports.ie_rows import SectionData, account_label, build_rows
from connect_books.reports.index import Index
from connect_books.reports.liquidity import GENERAL, TOTAL, Section
from connect_books.reports.table import Column, Report, Row, Table

NAME = "budget"
TITLE = "収支計算書"
CLOSING = "次期繰越収支差額"


def section_key(section: str, key: str) -> str:
    """The key of row ``key`` in the table of 会計 ``section`` (``total``: unprefixed)."""
    return key if section == TOTAL else f"{section}:{key}"


def carried_forward(report: Report) -> dict[str, int | None]:
    """The 次期繰越収支差額 of each 会計 (and ``total``) as printed, by stable key.

    A 会計 whose row is missing maps to None (never 0), so a tie-out fails on it.
    """
    found: dict[str, int | None] = {}
    for table in report.tables:
        for row in table.rows:
            if row.key == CLOSING:
                found[TOTAL] = _int(row.get("actual"))
            elif row.key.endswith(f":{CLOSING}"):
                found[row.key.removesuffix(f":{CLOSING}")] = _int(row.get("actual"))
    return found


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def report(idx: Index, p: Period) -> Report:
    """The 収支計算書 for the period ``p`` (実績 to date when it stops inside its 年度)."""
    year = p.year
    before = p.previous_point()
    view = idx.budgets.in_force(year, p.end)
    now = _section_data(idx, p)
    then = _section_data(idx, before) if before else None
    columns = _columns(p, before)
    sections = liquidity.sections(idx)
    everything = [Section(TOTAL, "合計 (一般会計・特別会計)"), *sections]
    tables = []
    for section in everything:
        rows = build_rows(
            idx,
            section,
            now,
            then,
            view,
            _original(view),
            interim=p.interim,
            full=section.key in (TOTAL, GENERAL),
            key=functools.partial(section_key, section.key),
        )
        if section.key == TOTAL:  # the first table's title is not printed above it
            rows.insert(0, Row(section.label, {}, "heading", 0, "合計"))
        tables.append(Table(section.label, columns, tuple(rows)))
    remarks = _remarks(idx, year, p, view, now, sections, before)
    title = TITLE + (" (暫定予算)" if view is not None and view.provisional else "")
    return Report(
        NAME, title, year, p.start, p.end, tuple(tables), tuple(remarks), p.as_of
    )


def _section_data(idx: Index, p: Period) -> SectionData:
    """The flows of ``p`` and the 資金 at its start (incl. balances brought in) and end."""
    fig = figures_of(idx, p.start, p.end)
    liquid = liquidity.liquid_accounts(idx)
    opening = dict.fromkeys([s.key for s in liquidity.sections(idx)], 0)
    brought = dict(opening)
    for account, key in liquid.items():
        opening[key] += fig.opening.get(account, 0)
        brought[key] += fig.opening.get(account, 0) - idx.balance(
            account, p.start - datetime.timedelta(days=1)
        )
    opening[TOTAL] = sum(opening.values())
    brought[TOTAL] = sum(brought.values())
    return SectionData(
        liquidity.flows(idx, p.start, p.end),
        opening,
        liquidity.position(idx, p.end),
        brought,
    )


def _columns(p: Period, before: Period | None) -> tuple[Column, ...]:
    if not p.interim:
        return (
            Column("budget", "予算額"),
            Column("actual", "決算額"),
            Column("diff", "差異"),
            Column("note", "備考", "text"),
        )
    prior = "前年同期"
    if before is not None:
        prior += f" ({jdate(before.start)}〜{jdate(before.end)})"
    return (
        Column("budget", "予算額"),
        Column("actual", f"実績 ({jdate(p.end)}現在)"),
        Column("diff", "差異"),
        Column("rate", "達成率・執行率", "ratio"),
        Column("prior", prior),
        Column("note", "備考", "text"),
    )


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


def _remarks(
    idx: Index,
    year: FiscalYear,
    p: Period,
    view: BudgetView | None,
    now: SectionData,
    sections: list[Section],
    before: Period | None,
) -> list[str]:
    closing = now.closing
    parts = "、".join(f"{s.label} {yen_text(closing[s.key])}" for s in sections)
    remarks = _budget_remarks(idx, year, p, view)
    remarks += [
        f"資金の範囲: {liquidity.scope_text(idx)}。次期繰越収支差額は{jdate(p.end)}の資金"
        f" {yen_text(closing[TOTAL])} ({parts}) で、貸借対照表の流動資産"
        f" {yen_text(closing.assets[TOTAL])} − 流動負債 {yen_text(closing.liabilities[TOTAL])}"
        " と一致します。"
    ]
    transfers = {
        key: value
        for key, value in now.flows.of(TOTAL).items()
        if key in liquidity.TRANSFER_KEYS and value
    }
    if transfers:
        listed = "、".join(f"{k} {yen_text(v)}" for k, v in sorted(transfers.items()))
        remarks.append(
            f"合計は各会計の合計から、会計間の繰入・繰出 ({listed}) を内部取引として"
            "除いたものです (内部取引消去。当期収支差額は変わりません)。"
        )
    non_cash = {a: v for a, v in now.flows.non_cash.items() if v}
    if non_cash:
        listed = "、".join(
            f"{account_label(idx, a)} {yen_text(abs(v))}"
            for a, v in sorted(non_cash.items())
        )
        remarks.append(
            f"資金の増減を伴わない取引 ({listed}) は収支計算書に含めません (活動計算書には含みます)。"
        )
    if now.brought[TOTAL]:
        remarks.append(
            f"前期繰越収支差額には前身団体から引き継いだ資金 {yen_text(now.brought[TOTAL])} を含みます。"
        )
    if p.interim:
        prior = (
            f"前年同期は{jdate(before.start)}から{jdate(before.end)}までの実績です。"
            if before
            else "前年同期はありません (初年度、または前年のその日は設立前)。"
        )
        remarks.append(
            "差異 = 予算額 − 実績。達成率 = 収入の実績 ÷ 予算額、執行率 = 支出の実績 ÷ 予算額。"
            + prior
        )
    else:
        remarks.append("差異 = 予算額 − 決算額。")
    return remarks


def _budget_remarks(
    idx: Index, year: FiscalYear, p: Period, view: BudgetView | None
) -> list[str]:
    if view is None:
        return [
            f"{year.label}の予算の記録がありません (budgets.beancount)。予算額の欄は空です。"
        ]
    remarks: list[str] = []
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
    remarks.append(
        "予算額の前期繰越収支差額は前年度から繰り越した資金 (決算額と同じ)、"
        "次期繰越収支差額は 収入合計 − 当期支出合計 です (予算も収支が合います)。"
    )
    return remarks
