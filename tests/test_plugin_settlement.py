"""第27条2: a settled 年度 is locked (the settlement plugin).

Each test starts from the small books below, settles 2025年度 with the library (as
``connect-books close-year`` does), then edits the text and checks what the plugin says
and where (the line the user would open).
"""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from ledgertools import line_of

from connect_books.books import Books
from connect_books.closing import plan_closing
from connect_books.digest import entry_digest, year_records
from connect_books.fiscal import FiscalYear
from connect_books.plugins.settlement import SettlementError
from connect_books.settlement import SettlementDirectiveError, read_settlements

Y2025 = FiscalYear(2025)
APPROVED = datetime.date(2026, 6, 20)
LOCKED = (
    "確定済み (2026-06-20 総会承認) の2025年度の記録が追加または変更されています。"
    "訂正は2026年度の修正仕訳 (過年度損益修正) で行ってください。"
)

BOOKS = textwrap.dedent(
    """\
    plugin "connect_books.plugins.settlement"
    option "operating_currency" "JPY"

    2025-06-28 open Assets:1110-現金 JPY
      role: "cash"
    2025-06-28 open Assets:1120-普通預金 JPY
      role: "bank"
    2025-06-28 open Liabilities:2110-未払金 JPY
    2025-06-28 open Equity:3010-引継正味財産 JPY
    2025-06-28 open Income:4110-受取会費 JPY
    2025-06-28 open Expenses:5213-通信運搬費 JPY
    2025-06-28 open Expenses:5131-印刷製本費 JPY

    2025-06-28 * "コネクト推進機構" "引継"
      Assets:1120-普通預金       100000 JPY
      Equity:3010-引継正味財産  -100000 JPY

    2025-07-08 * "生活クラブ生協・東京" "2025年度会費"
      member: "SCC-TOKYO"
      Assets:1120-普通預金   10000 JPY
      Income:4110-受取会費  -10000 JPY

    2025-07-20 * "郵便局" "郵送料 7月"
      Expenses:5213-通信運搬費   2200 JPY
      Assets:1120-普通預金      -2200 JPY

    2025-07-20 * "郵便局" "郵送料 7月"
      Expenses:5213-通信運搬費   2200 JPY
      Assets:1120-普通預金      -2200 JPY

    2026-03-31 * "みやさか印刷" "ニュースレター (4月払い)"
      Expenses:5131-印刷製本費   38000 JPY
      Liabilities:2110-未払金   -38000 JPY

    2026-04-01 balance Assets:1110-現金           0 JPY
    2026-04-01 balance Assets:1120-普通預金  105600 JPY

    2026-04-20 * "みやさか印刷" "ニュースレター 支払い"
      Liabilities:2110-未払金   38000 JPY
      Assets:1120-普通預金     -38000 JPY
    """
)
#: 資産 105,600 − 負債 38,000.
NET_2025 = 67600


def load(text: str) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    return loader.load_string(text)


def settle(text: str, year: FiscalYear = Y2025, **kw: Any) -> str:
    """``text`` plus the settlement ``close-year`` would write for it."""
    entries, errors, options = load(text)
    assert errors == []
    closing = plan_closing(
        entries,
        errors,
        options,
        year,
        approved=kw.pop("approved", APPROVED),
        audited=kw.pop("audited", datetime.date(2026, 5, 23)),
        today=datetime.date(2026, 11, 1),
        **kw,
    )
    return text + "\n" + closing.directive()


SETTLED = settle(BOOKS)


def ours(errors: list[Any]) -> list[tuple[int, str]]:
    """(line, message) of this plugin's errors."""
    return [
        (e.source["lineno"], e.message)
        for e in errors
        if isinstance(e, SettlementError | SettlementDirectiveError)
    ]


def directive_line(text: str) -> int:
    return line_of(text, 'custom "settlement"')


def test_settled_books_pass() -> None:
    entries, errors, _ = load(SETTLED)
    assert errors == []
    settled, _ = read_settlements(entries)
    assert settled[Y2025].carry_forward == NET_2025
    # 7 opens and 5 transactions; the 4/1 balances are dated in 2026年度
    assert len(settled[Y2025].digests) == 12


def test_unsettled_books_pass() -> None:
    _, errors, _ = load(BOOKS)
    assert errors == []


