"""Where a new entry goes: the journal file of its 年度, never a settled year, never main.

The one rule every writer of everyday entries uses (``connect-books add``, ``dues pay``,
the Fava 記帳 page, the bank import)::

    from connect_books.journal_target import journal_file

    target = journal_file(books.path, books.entries, day)   # ledger/2026.beancount

* an entry dated ``day`` goes into ``<ledger folder>/<year>.beancount``, where ``year``
  is the 年度 of ``day`` (2026-05-01 → ``2026.beancount``;
  :func:`journal_for`); the first entry of a new 年度 creates the
  file and :func:`connect_books.writer.append` includes it;
* a date in a settled 年度 (``custom "settlement"``), before the establishment
  (2025-06-28, 附則3) or more than :data:`FUTURE_DAYS` days after today is refused in
  Japanese, before anything is written;
* the target is never ``main.beancount`` (the writer refuses that too).

:func:`check_day` is the date rule alone, for a form that wants to say what is wrong with
a date before the rest is filled in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from beancount.core import data

from connect_books.errors import Refused
from connect_books.fiscal import ESTABLISHED, FiscalYear, jdate
from connect_books.plugins.hygiene import FUTURE_DAYS
from connect_books.settlement import Settlement, read_settlements

#: The main file's name: never a target.
MAIN_FILE = "main.beancount"


class DateRefused(Refused):
    """A date no new entry may have; ``str()`` says why, in Japanese."""


def settled_years(entries: Iterable[data.Directive]) -> dict[FiscalYear, Settlement]:
    """The settled 年度 of the books (malformed settlements are the plugin's to report)."""
    return read_settlements(
        e for e in entries if isinstance(e, data.Custom) and e.type == "settlement"
    )[0]


def journal_for(main: Path, day: datetime.date) -> Path:
    """The journal file for an entry dated ``day`` (``<ledger>/<年度>.beancount``)."""
    return Path(main).resolve().parent / f"{FiscalYear.of(day).year}.beancount"


def check_day(
    day: datetime.date,
    entries: Iterable[data.Directive],
    today: datetime.date | None = None,
) -> FiscalYear:
    """The 年度 of a new entry dated ``day``, if an entry may be dated so.

    Raises:
      DateRefused: the day is before the establishment, too far ahead, or in a settled
        年度 (the message says what to do instead).
    """
    today = today or datetime.date.today()
    if day < ESTABLISHED:
        raise DateRefused(
            f"日付 {day.isoformat()} は機構の設立 ({jdate(ESTABLISHED)}、附則3) より前です。"
            "日付を確かめてください。"
        )
    limit = today + datetime.timedelta(days=FUTURE_DAYS)
    if day > limit:
        raise DateRefused(
            f"日付 {day.isoformat()} は今日 ({today.isoformat()}) から {FUTURE_DAYS} 日より先です。"
            "日付の打ち間違いでないか確かめてください。"
        )
    year = FiscalYear.of(day)
    settlement = settled_years(entries).get(year)
    if settlement is not None:
        raise DateRefused(
            f"日付 {day.isoformat()} の{year.label}は決算済み ({jdate(settlement.date)} "
            f"{settlement.body}承認) で、記録を追加できません (第27条2)。訂正は今の年度の日付で、"
            "過年度損益修正の仕訳として書いてください。"
        )
    return year


def journal_file(
    ledger_main: Path,
    entries: Iterable[data.Directive],
    day: datetime.date,
    today: datetime.date | None = None,
) -> Path:
    """The journal file an entry dated ``day`` is appended to (it may not exist yet).

    Args:
      ledger_main: the main file of the books.
      entries: the loaded entries (for the settled years).
      day: the entry's date.
      today: today's date (for tests).
    Raises:
      DateRefused: see :func:`check_day`.
    """
    check_day(day, entries, today)
    main = Path(ledger_main).resolve()
    target = journal_for(main, day)
    if target == main:  # a main file called 2026.beancount: never write into it
        raise DateRefused(
            f"{main.name} は帳簿のメインファイルなので、仕訳は書けません。"
            f"メインファイルの名前を {MAIN_FILE} にしてください。"
        )
    return target
