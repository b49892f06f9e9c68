"""The import's parts: text normalisation, layouts, rules, dues years, keys, Fava's list."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest
from beancount import loader
from test_import_books import DATA, ROUKIN, YUCHO, make_repo

from connect_books.books import load
from connect_books.chart import Chart
from connect_books.fiscal import FiscalYear
from connect_books.importers.config import ImportData, importers
from connect_books.importers.decode import StatementRefused, decode_bytes
from connect_books.importers.dues import DuesState
from connect_books.importers.importer import propose
from connect_books.importers.keys import duplicate_keys, line_keys
from connect_books.importers.layout import load_layout
from connect_books.importers.rules import load_rules
from connect_books.importers.statement import BankLine, Statement, read_statement
from connect_books.importers.text import (
    AmountError,
    clean,
    fold,
    parse_amount,
    parse_date,
)
from connect_books.roster import Roster

# ---- text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bank", "rule"),
    [
        ("ﾄｸﾋ)ﾀｶﾞﾔｽ", "たがやす"),
        ("ｾｲｶﾂｸﾗﾌﾞ ﾄｳｷﾖｳ", "セイカツクラブトウキョウ"),  # small ョ, space
        ("ｺﾐﾕﾆﾃｲｽｸ-ﾙ", "コミュニティスクール"),  # ー and - alike
        ("ＡＣＴ（ﾋﾄﾄﾏﾁﾂﾞｸﾘ）", "act ヒトトマチヅクリ"),
    ],
)
def test_fold_makes_bank_and_rule_spellings_alike(bank: str, rule: str) -> None:
    assert fold(rule) in fold(bank)


def test_clean_is_nfkc_with_single_spaces() -> None:
    assert clean(" 料　金  ") == "料 金"
    assert clean("ｺﾐｭﾆﾃｨ") == "コミュニティ"
    assert clean("１０，０００") == "10,000"


@pytest.mark.parametrize(
    ("cell", "yen"),
    [
        ("10000", 10000),
        ("10,000", 10000),
        ("１０，０００円", 10000),
        ("▲500", -500),
        ("-500", -500),
        ("", None),
        ("  ", None),
        ("1200.00", 1200),
        ("△1,234,567円", -1234567),
    ],
)
def test_amounts_are_whole_yen_never_float(cell: str, yen: int | None) -> None:
    value = parse_amount(cell)
    assert value == yen
    assert value is None or type(value) is int


@pytest.mark.parametrize("cell", ["10.5", "1e3", "abc", "NaN", "--5", "1,00", "12-3"])
def test_amounts_that_are_not_whole_yen_are_refused(cell: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(cell)


@pytest.mark.parametrize(
    ("cell", "formats", "day"),
    [
        ("20261005", ("%Y%m%d",), datetime.date(2026, 10, 5)),
        ("2026/10/05", ("%Y%m%d", "%Y/%m/%d"), datetime.date(2026, 10, 5)),
        ("令和8年10月5日", ("和暦",), datetime.date(2026, 10, 5)),
        ("令和 08 年 10 月 31 日", ("和暦",), datetime.date(2026, 10, 31)),
        ("R8.10.05", ("和暦",), datetime.date(2026, 10, 5)),
        ("令和元年5月1日", ("和暦",), datetime.date(2019, 5, 1)),
        ("２０２６／１０／０５", ("%Y/%m/%d",), datetime.date(2026, 10, 5)),
        ("2026/02/30", ("%Y/%m/%d",), None),
        ("令和8年2月30日", ("和暦",), None),
    ],
)
def test_dates(cell: str, formats: tuple[str, ...], day: datetime.date | None) -> None:
    assert parse_date(cell, formats) == day


# ---- a layout of another bank: the configurable importer ------------------------------

OTHER_BANK = """
id = "mybank"
name = "どこかの信用金庫"
bank = "どこかの信用金庫"
header = ["日付", "お取引内容", "金額", "残高"]
skip_rows_matching = ['^前日残高']
footer_lines = 1
order = "descending"