def test_changed_amount_fails_at_the_entry() -> None:
    text = SETTLED.replace(
        "Assets:1120-普通預金   10000 JPY", "Assets:1120-普通預金   12000 JPY"
    )
    text = text.replace(
        "Income:4110-受取会費  -10000 JPY", "Income:4110-受取会費  -12000 JPY"
    )
    _, errors, _ = load(text)
    found = ours(errors)
    assert (line_of(text, "2025年度会費"), LOCKED) in found
    net = [m for _, m in found if "正味財産" in m]
    assert net == [
        "2025年度末 (2026-03-31) の正味財産 (資産−負債) は 69,600円 ですが、総会で承認された"
        "次期繰越正味財産は 67,600円 です。2025年度の記録を承認されたとおりに戻し、"
        "訂正は2026年度の修正仕訳で行ってください。"
    ]
    assert len(found) == 2


def test_written_amount_is_what_counts() -> None:
    text = SETTLED.replace(
        "Assets:1120-普通預金   10000 JPY", "Assets:1120-普通預金   10000.0 JPY"
    )
    _, errors, _ = load(text)
    assert ours(errors) == [(line_of(text, "2025年度会費"), LOCKED)]


def test_changed_payee_fails_at_the_entry() -> None:
    text = SETTLED.replace(
        '"みやさか印刷" "ニュースレター (4月払い)"',
        '"宮坂印刷" "ニュースレター (4月払い)"',
    )
    _, errors, _ = load(text)
    assert ours(errors) == [(line_of(text, "宮坂印刷"), LOCKED)]


def test_changed_metadata_and_tags_fail() -> None:
    text = SETTLED.replace('member: "SCC-TOKYO"', 'member: "SCC-23S"')
    _, errors, _ = load(text)
    assert ours(errors) == [(line_of(text, "2025年度会費"), LOCKED)]
    text = SETTLED.replace('"引継"\n', '"引継" #opening\n')
    _, errors, _ = load(text)
    assert ours(errors) == [(line_of(text, "#opening"), LOCKED)]


def test_date_moved_within_the_year_fails_at_the_entry_and_names_the_old_date() -> None:
    text = SETTLED.replace('2026-03-31 * "みやさか印刷"', '2026-03-30 * "みやさか印刷"')
    _, errors, _ = load(text)
    assert ours(errors) == [
        (line_of(text, "ニュースレター (4月払い)"), LOCKED),
        (
            directive_line(text),
            "確定済み (2026-06-20 総会承認) の2025年度の記録のうち 2026-03-31 付の1件が"
            "削除されています。元に戻し、訂正は2026年度の修正仕訳 (過年度損益修正) で"
            "行ってください。",
        ),
    ]


def test_changed_entry_on_a_day_with_a_removed_digest_is_one_error() -> None:
    text = SETTLED.replace('"郵送料 7月"', '"郵送料 7月分"', 1)
    _, errors, _ = load(text)
    assert ours(errors) == [(line_of(text, "郵送料 7月分"), LOCKED)]


def test_deleted_entry_fails_at_the_settlement_naming_its_date() -> None:
    doubled = '2025-07-20 * "郵便局" "郵送料 7月"\n  Expenses:5213-通信運搬費   2200 JPY\n  Assets:1120-普通預金      -2200 JPY\n\n'
    assert SETTLED.count(doubled) == 2
    text = SETTLED.replace(doubled, "", 1)  # one of two identical entries
    _, errors, _ = load(text)
    found = ours(errors)
    assert (
        directive_line(text),
        "確定済み (2026-06-20 総会承認) の2025年度の記録のうち 2025-07-20 付の1件が"
        "削除されています。元に戻し、訂正は2026年度の修正仕訳 (過年度損益修正) で"
        "行ってください。",
    ) in found
    assert any("69,800円" in m for _, m in found)  # the net assets changed too
    assert all(line == directive_line(text) for line, _ in found)


