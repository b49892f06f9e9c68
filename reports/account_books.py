"""The account books as sheets of the audit pack (会計帳簿: what the 監査報告書 names first).

:func:`add_account_books` appends, after the statements: 仕訳帳, 総勘定元帳 (合計残高試算表
and every account's ledger), 現金出納帳 and one 預金出納帳 per bank or fund account, the
固定資産台帳 when the books hold fixed assets, and 源泉徴収 when fees were paid. Every sheet
renders a report of the registry's kind (:mod:`.journal`, :mod:`.general_ledger`,
:mod:`.cashbook`, :mod:`.fixed_assets`, :mod:`.withholding`); nothing is computed here::

    workbook = audit_pack(idx, year)
    add_account_books(workbook, idx, year)   # before the 監査報告書, or after: any order
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from connect_books.fiscal import FiscalYear, Period
from connect_books.reports import (
    cashbook,
    fixed_assets,
    general_ledger,
    journal,
    withholding,
)
from connect_books.reports.index import Index
from connect_books.reports.table import Report
from connect_books.reports.xlsx import add_report_sheet

if TYPE_CHECKING:
    from openpyxl import Workbook

#: The sheets always added, in order (the 出納帳 follow, one per account).
FIXED_SHEETS = ("仕訳帳", "総勘定元帳")
FIXED_ASSETS_SHEET = "固定資産台帳"
WITHHOLDING_SHEET = "源泉徴収"


def add_account_books(
    workbook: Workbook,
    idx: Index,
    year: FiscalYear,
    as_of: datetime.date | None = None,
) -> list[str]:
    """Append the account books of ``year`` (to ``as_of``) as sheets; return their names."""
    period = Period.of(year, as_of)
    names: list[str] = []

    def add(report_sheet: str, made: Report) -> None:
        names.append(add_report_sheet(workbook, made, report_sheet).sheet.title)

    add(FIXED_SHEETS[0], journal.report(idx, period))
    add(FIXED_SHEETS[1], general_ledger.report(idx, period))
    for account in cashbook.cash_accounts(idx, period):
        made = cashbook.account_report(idx, period, account)
        add(made.title, made)
    assets = fixed_assets.report(idx, period)
    if any(row.style == "item" for row in assets.rows):
        add(FIXED_ASSETS_SHEET, assets)
    fees = withholding.report(idx, period)
    if fees.tables[1].rows:
        add(WITHHOLDING_SHEET, fees)
    return names