[date]
column = "日付"
formats = ["和暦"]

[amount]
column = "金額"
positive = "withdrawal"

[text]
payee = ["お取引内容"]

[balance]
column = "残高"
"""


def test_a_configured_layout_reads_signed_descending_wareki_with_summary_rows(
    tmp_path: Path,
) -> None:
    layout_file = tmp_path / "mybank.toml"
    layout_file.write_text(OTHER_BANK, encoding="utf-8")
    layout = load_layout(layout_file)
    statement = tmp_path / "meisai.csv"
    rows = [
        "口座番号,1234567",
        "",
        "日付,お取引内容,金額,残高",
        '令和8年10月9日,ｻｸﾗﾈﾂﾄ,"3,300","96,700"',
        "令和8年10月2日,ﾌﾘｺﾐ ﾀｶﾞﾔｽ,-10000,100000",
        "前日残高,,,90000",
        "合計,2件,,",
    ]
    statement.write_bytes(("\n".join(rows) + "\n").encode("utf-8-sig"))
    read = read_statement(statement, layout)
    assert read.encoding == "utf-8"
    assert [
        (line.line, line.date, line.amount, line.balance) for line in read.lines
    ] == [
        (5, datetime.date(2026, 10, 2), 10000, 100000),
        (4, datetime.date(2026, 10, 9), -3300, 96700),
    ]
    assert read.lines[0].payee == "フリコミ タガヤス"
    assert read.closing_balance == 96700


def test_a_layout_naming_a_column_not_in_its_header_is_refused(tmp_path: Path) -> None:
    layout_file = tmp_path / "mybank.toml"
    layout_file.write_text(
        OTHER_BANK.replace('column = "残高"', 'column = "差引残高"'), "utf-8"
    )
    with pytest.raises(StatementRefused, match="列 '差引残高' が header にありません"):
        load_layout(layout_file)


def test_the_yucho_preamble_gives_the_period_end(books: Path) -> None:
    data = ImportData.find(load(books))
    statement = read_statement(DATA / "yucho-2026-10.csv", data.layouts()["yucho"])
    assert statement.period_end == datetime.date(2026, 10, 31)
    assert statement.encoding == "cp932"
    assert [line.line for line in statement.lines] == [9, 10, 11, 12, 13]


# ---- rules ---------------------------------------------------------------------------


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    return make_repo(sample_path, tmp_path)


def line(text: str, amount: int, memo: str = "") -> BankLine:
    return BankLine(1, datetime.date(2026, 10, 5), amount, text, memo)


def test_rules_take_the_longest_name_and_leave_ties_unmatched(
    books: Path, tmp_path: Path
) -> None:
    loaded = load(books)
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        textwrap.dedent(
            """
            [[rule]]
            name = "手数料"
            names = ["テスウリヨウ"]
            account = "Expenses:5210-管理費:5215-支払手数料"
            [[rule]]
            name = "振込手数料"
            names = ["フリコミテスウリヨウ"]
            account = "Expenses:5210-管理費:5215-支払手数料"
            [[rule]]
            name = "雑"
            names = ["ザツシユウ"]
            account = "Income:4590-雑収益"
            [[rule]]
            name = "雑2"
            names = ["ザツシユウ"]
            account = "Income:4590-雑収益"
            """
        ),
        encoding="utf-8",
    )
    rules = load_rules(rules_file, loaded.roster, Chart.from_entries(loaded.entries))
    best = rules.match(line("ﾌﾘｺﾐﾃｽｳﾘﾖｳ", -440))
    assert best.target is not None and best.target.id == "振込手数料"
    tie = rules.match(line("ｻﾞﾂｼﾕｳ", 100))
    assert tie.target is None and "複数の規則" in tie.reason
    assert rules.match(line("ﾅﾆｶ", 100)).reason == "どの規則にも当てはまりません"


def test_member_names_match_deposits_only(books: Path) -> None:
    loaded = load(books)
    rules = ImportData.find(loaded).rules(loaded)
    paid = rules.match(line("ﾌﾘｺﾐ ﾀｶﾞﾔｽ", 10000))
    assert paid.target is not None and paid.target.id == "TAGAYASU"
    refund = rules.match(line("ﾌﾘｺﾐ ﾀｶﾞﾔｽ", -10000))
    assert (
        refund.target is None
        and "会員 TAGAYASU に当てはまりますが、出金" in refund.reason
    )
    by_roster_name = rules.match(line("特定非営利活動法人たがやす", 10000))
    assert by_roster_name.target is not None and by_roster_name.target.id == "TAGAYASU"


# ---- which year a member's payment pays ---------------------------------------------

DUES_BOOKS = """
option "operating_currency" "JPY"
2025-06-28 open Assets:1120-普通預金 JPY
2025-06-28 open Assets:1210-未収会費 JPY
  role: "dues-receivable"
