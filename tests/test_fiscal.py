"""年度 (第28条) and the periods a statement covers."""

from __future__ import annotations

import datetime as dt

import pytest

from connect_books.errors import Refused
from connect_books.fiscal import (
    ESTABLISHED,
    FiscalYear,
    Period,
    PeriodRefused,
    jdate,
    same_day_last_year,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (D(2026, 3, 31), 2025),
        (D(2026, 4, 1), 2026),
        (D(2027, 3, 31), 2026),
        (D(2028, 2, 29), 2027),
        (D(2028, 4, 1), 2028),
        (D(2025, 6, 28), 2025),
        (D(2025, 4, 1), 2025),  # before the articles: folds into the first year
        (D(2026, 12, 31), 2026),
        (D(2027, 1, 1), 2026),
    ],
)
def test_year_of_date(day: dt.date, year: int) -> None:
    assert FiscalYear.of(day) == FiscalYear(year)


def test_short_first_year() -> None:
    first = FiscalYear(2025)
    assert first.start == ESTABLISHED == D(2025, 6, 28)
    assert first.end == D(2026, 3, 31)
    assert first.is_short
    assert first.label == "2025年度"
    assert first.previous() is None
    assert first.contains(D(2025, 6, 28)) and not first.contains(D(2025, 6, 27))
    assert first.month_ends()[0] == D(2025, 6, 30)
    assert len(first.month_ends()) == 10


def test_full_year_and_leap_day() -> None:
    fy = FiscalYear(2027)
    assert (fy.start, fy.end) == (D(2027, 4, 1), D(2028, 3, 31))
    assert not fy.is_short
    assert fy.contains(D(2028, 2, 29))
    assert fy.end_exclusive == D(2028, 4, 1)
    assert D(2028, 2, 29) in fy.month_ends()
    assert len(fy.month_ends()) == 12
    assert fy.previous() == FiscalYear(2026)
    assert fy.next() == FiscalYear(2028)
    assert fy.period_label == "自 2027年4月1日 至 2028年3月31日"


@pytest.mark.parametrize("text", ["2026", "2026年度", "FY2026", " fy2026 ", 2026])
def test_parse(text: str | int) -> None:
    assert FiscalYear.parse(text) == FiscalYear(2026)


@pytest.mark.parametrize("text", ["26", "令和8年度", "2026-04", ""])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="年度"):
        FiscalYear.parse(text)


def test_before_establishment_is_refused() -> None:
    with pytest.raises(ValueError, match="設立"):
        FiscalYear(2024)


def test_ordering_and_hash() -> None:
    assert sorted({FiscalYear(2027), FiscalYear(2025), FiscalYear(2025)}) == [
        FiscalYear(2025),
        FiscalYear(2027),
    ]


def test_japanese_dates_and_the_same_day_last_year() -> None:
    assert jdate(D(2026, 3, 31)) == "2026年3月31日"
    assert same_day_last_year(D(2026, 11, 30)) == D(2025, 11, 30)
    assert same_day_last_year(D(2028, 2, 29)) == D(2027, 2, 28)


def test_whole_year_period() -> None:
    period = Period.of(FiscalYear(2025))
    assert (period.start, period.end, period.as_of) == (
        D(2025, 6, 28),
        D(2026, 3, 31),
        None,
    )
    assert not period.interim
    assert period.label == "2025年度 (自 2025年6月28日 至 2026年3月31日)"
    assert period.previous_point() is None  # the first 年度 has none
    # a date on or after the year end is the whole year
    assert Period.of(FiscalYear(2025), D(2026, 3, 31)) == period
    assert Period.of(FiscalYear(2025), D(2026, 6, 1)) == period


def test_interim_period_and_the_same_point_last_year() -> None:
    period = Period.of(FiscalYear(2026), D(2026, 11, 30))
    assert period.interim and (period.start, period.end) == (
        D(2026, 4, 1),
        D(2026, 11, 30),
    )
    assert period.label == "2026年度 (2026年4月1日から2026年11月30日現在まで)"
    before = period.previous_point()
    assert before == Period(
        FiscalYear(2025), D(2025, 6, 28), D(2025, 11, 30), D(2025, 11, 30)
    )
    # a point before the short first year began has nothing to compare with
    assert Period.of(FiscalYear(2026), D(2026, 5, 31)).previous_point() is None
    same = Period.of(FiscalYear(2026), D(2026, 6, 28)).previous_point()
    assert same is not None and (same.start, same.end) == (D(2025, 6, 28),) * 2
    whole = Period.of(FiscalYear(2027)).previous_point()
    assert whole == Period.of(FiscalYear(2026))


def test_a_date_before_the_year_is_refused() -> None:
    with pytest.raises(
        PeriodRefused, match="基準日 2026-03-31 は2026年度の開始"
    ) as refused:
        Period.of(FiscalYear(2026), D(2026, 3, 31))
    assert isinstance(refused.value, Refused)