def test_added_entry_in_the_settled_year_fails_at_it() -> None:
    added = '2026-03-15 * "郵便局" "切手"\n  Expenses:5213-通信運搬費  500 JPY\n  Assets:1110-現金  -500 JPY\n'
    text = SETTLED + "\n" + added
    _, errors, _ = load(text)
    found = ours(errors)
    assert (line_of(text, '"切手"'), LOCKED) in found
    for directive in (
        "2026-03-31 open Assets:1150-普通預金-新 JPY\n",
        '2025-09-01 note Assets:1110-現金 "金庫を移した"\n',
    ):
        _, errors, _ = load(SETTLED + "\n" + directive)
        assert [m for _, m in ours(errors)] == [LOCKED]


def test_adjusting_entry_in_the_next_year_passes() -> None:
    adjusting = textwrap.dedent(
        """
        2026-07-01 * "郵便局" "過年度損益修正: 2025年度の郵送料の計上誤り"
          Assets:1110-現金             2200 JPY
          Expenses:5213-通信運搬費    -2200 JPY
        """
    )
    _, errors, _ = load(SETTLED + adjusting)
    assert errors == []


def test_line_shifts_change_nothing() -> None:
    above = textwrap.dedent(
        """\
        ; 追記したコメント
        ; もう一行

        2026-05-01 * "郵便局" "郵送料 5月"
          Expenses:5213-通信運搬費   1100 JPY
          Assets:1110-現金         -1100 JPY
          note: "前の行がずれます"

        2026-05-02 balance Assets:1110-現金  -1100 JPY
        """
    )
    head, sep, rest = SETTLED.partition("2025-06-28 open")
    text = head + above + "\n" + sep + rest
    assert line_of(text, "2025年度会費") > line_of(SETTLED, "2025年度会費")
    _, errors, _ = load(text)
    assert errors == []


def test_wrong_carry_forward_fails_with_both_figures() -> None:
    text = SETTLED.replace('"総会" 67600 JPY', '"総会" 70000 JPY')
    _, errors, _ = load(text)
    assert ours(errors) == [
        (
            directive_line(text),
            "2025年度の決算の記録 (承認日・承認機関・監査日・次期繰越・理由・前年度の指紋・entries"
            " のどれか) が fingerprint と合いません。書き換えられています。"
            "connect-books close-year が書いたとおりに戻してください。",
        ),
        (
            directive_line(text),
            "2025年度末 (2026-03-31) の正味財産 (資産−負債) は 67,600円 ですが、総会で承認された"
            "次期繰越正味財産は 70,000円 です。2025年度の記録を承認されたとおりに戻し、"
            "訂正は2026年度の修正仕訳で行ってください。",
        ),
    ]


def test_settlement_dated_in_the_year_fails() -> None:
    text = SETTLED.replace(
        '2026-06-20 custom "settlement"', '2026-03-31 custom "settlement"'
    )
    _, errors, _ = load(text)
    messages = [m for _, m in ours(errors)]
    assert (
        "2025年度の決算の承認日 2026-03-31 が期末 (2026-03-31) 以前です。総会で決算を承認した日"
        " (2026-04-01 以降) を日付にしてください。"
    ) in messages
    assert all(line == directive_line(text) for line, _ in ours(errors))


def test_audit_after_the_approval_fails() -> None:
    text = settle(BOOKS, audited=datetime.date(2026, 5, 23))
    _, errors, _ = load(text)
    assert errors == []
    text = text.replace("audited: 2026-05-23", "audited: 2026-07-01")
    _, errors, _ = load(text)
    assert ours(errors) == [
        (
            directive_line(text),
            "2025年度の監査日 (audited: 2026-07-01) は期末 (2026-03-31) より後で、承認日"
            " (2026-06-20) 以前の日付にしてください (第27条2: 監事の監査を経て総会で承認)。",
        ),
        (
            directive_line(text),
            "2025年度の決算の記録 (承認日・承認機関・監査日・次期繰越・理由・前年度の指紋・entries"
            " のどれか) が fingerprint と合いません。書き換えられています。"
            "connect-books close-year が書いたとおりに戻してください。",
        ),
    ]


