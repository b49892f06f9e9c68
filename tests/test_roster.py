"""The roster (名簿): the members of 定款第5条, the 幹事会 of 第19条, dated dues rates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from connect_books.books import Books
from connect_books.fiscal import FiscalYear
from connect_books.roster import Roster

ARTICLES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "seed"
    / "articles-and-purpose.ja.txt"
)

#: The 16 member organisations named in 定款第5条, in its order.
ARTICLE_5 = [
    "23区南生活クラブ生活協同組合",
    "北東京生活クラブ生活協同組合",
    "多摩きた生活クラブ生活協同組合",
    "多摩南生活クラブ生活協同組合",
    "生活クラブ生活協同組合・東京",
    "特定非営利活動法人アビリティクラブたすけあい(ACT)",
    "特定非営利活動法人ACT人とまちづくり",
    "ACTたすけあいワーカーズ・コレクティブ連合",
    "東京ワーカーズ・コレクティブ協同組合",
    "東京・生活者ネットワーク",
    "社会福祉法人悠遊",
    "特定非営利活動法人まちぽっと",
    "認定特定非営利活動法人市民シンクタンクひと・まち社",
    "特定非営利活動法人エコメッセ",
    "特定非営利活動法人コミュニティスクール・まちデザイン",
    "特定非営利活動法人たがやす",
]


def test_roster_is_article_5(sample_books: Books) -> None:
    roster = sample_books.roster
    assert sorted(m.name for m in roster.members.values()) == sorted(ARTICLE_5)
    assert len(roster.members) == 16
    assert all(m.joined == dt.date(2025, 6, 28) for m in roster.members.values())
    assert len(roster.active(FiscalYear(2025))) == 16


def test_article_5_text_names_every_member() -> None:
    """The names above are the ones in the articles themselves (the seed, when present)."""
    if not ARTICLES.exists():
        pytest.skip(
            f"the articles ({ARTICLES}) are outside this checkout: the books are"
            " checked against ARTICLE_5 only (test_roster_is_article_5)"
        )
    article = re.search(
        r"第5条(.*?)（サポーター）|第5条(.*?)\(サポーター\)", ARTICLES.read_text(), re.S
    )
    assert article is not None
    text = article.group(0)
    for name in ARTICLE_5:
        assert name in text


def test_steering_group_is_article_19(sample_books: Books) -> None:
    names = {m.name for m in sample_books.roster.steering_group()}
    assert len(names) == 6
    assert "生活クラブ生活協同組合・東京" in names
    assert "東京・生活者ネットワーク" in names
    assert "東京ワーカーズ・コレクティブ協同組合" in names
    assert "社会福祉法人悠遊" in names
    assert "特定非営利活動法人まちぽっと" in names
    assert (
        sum(m.group == "ACT運動グループ" for m in sample_books.roster.steering_group())
        == 1
    )


def test_dues_rate_is_dated_data(sample_books: Books) -> None:
    roster = sample_books.roster
    assert roster.rate_on(dt.date(2025, 6, 27)) == 0
    assert roster.rate_on(dt.date(2025, 6, 28)) == Decimal(10000)
    assert roster.due("SCC-TOKYO", FiscalYear(2025)) == Decimal(
        10000
    )  # short year: full rate
    assert roster.due("NOBODY", FiscalYear(2025)) == 0


def test_supporters_have_no_names(sample_books: Books) -> None:
    supporters = sample_books.roster.supporters
    assert supporters
    assert all(re.fullmatch(r"[SC]\d{4}", s) for s in supporters)


def _roster(text: str) -> tuple[Roster, list]:
    entries, errors, _ = loader.load_string(text)
    assert not errors
    return Roster.from_entries(entries)


def test_rate_change_join_leave_and_adjust() -> None:
    roster, errors = _roster(
        """
2025-06-28 custom "dues-rate" 10000 JPY
2027-04-01 custom "dues-rate" 12000 JPY
2025-06-28 custom "member" "A" "団体A"
2026-10-01 custom "member" "B" "団体B"
2026-12-01 custom "dues-adjust" "B" 5000 JPY
2027-01-15 custom "member-leave" "A"
"""
    )
    assert not errors
    assert roster.due("A", FiscalYear(2026)) == 10000
    assert roster.due("A", FiscalYear(2027)) == 0
    assert roster.due("B", FiscalYear(2026)) == 5000
    assert roster.due("B", FiscalYear(2027)) == 12000
    assert roster.due("B", FiscalYear(2025)) == 0
    assert roster.members["A"].active_on(dt.date(2027, 1, 14))
    assert not roster.members["A"].active_on(dt.date(2027, 1, 15))


def test_malformed_roster_lines_are_errors() -> None:
    _, errors = _roster(
        """
2025-06-28 custom "member" "A"
2025-06-28 custom "member-leave" "Z"
2025-06-28 custom "supporter" "S1" "山田太郎"
"""
    )
    assert len(errors) == 3
    assert all(e.source["lineno"] for e in errors)
    assert "会員の書式" in errors[0].message


def test_suggest_closest(sample_books: Books) -> None:
    roster = sample_books.roster
    assert roster.suggest("SCC-TOKIO")[0] == "SCC-TOKYO"
    assert "ECOMESSE" in roster.unknown_member_message("ECOMESE")


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('2025-06-28 custom "dues-rate" -10000 JPY', "会費額 -10000 JPY は使えません"),
        ('2025-06-28 custom "dues-rate" 0 JPY', "会費額 0 JPY は使えません"),
        (
            '2026-01-10 custom "dues-adjust" "A" -5000 JPY',
            "会費調整の額 -5000 JPY は使えません",
        ),
    ],
)
def test_negative_or_zero_dues_are_refused_at_their_line(
    line: str, fragment: str
) -> None:
    text = '2025-06-28 custom "member" "A" "団体A"\n' + line + "\n"
    _, errors = _roster(text)
    assert [e.source["lineno"] for e in errors] == [2]
    assert fragment in errors[0].message
