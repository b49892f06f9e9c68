"""財産目録: every asset and liability with its detail, at the year end (or an as-of day).

Columns 科目 | 摘要 | 金額. Cash shows its ``detail`` (手許有高); deposits their bank and
branch (never an account number); 未収会費 one line per member and 年度 in arrears
(「2025年度会費 エコメッセ分」); 未払金 one line per payee (「○○に対する…」); 前受会費 per
member. A fund's deposit says whether it is 指定正味財産 or a 特定資産 and its 使用目的.
資産合計, 負債合計 and 正味財産 (with うち指定・うち一般正味財産) agree with the 貸借対照表.
"""

from __future__ import annotations

import datetime

from connect_books.accounts import Kind
from connect_books.chart import AccountInfo, Role
from connect_books.fiscal import FiscalYear, Period, jdate
from connect_books.money import yen_text
from connect_books.reports.balance_sheet import (
    ASSET_SECTIONS,
    LIABILITY_SECTIONS,
    sections,
)
from connect_books.reports.figures import figures_of, split_of
from connect_books.reports.index import Index
from connect_books.reports.labels import fund_use, short_name
from connect_books.reports.subledgers import (
    dues_ahead,
    dues_lines,
    open_payables,
    years_through,
)
from connect_books.reports.table import Column, Report, Row, Table

NAME = "inventory"
TITLE = "財産目録"


def item_name(info: AccountInfo) -> str:
    """The 科目 of an inventory line: ``普通預金`` for ``1120-普通預金-ろうきん``."""
    return info.label.split("-", 1)[0]


def deposit_detail(idx: Index, info: AccountInfo) -> str:
    """``中央労働金庫 世田谷支店`` (plus the fund it holds and its 使用目的), else ``detail``."""
    fund = idx.funds.funds.get(info.fund)
    use = ""
    if fund is not None:
        kind = "指定正味財産" if fund.restricted else "特定資産"
        use = f" ({fund.name}: {kind}、使用目的: {fund_use(fund)})"
    if info.bank:
        return " ".join(x for x in (info.bank, info.branch) if x) + use
    return info.detail + use


def report(idx: Index, p: Period) -> Report:
    """The 財産目録 at the end of the period ``p`` (its year end or as-of day)."""
    fig = figures_of(idx, p.start, p.end)
    rows: list[Row] = []
    unexplained: list[str] = []

    def item(label: str, detail: str, amount: int, level: int, key: str) -> None:
        rows.append(
            Row(label, {"detail": detail, "amount": amount}, "item", level, key)
        )

    def details(info: AccountInfo, amount: int, level: int) -> None:
        """One or more lines for an account holding ``amount`` (positive)."""
        parts = _breakdown(idx, info, p.end)
        if parts is None:
            item(item_name(info), deposit_detail(idx, info), amount, level, info.name)
            return
        explained = 0
        for detail, value in parts:
            item(item_name(info), detail, value, level, info.name)
            explained += value
        if amount != explained:
            item(item_name(info), "内訳不明", amount - explained, level, info.name)
            unexplained.append(f"{info.label} {yen_text(amount - explained)}")

    def block(
        kind: Kind, known: tuple[str, ...], sign: int, heading: str, total_label: str
    ) -> int:
        rows.append(Row(heading, {}, "heading", 0, heading))
        grand = 0
        for section, by_line in sections(idx, kind, known, p.end).items():
            amounts = {
                a: sign * fig.closing(a)
                for accounts in by_line.values()
                for a in accounts
            }
            if not any(amounts.values()):
                continue
            rows.append(Row(section, {}, "heading", 1, section))
            subtotal = 0
            for accounts in by_line.values():
                for account in accounts:
                    if amounts[account]:
                        details(idx.info(account), amounts[account], 2)
                        subtotal += amounts[account]
            rows.append(
                Row(
                    f"{section}合計",
                    {"amount": subtotal},
                    "subtotal",
                    1,
                    f"{section}合計",
                )
            )
            grand += subtotal
        rows.append(Row(total_label, {"amount": grand}, "total", 0, total_label))
        return grand

    assets = block(Kind.ASSETS, ASSET_SECTIONS, 1, "Ⅰ資産の部", "資産合計")
    liabilities = block(
        Kind.LIABILITIES, LIABILITY_SECTIONS, -1, "Ⅱ負債の部", "負債合計"
    )
    rows.append(
        Row("正味財産", {"amount": assets - liabilities}, "total", 0, "正味財産")
    )
    split = split_of(idx, p.start, p.end)
    rows.append(
        Row(
            "うち指定正味財産",
            {"detail": "使途が制約された寄付等", "amount": split.restricted_closing},
            "item",
            1,
            "指定正味財産",
        )
    )
    rows.append(
        Row(
            "うち一般正味財産",
            {"amount": split.general_closing},
            "item",
            1,
            "一般正味財産",
        )
    )

    columns = (Column("detail", "摘要", "text"), Column("amount", "金額"))
    remarks = [f"{jdate(p.end)}現在"]
    if unexplained:
        remarks.append(
            "内訳 (会員・支払先) の記録のない残高があります: "
            + "、".join(unexplained)
            + "。仕訳に member: または payee: を付けてください。"
        )
    table = Table(TITLE, columns, tuple(rows))
    return Report(
        NAME, TITLE, p.year, p.start, p.end, (table,), tuple(remarks), p.as_of
    )


def _breakdown(
    idx: Index, info: AccountInfo, day: datetime.date
) -> list[tuple[str, int]] | None:
    """Detail lines for accounts kept per member or payee (None: one line for the account)."""
    if info.role is Role.DUES_RECEIVABLE:
        years = years_through(idx.first, FiscalYear.of(day))
        return [
            (f"{line.year.label}会費 {short_name(line.member.name)}分", line.receivable)
            for line in dues_lines(idx, years, day)
            if line.receivable
        ]
    if info.role is Role.DUES_ADVANCE:
        following = FiscalYear.of(day).next()
        return [
            (
                f"{line.year.label}会費 {short_name(line.member.name)}分 (前受)",
                line.ahead,
            )
            for line in dues_ahead(idx, following, day)
        ]
    if info.role is Role.PAYABLE:
        result = []
        for item in open_payables(idx, day):
            if item.account != info.name:
                continue
            what = (
                item.narrations[0]
                if len(item.narrations) == 1
                else f"未払金 ({len(item.narrations)}件)"
            )
            result.append((f"{item.key}に対する{what}", item.amount))
        return result
    return None
