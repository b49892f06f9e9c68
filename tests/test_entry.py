"""The entry library: text that cannot escape, inputs refused in Japanese, the journal target."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from beancount import loader
from ledgertools import query_total

from connect_books.books import Books, load
from connect_books.entry import (
    Context,
    Draft,
    EntryRefused,
    Line,
    check,
    clean_text,
    parse_amount,
    parse_date,
    quote,
    write,
)
from connect_books.entry_lookup import (
    LookupRefused,
    find_account,
    find_member,
    find_supporter,
)
from connect_books.fiscal import FiscalYear
from connect_books.journal_target import DateRefused, journal_file
from connect_books.writer import WriteRefused

DAY = datetime.date(2026, 12, 3)
TODAY = datetime.date(2026, 12, 10)


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    """A copy of the sample books."""
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


def postage(narration: str = "切手", payee: str | None = "郵便局") -> Draft:
    return Draft(
        date=DAY,
        payee=payee,
        narration=narration,
        lines=(
            Line("Expenses:5210-管理費:5213-通信運搬費", 840),
            Line("Assets:1110-現金", None),
        ),
    )


# --- text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['切手 "特" \\ 記念', 'x" \n', '"; 2026-01-01 open Assets:X', "\\"],
)
def test_quoted_text_reads_back_as_itself(text: str) -> None:
    """Whatever is quoted stays inside its string: Beancount reads back the same text."""
    ledger = (
        "2026-01-01 open Assets:A\n2026-01-01 open Assets:B\n"
        f"2026-01-02 * {quote(text)} {quote(text)}\n  Assets:A  1 JPY\n  Assets:B\n"
    )
    entries, errors, _ = loader.load_string(ledger)
    assert not errors
    assert [e.narration for e in entries if hasattr(e, "narration")] == [text]
    assert len(entries) == 3  # no directive slipped out of the string


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('切手\ninclude "evil.beancount"', "改行"),
        ("切手\r", "改行"),
        ("切手\t", "改行"),
        ("切手\u2028", "U+2028"),
        ('include "other.beancount"', "'include'"),
        ("PLUGIN x", "'PLUGIN'"),
        ("x" * 201, "長すぎます"),
    ],
)
def test_clean_text_refuses(text: str, fragment: str) -> None:
    with pytest.raises(EntryRefused) as refused:
        clean_text(text, "摘要")
    assert fragment in str(refused.value)
    assert "摘要" in str(refused.value)


def test_clean_text_keeps_ordinary_words() -> None:
    assert clean_text(" 研修の options 説明 ", "摘要") == "研修の options 説明"
    assert clean_text("「特」記念切手", "摘要") == "「特」記念切手"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10000", 10000), ("10,000", 10000), ("10000円", 10000), ("-500", -500)],
)
def test_parse_amount(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("１０００", "全角"), ("1000.5", "端数"), ("abc", "読めません"), ("0", "0円")],
)
def test_parse_amount_refuses(text: str, fragment: str) -> None:
    with pytest.raises(EntryRefused) as refused:
        parse_amount(text)
    assert fragment in str(refused.value)


def test_parse_date() -> None:
    assert parse_date("2026/12/3") == DAY
    for text, fragment in (
        ("2026-02-30", "実在しません"),
        ("２０２６-１２-０３", "全角"),
        ("12/3", "読めません"),
    ):
        with pytest.raises(EntryRefused) as refused:
            parse_date(text)
        assert fragment in str(refused.value)


# --- where entries go -------------------------------------------------------------------


def test_journal_file_is_the_year_of_the_date(sample_books: Books) -> None:
    main = sample_books.path
    assert journal_file(main, sample_books.entries, DAY, TODAY) == (
        main.parent / "2026.beancount"
    )
    spring = datetime.date(2027, 4, 2)
    assert journal_file(main, sample_books.entries, spring, spring) == (
        main.parent / "2027.beancount"
    )


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        (datetime.date(2026, 3, 31), "決算済み"),
        (datetime.date(2025, 6, 1), "設立"),
        (datetime.date(2027, 1, 11), "31 日より先"),
    ],
)
def test_journal_file_refuses(
    sample_books: Books, day: datetime.date, fragment: str
) -> None:
    with pytest.raises(DateRefused) as refused:
        journal_file(sample_books.path, sample_books.entries, day, TODAY)
    assert fragment in str(refused.value)


def test_first_entry_of_a_new_year_creates_and_includes_its_file(books: Path) -> None:
    """Books whose 2026年度 has no journal yet: the first entry creates and includes it."""
    main_text = books.read_text().replace('include "2026.beancount"\n', "")
    books.write_text(main_text)
    (books.parent / "2026.beancount").unlink()
    assert not load(books).errors
    ctx = Context(load(books), today=TODAY)
    written = write(ctx, postage(), command="test")
    assert written.target == books.parent / "2026.beancount"
    assert written.include_added
    assert books.read_text() == main_text + 'include "2026.beancount"\n'
    after = load(books)
    assert not after.errors
    total = query_total(
        after, "SELECT sum(number) WHERE account ~ '通信運搬費' AND date = %s", DAY
    )
    assert total == 840


# --- lookups ----------------------------------------------------------------------------


def test_accounts_by_code_name_or_words(sample_books: Books) -> None:
    chart = Context(sample_books).chart
    assert find_account(chart, "1120").name == "Assets:1120-普通預金-ろうきん"
    assert find_account(chart, "ろうきん").name == "Assets:1120-普通預金-ろうきん"
    assert (
        find_account(chart, "管理費 会議費").name == "Expenses:5210-管理費:5212-会議費"
    )
    assert find_account(chart, "現金").name == "Assets:1110-現金"
    assert find_account(chart, "Income:4110-受取会費").code == "4110"


def test_an_ambiguous_account_lists_the_candidates(sample_books: Books) -> None:
    with pytest.raises(LookupRefused) as refused:
        find_account(Context(sample_books).chart, "会議費")
    message = str(refused.value)
    assert "2件" in message
    assert "5152-会議費" in message and "5212-会議費" in message


def test_an_unknown_account_is_refused(sample_books: Books) -> None:
    chart = Context(sample_books).chart
    with pytest.raises(LookupRefused) as refused:
        find_account(chart, "Assets:1190-別口座")
    assert "open されていません" in str(refused.value)
    with pytest.raises(LookupRefused) as refused:
        find_account(chart, "通信運般費")
    assert "近い科目" in str(refused.value)


def test_members_by_id_or_name(sample_books: Books) -> None:
    roster = sample_books.roster
    assert find_member(roster, "scc-tokyo").id == "SCC-TOKYO"
    assert find_member(roster, "エコメッセ").id == "ECOMESSE"
    with pytest.raises(LookupRefused) as refused:
        find_member(roster, "生活クラブ")
    assert "5件" in str(refused.value)
    with pytest.raises(LookupRefused) as refused:
        find_member(roster, "SCC-TOKIO")
    assert "近いID: SCC-TOKYO" in str(refused.value)


def test_supporters_by_id_or_name_from_the_outside_file(sample_books: Books) -> None:
    roster = sample_books.roster
    assert find_supporter(roster, "s0001").id == "S0001"
    assert find_supporter(roster, "山田", {"S0001": "山田 花子"}).id == "S0001"
    with pytest.raises(LookupRefused) as refused:
        find_supporter(roster, "S0100")
    assert "近いID" in str(refused.value)


# --- drafts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        ((Line("Assets:1110-現金", 100),), "二つ以上"),
        ((Line("Assets:1110-現金"), Line("Assets:1120-普通預金-ろうきん")), "一つまで"),
        ((Line("Assets:1110-現金", 100), Line("Income:4590-雑収益", -90)), "差額 10円"),
        (
            (Line("Assets:1199-謎", 100), Line("Income:4590-雑収益")),
            "open されていません",
        ),
        ((Line("Assets:1110-現金", 0), Line("Income:4590-雑収益")), "0円"),
    ],
)
def test_check_refuses_bad_lines(
    sample_books: Books, lines: tuple[Line, ...], fragment: str
) -> None:
    draft = Draft(date=DAY, narration="テスト", lines=lines)
    with pytest.raises(EntryRefused) as refused:
        check(Context(sample_books, today=TODAY), draft)
    assert fragment in str(refused.value)


def test_check_refuses_unknown_ids(sample_books: Books) -> None:
    ctx = Context(sample_books, today=TODAY)
    for key, value, fragment in (
        ("member", "SCC-TOKIO", "SCC-TOKYO"),
        ("supporter", "S9999", "サポーターID"),
        ("decision", "IF-2026-09", "IF-2026-0"),
    ):
        draft = Draft(
            date=DAY,
            narration="テスト",
            lines=postage().lines,
            meta=((key, value),),
        )
        with pytest.raises(EntryRefused) as refused:
            check(ctx, draft)
        assert fragment in str(refused.value)


def test_the_writer_refuses_what_the_rules_refuse(books: Path) -> None:
    """A payment that breaks the November balance assertion: refused, nothing changed."""
    before = {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")}
    ctx = Context(load(books), today=TODAY)
    late = Draft(
        date=datetime.date(2026, 11, 28), narration="切手", lines=postage().lines
    )
    with pytest.raises(WriteRefused) as refused:
        write(ctx, late, command="test")
    assert "残高" in str(refused.value)
    assert before == {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")}


def test_written_text_lands_and_reads_back(books: Path) -> None:
    ctx = Context(load(books), today=TODAY)
    written = write(ctx, postage('切手 "特"'), command="test")
    assert written.target.name == "2026.beancount"
    after = load(books)
    assert not after.errors
    assert (
        query_total(
            after, "SELECT sum(number) WHERE account ~ '1110-現金' AND date = %s", DAY
        )
        == -840
    )
    assert FiscalYear.of(DAY).label in "2026年度"


@pytest.mark.parametrize("typed", ["1e3", "Infinity", "NaN", "¥1860", "1_000"])
def test_amounts_a_person_would_not_mean_are_refused(typed: str) -> None:
    from connect_books.entry import parse_amount

    with pytest.raises(EntryRefused, match="読めません"):
        parse_amount(typed)


@pytest.mark.parametrize(
    ("posting", "amount"),
    [("管理費 通信 1860 JPY", 1860), ("管理費 通信 1,860円", 1860), ("現金", None)],
)
def test_a_postings_amount_is_its_last_word(posting: str, amount: int | None) -> None:
    from connect_books.entry_prompt import split_posting

    assert split_posting(posting) == (
        posting.split()[0] + (" 通信" if amount else ""),
        amount,
    )


@pytest.mark.parametrize("posting", ["管理費 通信 ¥1860", "管理費 通信 1e3"])
def test_an_unreadable_amount_is_said_to_be_one(posting: str) -> None:
    from connect_books.entry_prompt import split_posting

    with pytest.raises(EntryRefused, match=r"の金額: 金額 .* が読めません"):
        split_posting(posting)
