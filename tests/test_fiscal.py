from __future__ import annotations

import datetime as dt

import pytest

from connect_books.fiscal import ESTABLISHED, FiscalYear

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
