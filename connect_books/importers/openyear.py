"""Where an import may land: the one open 年度 of its dates, and that year's journal.

A private version of the rule (another module will own it; the lead unifies them): a
年度 is open when it is not settled (``custom "settlement"``), comes after the last
settled one, and has begun (it is not later than today's 年度). Its journal is
``<ledger folder>/<year>.beancount`` (``ledger/2026.beancount``), created and included
by the safe writer if it does not exist yet.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from connect_books.errors import Refused
from connect_books.fiscal import ESTABLISHED, FiscalYear
from connect_books.importers.statement import BankLine


class YearRefused(Refused):
    """Statement lines dated where nothing may be imported."""


def journal_path(root: Path, year: FiscalYear) -> Path:
    """The journal file of ``year`` in the ledger folder ``root``."""
    return root / f"{year.year}.beancount"


def open_year(
    lines: Iterable[BankLine],
    settled: Iterable[FiscalYear],
    today: datetime.date,
    name: str,
) -> FiscalYear:
    """The open 年度 all ``lines`` of the statement ``name`` fall in.

    Raises:
      YearRefused: a line is dated before the establishment, after today, in a settled
        year or before it, or the lines span two 年度.
    """
    closed = sorted(settled)
    last_settled = closed[-1] if closed else None
    year: FiscalYear | None = None
    for line in lines:
        where = f"{name} の{line.line}行目 ({line.date})"
        if line.date < ESTABLISHED:
            msg = f"{where}は設立 ({ESTABLISHED}) より前の日付です。この明細は取り込めません。"
            raise YearRefused(msg)
        if line.date > today:
            msg = f"{where}は今日 ({today}) より後の日付です。明細の日付の書式の設定を確かめてください。"
            raise YearRefused(msg)
        this = FiscalYear.of(line.date)
        if last_settled is not None and this <= last_settled:
            state = (
                "決算済み"
                if this in closed
                else f"決算済みの{last_settled.label}より前"
            )
            msg = (
                f"{where}は{state}の{this.label}の日付です。決算済みの年度には取り込めません。"
                f"訂正は{last_settled.next().label}の修正仕訳で行ってください (帳簿は変わっていません)。"
            )
            raise YearRefused(msg)
        if year is not None and this != year:
            msg = (
                f"{name} は{year.label}と{this.label}にまたがっています ({where})。"
                f"年度ごとに、{year.end} までと {this.start} からに分けて書き出した明細を"
                "取り込んでください (帳簿は変わっていません)。"
            )
            raise YearRefused(msg)
        year = this
    if year is None:
        raise YearRefused(f"{name} に取引の行がありません。")
    return year