def test_tampered_entries_list_fails() -> None:
    entries, _, _ = load(BOOKS)
    fee = next(
        e
        for e in entries
        if isinstance(e, data.Transaction) and e.narration == "2025年度会費"
    )
    changed = fee._replace(payee="生活クラブ")
    # someone edits both the entry and its recorded digest, by hand
    text = SETTLED.replace(entry_digest(fee), entry_digest(changed)).replace(
        '"生活クラブ生協・東京" "2025年度会費"', '"生活クラブ" "2025年度会費"'
    )
    _, errors, _ = load(text)
    assert ours(errors) == [
        (
            directive_line(text),
            "2025年度の決算の記録 (承認日・承認機関・監査日・次期繰越・理由・前年度の指紋・entries"
            " のどれか) が fingerprint と合いません。書き換えられています。"
            "connect-books close-year が書いたとおりに戻してください。",
        )
    ]


@pytest.mark.parametrize(
    "directive",
    [
        'custom "settlement" "2025" "総会"',
        'custom "settlement" 2025.5 "総会" 67600 JPY',
        'custom "settlement" 2025.0 "総会" 67600 JPY',
    ],
)
def test_malformed_settlements_fail(directive: str) -> None:
    text = BOOKS + f"\n2026-06-20 {directive}\n"
    _, errors, _ = load(text)
    assert ours(errors) == [
        (
            line_of(text, 'custom "settlement"'),
            '決算の書式が違います: custom "settlement" 2025 "総会" 次期繰越正味財産 JPY と書いてください'
            " (connect-books close-year が書きます)。",
        )
    ]


def test_duplicate_settlements_fail() -> None:
    twice = SETTLED + '\n2026-06-21 custom "settlement" 2025 "総会" 67600 JPY\n'
    _, errors, _ = load(twice)
    assert ours(errors) == [
        (line_of(twice, "2026-06-21"), "2025年度の決算が二重に記録されています。")
    ]


def test_config_is_refused_as_an_error() -> None:
    text = SETTLED.replace(
        'plugin "connect_books.plugins.settlement"',
        'plugin "connect_books.plugins.settlement" "{}"',
    )
    _, errors, _ = load(text)
    assert [e.message for e in errors] == [
        "settlement プラグインに設定はありません。"
        'plugin "connect_books.plugins.settlement" とだけ書いてください。'
    ]


def test_pad_in_the_settled_year_counts_in_the_figures() -> None:
    padded = BOOKS.replace(
        "2026-04-01 balance Assets:1110-現金           0 JPY",
        "2025-06-28 pad Assets:1110-現金 Equity:3010-引継正味財産\n"
        "2025-06-29 balance Assets:1110-現金       32000 JPY\n"
        "2026-04-01 balance Assets:1110-現金       32000 JPY",
    )
    text = settle(padded)
    assert '"総会" 99600 JPY' in text  # 67,600 + 32,000 of cash brought in by the pad
    _, errors, _ = load(text)
    assert errors == []
    # the pad itself is locked like any directive
    moved = text.replace("2025-06-28 pad", "2025-06-27 pad")
    _, errors, _ = load(moved)
    assert (line_of(moved, "2025-06-27 pad"), LOCKED) in ours(errors)


def test_a_hand_written_p_transaction_is_locked_whatever_it_says() -> None:
    # flag P and a narration like Beancount's padding, but written by the user
    by_hand = (
        '2025-08-01 P "(Padding inserted by hand)"\n'
        "  Expenses:5213-通信運搬費   0 JPY\n"
        "  Assets:1120-普通預金      0 JPY\n"
    )
    text = settle(BOOKS + "\n" + by_hand)
    _, errors, _ = load(text)
    assert errors == []
    edited = text.replace("(Padding inserted by hand)", "(Padding inserted later)")
    _, errors, _ = load(edited)
    assert ours(errors) == [(line_of(edited, "(Padding inserted later)"), LOCKED)]


def test_second_year_settles_on_the_first() -> None:
    text = SETTLED + textwrap.dedent(
        """
        2027-04-01 balance Assets:1110-現金           0 JPY
        2027-04-01 balance Assets:1120-普通預金   67600 JPY
        """
    )
    entries, errors, options = load(text)
    closing = plan_closing(
        entries,
        errors,
        options,
        FiscalYear(2026),
        approved=datetime.date(2027, 6, 19),
        audited=datetime.date(2027, 5, 22),
        today=datetime.date(2027, 7, 1),
    )
    # 2026年度 locks its own entries, never the 2025 settlement (dated in 2026年度)
    assert len(closing.lines) == 3
    both = text + "\n" + closing.directive()
    _, errors, _ = load(both)
    assert errors == []
    edited = both.replace('"ニュースレター 支払い"', '"ニュースレター第1号 支払い"')
    _, errors, _ = load(edited)
    assert ours(errors) == [
        (
            line_of(edited, "ニュースレター第1号"),
            "確定済み (2027-06-19 総会承認) の2026年度の記録が追加または変更されています。"
            "訂正は2027年度の修正仕訳 (過年度損益修正) で行ってください。",
        )
    ]


