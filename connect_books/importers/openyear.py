"""Where an import may land: the one open 年度 of a statement's dates, and its journal.

The date rule is the project's (:mod:`connect_books.journal_target`, shared with ``add``
and Fava's forms): no date before the establishment, in a settled 年度, or too far
ahead. A statement adds two rules of its own: no line dated after today (a bank cannot
report tomorrow; a later date means a wrong date format), and all lines in one 年度, so
that the whole import is one append to one journal (``ledger/2026.beancount``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from beancount.core import data

from connect_books.errors import Refused
from connect_books.fiscal import FiscalYear
from connect_books.importers.statement import BankLine
from connect_books.journal_target import DateRefused, check_day, journal_file

UNCHANGED = " (帳簿は変わっていません)"


class YearRefused(Refused):
    """Statement lines dated where nothing may be imported."""


def statement_year(
    lines: Sequence[BankLine],
    entries: Sequence[data.Directive],
    today: datetime.date,
    name: str,
) -> FiscalYear:
    """The open 年度 all ``lines`` (oldest first) of the statement ``name`` fall in.

    Raises:
      YearRefused: a line is dated after today, before the establishment or in a
        settled 年度, or the lines span two 年度.
    """
    if not lines:
        raise YearRefused(f"{name} に取引の行がありません。")
    ahead = next((line for line in lines if line.date > today), None)
    if ahead is not None:
        msg = (
            f"{name} の{ahead.line}行目 ({ahead.date}) は今日 ({today}) より後の日付です。"
            "明細の日付の書式の設定を確かめてください" + UNCHANGED + "。"
        )
        raise YearRefused(msg)
    first, last = lines[0], lines[-1]
    for line in (first, last):  # the lines between lie in the same 年度 as these two
        try:
            check_day(line.date, entries, today)
        except DateRefused as exc:
            raise YearRefused(f"{name} の{line.line}行目: {exc}{UNCHANGED}") from None
    year = FiscalYear.of(first.date)
    if FiscalYear.of(last.date) != year:
        later = next(line for line in lines if FiscalYear.of(line.date) != year)
        msg = (
            f"{name} は{year.label}と{FiscalYear.of(later.date).label}にまたがっています"
            f" ({later.line}行目 {later.date} から)。年度ごとに、{year.end} までと"
            f" {year.end + datetime.timedelta(days=1)} からに分けて書き出した明細を"
            "取り込んでください" + UNCHANGED + "。"
        )
        raise YearRefused(msg)
    return year


def journal(
    main: Path,
    entries: Sequence[data.Directive],
    day: datetime.date,
    today: datetime.date,
) -> Path:
    """The journal file the import of a statement ending on ``day`` goes to."""
    return journal_file(main, entries, day, today)
