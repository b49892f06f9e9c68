"""Which 年度 a page shows: Fava's time filter read as a :class:`~connect_books.fiscal.Period`.

The books set ``fiscal-year-end`` to ``15-31``, so Fava's ``FY2025`` is 2025年度
(2025-04-01..2026-03-31) and the pages simply follow Fava's time filter:

* ``FY2025`` (or any range ending on a year end): the whole 2025年度;
* a range ending inside a 年度 (``2026-04-01 - 2026-11-30``, ``2026-11``): that 年度 through
  the last day of the range (実績 to date); statements always count from the first day
  of the 年度, and the page says so when the range starts later;
* a bare year (``2025``): the 年度 2025 (a Japanese reader means 2025年度, not Fava's
  calendar year), said so on the page;
* no filter: the latest 年度 that has ended (the one the 監事 audit), else the current one.

A range whose last day has not come yet (``2026-12-31`` on 2026-11-30) runs to today,
and the page says so.

As with ``connect-books report``, a 年度 that has not ended yet is shown to today
(:func:`connect_books.reports.output.period_for` makes the period from the choice).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from fava.util.date import FiscalYearEnd, parse_date

from connect_books.fiscal import ESTABLISHED, FiscalYear, Period, jdate

#: A time filter that is just a year (``2025``).
_BARE_YEAR = re.compile(r"^\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Choice:
    """The 年度 (and last day, when the filter ends inside it) a page shows, and why."""

    year: FiscalYear
    as_of: datetime.date | None = None
    notice: str = ""


def fava_time(period: Period) -> str:
    """Fava's time filter for exactly ``period`` (for links to Fava's own pages)."""
    if period.as_of is None:
        return f"FY{period.year.year}"
    return f"{period.start.isoformat()} - {period.end.isoformat()}"


def years_between(
    first: datetime.date | None, last: datetime.date | None
) -> tuple[FiscalYear, ...]:
    """The 年度 from the first to the last record (the selector's choices)."""
    if first is None or last is None:
        return ()
    years = []
    year = FiscalYear.of(first)
    while year <= FiscalYear.of(last):
        years.append(year)
        year = year.next()
    return tuple(years)


def default_year(
    first: datetime.date | None, last: datetime.date | None, today: datetime.date
) -> FiscalYear:
    """The latest 年度 with records that has ended, else the latest one."""
    years = years_between(first, last)
    ended = [year for year in years if year.end < today]
    if ended:
        return ended[-1]
    return years[-1] if years else FiscalYear.of(today)


def choose(
    time: str | None,
    fiscal_year_end: FiscalYearEnd | None,
    *,
    first: datetime.date | None,
    last: datetime.date | None,
    today: datetime.date,
) -> Choice:
    """The 年度 for Fava's time filter ``time`` (see the module docstring)."""
    bare = _BARE_YEAR.match(time or "")
    asked = f"FY{bare.group(1)}" if bare else time
    try:
        begin, end = parse_date(asked, fiscal_year_end) if asked else (None, None)
        if begin is not None and end is not None:
            found = _within(begin, end - datetime.timedelta(days=1), today)
            if bare and found.year == FiscalYear(int(bare.group(1))):
                said = (
                    f"Fava の期間 '{time}' を{found.year.label}として表示しています。"
                )
                return Choice(found.year, found.as_of, said)
            return found
    except (ValueError, OverflowError):  # a date no calendar holds (FY9999)
        pass
    year = default_year(first, last, today)
    if not time:
        return Choice(
            year,
            None,
            f"Fava の期間が指定されていないので、{year.label}を表示しています。",
        )
    return Choice(
        year,
        None,
        f"Fava の期間 '{time}' が読めないので、{year.label}を表示しています。",
    )


def _within(
    begin: datetime.date, through: datetime.date, today: datetime.date
) -> Choice:
    """The 年度 of the range ``begin``..``through``: the one its last day lies in (a
    last day inside the 年度 that has not come yet: today)."""
    if through < ESTABLISHED:
        year = FiscalYear.of(ESTABLISHED)
        return Choice(
            year,
            None,
            f"Fava の期間は設立 ({jdate(ESTABLISHED)}) より前なので、{year.label}を表示しています。",
        )
    year = FiscalYear.of(through)
    notices = []
    if year.start <= today < through < year.end:
        notices.append(
            f"Fava の期間の最後の日 ({jdate(through)}) はまだ来ていないので、"
            f"今日 ({jdate(today)}) までを表示しています。"
        )
        through = today
    if begin > year.start:
        notices.append(
            f"計算書は年度の初日 ({jdate(year.start)}) から{jdate(through)}までを集計しています。"
        )
    elif FiscalYear.of(max(begin, ESTABLISHED)) != year:
        notices.append(
            f"Fava の期間は年度をまたいでいるので、期間の最後の日の年度 ({year.label}) を表示しています。"
        )
    return Choice(year, through if through < year.end else None, "".join(notices))