2025-06-28 open Liabilities:2130-前受会費 JPY
  role: "dues-advance"
2025-06-28 open Income:4110-受取会費 JPY
  role: "dues-income"
2025-06-28 custom "dues-rate" 10000 JPY
2025-06-28 custom "member" "A" "団体A"
2025-06-28 custom "member" "B" "団体B"
2026-03-31 * "団体B" "2025年度会費 未収計上"
  member: "B"
  Assets:1210-未収会費     10000 JPY
  Income:4110-受取会費    -10000 JPY
2025-07-01 * "団体A" "2025年度会費"
  member: "A"
  Assets:1120-普通預金     10000 JPY
  Income:4110-受取会費    -10000 JPY
"""


def dues_state(settled: tuple[FiscalYear, ...] = (FiscalYear(2025),)) -> DuesState:
    entries, errors, _ = loader.load_string(DUES_BOOKS)
    assert not errors
    roster, _ = Roster.from_entries(entries)
    state = DuesState.of(entries, roster, Chart.from_entries(entries), settled)
    assert state is not None
    return state


def parts(result: object) -> list[tuple[str, int, str]]:
    assert isinstance(result, list), result
    return [(p.account.split(":")[-1], p.amount, p.label) for p in result]


def test_arrears_then_this_year() -> None:
    state = dues_state()
    paid = state.allocate("B", 20000, datetime.date(2026, 5, 10), (3, 1))
    assert parts(paid) == [
        ("1210-未収会費", 10000, "未収会費の回収"),
        ("4110-受取会費", 10000, "2026年度会費"),
    ]
    again = state.allocate("B", 10000, datetime.date(2026, 6, 10), (3, 1))
    assert isinstance(again, str) and "会費として割り当てられない 10,000円" in again


def test_next_year_in_advance_from_march_only() -> None:
    state = dues_state()
    assert parts(state.allocate("A", 10000, datetime.date(2026, 4, 20), (3, 1))) == [
        ("4110-受取会費", 10000, "2026年度会費")
    ]
    early = state.allocate("A", 10000, datetime.date(2027, 2, 20), (3, 1))
    assert isinstance(early, str)
    assert parts(state.allocate("A", 10000, datetime.date(2027, 3, 20), (3, 1))) == [
        ("2130-前受会費", 10000, "2027年度会費 (前受け)")
    ]
    assert isinstance(
        state.allocate("A", 10000, datetime.date(2027, 3, 25), (3, 1)), str
    )


def test_unpaid_dues_of_an_unsettled_year_must_be_accrued_first() -> None:
    state = dues_state(settled=())
    reason = state.allocate("A", 10000, datetime.date(2027, 4, 10), (3, 1))
    assert isinstance(reason, str)
    assert "2026年度の会費 10,000円 が未納で、未収会費にも計上されていません" in reason
    assert "2027-03-31 付で未収会費を計上" in reason


# ---- keys and Fava's importers -------------------------------------------------------


def test_keys_do_not_depend_on_order_balance_or_the_other_lines() -> None:
    day = datetime.date(2026, 10, 5)
    a = BankLine(3, day, -165, "", "料 金", 39835)
    b = BankLine(9, day, 10000, "コミユニテイ", "振込", 40000)
    alone = line_keys("yucho", YUCHO, [a])
    with_more = line_keys("yucho", YUCHO, [b, BankLine(4, day, -165, "", "料 金", 1)])
    assert alone[0] == with_more[1]
    assert line_keys("yucho", ROUKIN, [a]) != alone  # another account, another key
    twice = line_keys("yucho", YUCHO, [a, a])
    assert [k[-2:] for k in twice] == ["-1", "-2"] and twice[0][:-2] == twice[1][:-2]


def test_duplicate_keys_are_an_error_at_the_second_entry() -> None:
    entries, _, _ = loader.load_string(
        textwrap.dedent(
            """
            2026-01-01 open Assets:Bank JPY
            2026-01-01 open Income:Gift JPY
            2026-10-05 * "x"
              import-key: "yucho-2026-10-05-0123456789-1"
              Assets:Bank   1 JPY
              Income:Gift  -1 JPY
            2026-10-05 * "x"
              import-key: "yucho-2026-10-05-0123456789-1"
              Assets:Bank   1 JPY
              Income:Gift  -1 JPY
            """
        )
    )
    errors = duplicate_keys(entries)
    assert len(errors) == 1
    assert errors[0].source["lineno"] == 8
    assert "二度記帳されています (最初は <string>:4)" in errors[0].message


def test_fava_gets_one_importer_per_layout_and_account_at_that_bank(
    books: Path,
) -> None:
    found = importers(load(books))
    names = sorted(i.name for i in found)
    assert "connect_books.yucho:Assets:1150-振替口座-ゆうちょ" in names
    assert f"connect_books.roukin:{ROUKIN}" in names
    assert "connect_books.roukin:Assets:1130-普通預金-インクルファンド" in names
    assert len(names) == len(set(names))
    yucho = next(i for i in found if i.account_name == YUCHO)
    assert yucho.identify(str(DATA / "yucho-2026-10.csv"))
    assert yucho.date(str(DATA / "yucho-2026-10.csv")) == datetime.date(2026, 10, 31)


def test_cp932_characters_that_shift_jis_lacks_are_read() -> None:
    raw = "取引日,摘要\r\n2026/10/05,髙橋㈱①～\r\n".encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("shift_jis")
    decoded = decode_bytes(raw, "meisai.csv", ("cp932", "utf-8"))
    assert decoded.encoding == "cp932"
    assert "髙橋㈱①" in decoded.text
    assert clean("髙橋㈱①") == "髙橋(株)1"


def test_an_imported_arrears_payment_is_not_allocated_again(
    books: Path, tmp_path: Path
) -> None:
    """Overlap: the line that paid B's 未収会費 is in the books; B's next payment is this year's."""
    account = "Assets:1120-普通預金"
    layout = ImportData.find(load(books)).layouts()["yucho"]
    paid = BankLine(9, datetime.date(2026, 5, 10), 10000, "ダンタイB", "振込", 10000)
    later = BankLine(10, datetime.date(2026, 6, 10), 10000, "ダンタイB", "振込", 20000)
    (key,) = line_keys(layout.id, account, [paid])
    ledger = DUES_BOOKS + textwrap.dedent(
        f"""
        2026-05-10 * "団体B" "未収会費の回収"
          member: "B"
          import-key: "{key}"
          Assets:1120-普通預金     10000 JPY
          Assets:1210-未収会費    -10000 JPY
        """
    )
    entries, errors, _ = loader.load_string(ledger)
    assert not errors
    roster, _ = Roster.from_entries(entries)
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text('[[member]]\nid = "B"\nnames = ["ダンタイB"]\n', "utf-8")
    rules = load_rules(rules_file, roster, Chart.from_entries(entries))
    statement = Statement(tmp_path / "b.csv", layout, "cp932", (paid, later))
    first, second = propose(statement, account, rules, entries)
    assert first.imported and not first.matched
    assert second.matched, second.reason
    assert second.entry.narration == "2026年度会費"
    assert [p.account for p in second.entry.postings] == [
        account,
        "Income:4110-受取会費",
    ]