def test_digest_ignores_position_but_not_content() -> None:
    entries, _, _ = load(BOOKS)
    fee = next(
        e
        for e in entries
        if isinstance(e, data.Transaction) and e.narration == "2025年度会費"
    )
    moved = fee._replace(
        meta={
            **fee.meta,
            "lineno": 999,
            "filename": "/elsewhere/2025.beancount",
            "__x": 1,
        }
    )
    assert entry_digest(moved) == entry_digest(fee)
    assert entry_digest(fee._replace(narration="2025年度 会費")) != entry_digest(fee)
    assert entry_digest(fee._replace(date=datetime.date(2025, 7, 9))) != entry_digest(
        fee
    )
    # Pinned: a change of the digest would unlock (or break) every recorded settlement.
    assert entry_digest(fee) == "b0b8cd432dd76022"


def test_a_long_list_is_written_in_chunks_and_read_whole() -> None:
    many = "".join(
        f'\n2025-{7 + i // 250:02d}-{1 + i % 250 // 10:02d} * "郵便局" "切手 {i}"\n'
        "  Expenses:5213-通信運搬費   10 JPY\n"
        "  Assets:1120-普通預金      -10 JPY\n"
        for i in range(1500)
    )
    books = BOOKS.replace("105600 JPY", "90600 JPY") + many
    text = settle(books)
    assert "  entries-2: " in text and "  entries-3: " not in text
    entries, errors, _ = load(text)
    assert errors == []
    settled, _ = read_settlements(entries)
    assert len(settled[Y2025].digests) == 1512
    # a change in the second chunk is found like any other
    edited = text.replace('"切手 1499"', '"切手 1499 (訂正)"')
    _, errors, _ = load(edited)
    assert ours(errors) == [(line_of(edited, "切手 1499 (訂正)"), LOCKED)]


def test_digests_of_other_directives_are_pinned_too() -> None:
    entries, _, _ = load(
        textwrap.dedent(
            """\
            2025-06-28 open Assets:1110-現金 JPY
              role: "cash"
            2025-06-28 custom "budget-line" 2025 Expenses:5900-予備費 50000 JPY
            2025-07-01 balance Assets:1110-現金  0 JPY
            """
        )
    )
    assert [entry_digest(e) for e in entries] == PINNED_OTHERS


def test_the_sample_settlement_still_holds(sample_books: Books) -> None:
    """The digests of today's code are those ``ledger/settlements.beancount`` recorded."""
    settled, _ = read_settlements(sample_books.entries)
    recorded = settled[Y2025]
    record = year_records(sample_books.entries, [Y2025], sample_books.options)[Y2025]
    assert "\n".join(sorted(record.lines)) == recorded.recorded_text
    assert recorded.sealed == recorded.fingerprint
    assert record.totals.net_assets == recorded.carry_forward
    assert len(record.lines) > 150


PINNED_OTHERS = ["6ecd95ceaf490020", "2b898ece29193fd3", "77bbbd2621d93d8a"]


def test_a_document_digest_does_not_depend_on_where_the_books_are(
    tmp_path: Path,
) -> None:
    digests = []
    for place in ("here", "there/deeper"):
        folder = tmp_path / place
        (folder / "documents").mkdir(parents=True)
        (folder / "documents" / "receipt.pdf").write_bytes(b"%PDF-1.4")
        (folder / "main.beancount").write_text(
            "2025-06-28 open Assets:1110-現金 JPY\n"
            '2025-07-01 document Assets:1110-現金 "documents/receipt.pdf"\n'
        )
        entries, errors, _ = loader.load_file(str(folder / "main.beancount"))
        assert errors == []
        document = next(e for e in entries if isinstance(e, data.Document))
        assert document.filename.startswith(str(folder))
        digests.append(entry_digest(document))
    assert digests[0] == digests[1]
