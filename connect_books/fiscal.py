"""The fiscal year (事業年度, 第28条): 4月1日から翌年3月31日まで.

The articles took effect on 2025-06-28 (附則3), so the first year, 2025年度, is short:
2025-06-28..2026-03-31. A :class:`FiscalYear` is a value: compare, hash and sort it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from connect_books.errors import Refused

#: The day the articles took effect (附則3): the start of the first 年度.
ESTABLISHED = datetime.date(2025, 6, 28)

_YEAR_RE = re.compile(r"^\s*(?:FY)?(\d{4})(?:年度)?\s*$", re.IGNORECASE)


#: The last 年度 a date can end (its year end must be a valid date).
LAST_YEAR = 9998


class YearOutOfRange(ValueError):
    """A 年度 before the establishment or beyond what a date can hold."""


@dataclass(frozen=True, order=True)
class FiscalYear:
    """One 年度, named by the calendar year in which it starts (2025年度 = 2025-04..2026-03)."""

    year: int

    def __post_init__(self) -> None:
        if self.year < ESTABLISHED.year:
            msg = f"{self.year}年度は設立 ({ESTABLISHED.isoformat()}) 前の年度です。"
            raise YearOutOfRange(msg)
        if self.year > LAST_YEAR:
            msg = f"{self.year}年度の記録は帳簿にありません。年度を確かめてください。"
            raise YearOutOfRange(msg)

    @classmethod
    def of(cls, day: datetime.date) -> FiscalYear:
        """The 年度 a date falls in (dates before the establishment fall in the first)."""
        day = max(day, ESTABLISHED)
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str | int) -> FiscalYear:
        """Parse ``2025``, ``"2025"``, ``"2025年度"`` or ``"FY2025"``."""
        if isinstance(text, int):
            return cls(text)
        match = _YEAR_RE.match(text)
        if not match:
            msg = f"年度の指定 '{text}' が読めません。2025 や 2025年度 のように書いてください。"
            raise ValueError(msg)
        return cls(int(match.group(1)))

    @property
    def nominal_start(self) -> datetime.date:
        """April 1 of the year, ignoring the short first year."""
        return datetime.date(self.year, 4, 1)

    @property
    def start(self) -> datetime.date:
        """First day of the 年度 (2025-06-28 for the short first year)."""
        return max(self.nominal_start, ESTABLISHED)

    @property
    def end(self) -> datetime.date:
        """Last day of the 年度 (March 31)."""
        return datetime.date(self.year + 1, 3, 31)

    @property
    def end_exclusive(self) -> datetime.date:
        """The day after the year end: where Beancount's year-end ``balance`` goes."""
        return datetime.date(self.year + 1, 4, 1)

    @property
    def settlement_deadline(self) -> datetime.date:
        """The last day for the 総会 to approve the settlement: 3 months after the year end
        (第20条, 第27条2)."""
        return datetime.date(self.year + 1, 6, 30)

    @property
    def is_short(self) -> bool:
        """Whether this 年度 starts later than April 1 (the first year)."""
        return self.start != self.nominal_start

    @property
    def label(self) -> str:
        """Japanese label, e.g. ``2025年度``."""
        return f"{self.year}年度"

    @property
    def period_label(self) -> str:
        """``自 2025年6月28日 至 2026年3月31日`` as printed on statements."""
        return f"自 {jdate(self.start)} 至 {jdate(self.end)}"

    def contains(self, day: datetime.date) -> bool:
        """Whether ``day`` lies in this 年度."""
        return self.start <= day <= self.end

    def previous(self) -> FiscalYear | None:
        """The 年度 before, or None for the first year."""
        return None if self.year <= ESTABLISHED.year else FiscalYear(self.year - 1)

    def next(self) -> FiscalYear:
        """The 年度 after."""
        return FiscalYear(self.year + 1)

    def month_ends(self) -> list[datetime.date]:
        """The last day of each month of the 年度, in order."""
        ends = []
        month = datetime.date(self.start.year, self.start.month, 1)
        while month <= self.end:
            following = datetime.date(
                month.year + (month.month == 12), month.month % 12 + 1, 1
            )
            ends.append(following - datetime.timedelta(days=1))
            month = following
        return ends

    def __str__(self) -> str:
        return self.label


def jdate(day: datetime.date) -> str:
    """``2026年3月31日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def same_day_last_year(day: datetime.date) -> datetime.date:
    """The same day one year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class PeriodRefused(Refused):
    """A period cannot be made as asked (a date outside its 年度)."""


@dataclass(frozen=True)
class Period:
    """The span a statement covers: ``start``..``end`` inclusive, within one 年度.

    ``as_of`` is set when the span stops before the year end ("through date X", 途中):
    the statement then shows 実績 to that day, not a settled year.
    """

    year: FiscalYear
    start: datetime.date
    end: datetime.date
    as_of: datetime.date | None

    @classmethod
    def of(cls, year: FiscalYear, as_of: datetime.date | None = None) -> Period:
        """The whole ``year``, or its part through ``as_of`` when that lies inside it.

        Raises:
          PeriodRefused: ``as_of`` lies before the year starts.
        """
        if as_of is not None and as_of < year.start:
            msg = f"基準日 {as_of.isoformat()} は{year.label}の開始 ({year.start.isoformat()}) より前です。"
            raise PeriodRefused(msg)
        inside = as_of is not None and as_of < year.end
        end = as_of if inside and as_of is not None else year.end
        return cls(year, year.start, end, as_of if inside else None)

    @property
    def interim(self) -> bool:
        """Whether the statement stops before the year end (実績 to date)."""
        return self.as_of is not None

    def previous_point(self) -> Period | None:
        """The same point of the previous 年度 (None for the first year, and for a day
        whose counterpart a year before came before the organisation was founded)."""
        previous = self.year.previous()
        if previous is None:
            return None
        if self.as_of is None:
            return Period(previous, previous.start, previous.end, None)
        if same_day_last_year(self.as_of) < previous.start:
            return None  # (nothing to compare with: not a period of zeros)
        end = min(same_day_last_year(self.as_of), previous.end)
        return Period(
            previous, previous.start, end, end if end < previous.end else None
        )

    @property
    def label(self) -> str:
        """``2025年度 (自 … 至 …)``, or ``… 現在まで`` for an interim statement."""
        if self.as_of is None:
            return f"{self.year.label} ({self.year.period_label})"
        return f"{self.year.label} ({jdate(self.start)}から{jdate(self.end)}現在まで)"
