"""定款第7条・附則2: the dues plugin (dues per member, at most the rate, in full at year end)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

from ledgertools import assert_both_checks_report, line_of, only, plugin_errors

from connect_books.plugins.dues import DuesError
from connect_books.roster import RosterError

BIN = Path(sys.executable).parent

#: The dues accounts (with their roles), the rate, three members and two supporters.
HEADER = """\
plugin "connect_books.plugins.dues"
option "operating_currency" "JPY"

2025-06-28 open Assets:1120-普通預金-ろうきん JPY
  role: "bank"
2025-06-28 open Assets:1210-未収会費 JPY
  role: "dues-receivable"
2025-06-28 open Liabilities:2130-前受会費 JPY
  role: "dues-advance"
2025-06-28 open Equity:3010-引継正味財産 JPY
2025-06-28 open Income:4110-受取会費 JPY
  role: "dues-income"
2025-06-28 open Income:4210-受取寄附金 JPY
  role: "donation"

2025-06-28 custom "dues-rate" 10000 JPY
2025-06-28 custom "member" "SCC-TOKYO" "生活クラブ生活協同組合・東京"
2025-06-28 custom "member" "ECOMESSE" "特定非営利活動法人エコメッセ"
2025-06-28 custom "member" "TAGAYASU" "特定非営利活動法人たがやす"
2025-07-01 custom "supporter" "S0001"
  kind: "individual"
2025-07-01 custom "supporter" "C0001"
  kind: "organisation"
"""


def load(body: str, header: str = HEADER) -> tuple[str, list[Any]]:
    """Load header + body; return the text and the plugin's errors (no other errors allowed)."""
    text = header + textwrap.dedent(body)
    return text, plugin_errors(text, (DuesError, RosterError))


def dues_paid(day: str, member: str, narration: str, amount: int = 10000) -> str:
    return f"""
{day} * "{narration}"
  member: "{member}"
  Assets:1120-普通預金-ろうきん     {amount} JPY
  Income:4110-受取会費             -{amount} JPY
"""


def test_a_year_of_dues_passes() -> None:
    _, errors = load(
        dues_paid("2025-07-08", "SCC-TOKYO", "東京 2025年度会費")
        + dues_paid("2025-08-08", "TAGAYASU", "たがやす 2025年度会費")
        + textwrap.dedent(
            """
        2026-03-25 * "たがやす 2026年度会費 (前受け)"
          member: "TAGAYASU"
          Assets:1120-普通預金-ろうきん     10000 JPY
          Liabilities:2130-前受会費        -10000 JPY

        2026-03-31 * "エコメッセ 2025年度会費 未収計上"
          member: "ECOMESSE"
          Assets:1210-未収会費              10000 JPY
          Income:4110-受取会費             -10000 JPY

        2026-04-01 * "たがやす 2026年度会費 (振替)"
          member: "TAGAYASU"
          Liabilities:2130-前受会費         10000 JPY
          Income:4110-受取会費             -10000 JPY

        2026-05-12 * "エコメッセ 未収会費の回収"
          member: "ECOMESSE"
          Assets:1120-普通預金-ろうきん     10000 JPY
          Assets:1210-未収会費             -10000 JPY

        2026-05-18 * "S0001" "ご寄付"
          supporter: "S0001"
          Assets:1120-普通預金-ろうきん      5000 JPY
          Income:4210-受取寄附金            -5000 JPY

        2026-06-20 custom "settlement" 2025 "総会" 40000 JPY
        """
        )
    )
    assert errors == []


def test_dues_posting_without_a_member() -> None:
    text, errors = load(
        """
        2025-07-08 * "会費 (団体名の書き忘れ)"
          Assets:1120-普通預金-ろうきん     10000 JPY
          Income:4110-受取会費             -10000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "団体名の書き忘れ")
    assert "会費の科目 (Income:4110-受取会費)" in error.message
    assert 'member: "会員ID"' in error.message


def test_dues_from_an_unknown_member_suggests_the_close_id() -> None:
    text, errors = load(dues_paid("2025-07-08", "SCC-TOKIO", "東京 (ID の誤記)"))
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "ID の誤記")
    assert "会員ID 'SCC-TOKIO' は名簿 (members.beancount) にありません" in error.message
    assert "近いID: SCC-TOKYO" in error.message


def test_member_on_the_posting_wins_over_the_transaction() -> None:
    _, errors = load(
        """
        2025-07-08 * "二団体分の会費 (まとめて入金)"
          member: "SCC-TOKYO"
          Assets:1120-普通預金-ろうきん     20000 JPY
          Income:4110-受取会費             -10000 JPY
          Income:4110-受取会費             -10000 JPY
            member: "ECOMESSE"
        """
    )
    assert errors == []
    _, errors = load(
        """
        2025-07-08 * "二団体分の会費 (同じ団体に二重)"
          member: "SCC-TOKYO"
          Assets:1120-普通預金-ろうきん     20000 JPY
          Income:4110-受取会費             -20000 JPY
        """
    )
    assert "超えています" in only(errors).message


def test_dues_over_the_rate() -> None:
    text, errors = load(
        dues_paid("2025-07-08", "SCC-TOKYO", "東京 2025年度会費")
        + dues_paid("2025-09-08", "SCC-TOKYO", "東京 2025年度会費 (二重入金)")
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "二重入金")
    assert (
        "生活クラブ生活協同組合・東京 (SCC-TOKYO) の2025年度会費は 10,000円"
        in error.message
    )
    assert "計上額が 20,000円 になり 10,000円 超えています" in error.message


def test_dues_adjust_sets_the_amount_due() -> None:
    header = HEADER + '2026-12-01 custom "dues-adjust" "TAGAYASU" 5000 JPY\n'
    text, errors = load(
        dues_paid("2026-12-10", "TAGAYASU", "たがやす 2026年度会費"), header
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "たがやす 2026年度会費")
    assert "2026年度会費は 5,000円" in error.message
    _, errors = load(dues_paid("2026-12-10", "TAGAYASU", "たがやす", 5000), header)
    assert errors == []


def test_dues_from_an_organisation_not_on_the_roll_that_year() -> None:
    header = HEADER + '2026-03-31 custom "member-leave" "ECOMESSE"\n'
    text, errors = load(
        dues_paid("2026-05-01", "ECOMESSE", "エコメッセ 2026年度会費"), header
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "エコメッセ 2026年度会費")
    assert (
        "(ECOMESSE) は2026年度の会員ではありません (入会 2025-06-28・退会 2026-03-31)"
        in error.message
    )


def test_unpaid_member_in_a_settled_year_without_receivable() -> None:
    text, errors = load(
        dues_paid("2025-07-08", "SCC-TOKYO", "東京 2025年度会費")
        + dues_paid("2025-08-08", "TAGAYASU", "たがやす 2025年度会費")
        + '2026-06-20 custom "settlement" 2025 "総会" 20000 JPY\n'
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, 'custom "settlement"')
    assert (
        "特定非営利活動法人エコメッセ (ECOMESSE) の2025年度会費 10,000円 のうち 0円"
        in error.message
    )
    assert "不足 10,000円" in error.message
    assert "2026-03-31 付で Assets:1210-未収会費 を借方" in error.message
    # the same year unsettled: no error yet (the 3/31 accrual may still come)
    _, errors = load(
        dues_paid("2025-07-08", "SCC-TOKYO", "東京")
        + dues_paid("2025-08-08", "TAGAYASU", "たがやす")
    )
    assert errors == []


def test_dues_held_as_an_advance_are_to_be_recognised_not_accrued() -> None:
    """A member's dues sit in 前受会費 (the 4/1 transfer forgotten): the settled year's
    shortfall says to transfer them, not to book a 未収会費 that was in fact paid."""
    _, errors = load(
        dues_paid("2025-07-08", "SCC-TOKYO", "東京 2025年度会費")
        + dues_paid("2025-08-08", "TAGAYASU", "たがやす 2025年度会費")
        + textwrap.dedent(
            """
        2025-09-01 * "エコメッセ 2025年度会費"
          member: "ECOMESSE"
          Assets:1120-普通預金-ろうきん     10000 JPY
          Liabilities:2130-前受会費        -10000 JPY
        """
        )
        + '2026-06-20 custom "settlement" 2025 "総会" 30000 JPY\n'
    )
    error = only(errors)
    assert (
        "前受会費に 特定非営利活動法人エコメッセ の 10,000円 が残っています"
        in error.message
    )
    assert "前受会費から受取会費へ振り替えてください" in error.message
    assert "未収会費にはしないでください" in error.message


def test_receivable_of_a_member_never_negative() -> None:
    text, errors = load(
        """
        2026-05-12 * "エコメッセ 会費入金 (未収計上なし)"
          member: "ECOMESSE"
          Assets:1120-普通預金-ろうきん     10000 JPY
          Assets:1210-未収会費             -10000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "未収計上なし")
    assert "(ECOMESSE) の未収会費が 10,000円 のマイナスになります" in error.message


def test_unknown_supporter_suggests_the_close_id() -> None:
    text, errors = load(
        """
        2025-07-18 * "ご寄付"
          supporter: "S001"
          Assets:1120-普通預金-ろうきん     30000 JPY
          Income:4210-受取寄附金           -30000 JPY

        2025-07-19 * "ご寄付 (二名分)"
          Assets:1120-普通預金-ろうきん     30000 JPY
          Income:4210-受取寄附金           -10000 JPY
            supporter: "C0001"
          Income:4210-受取寄附金           -20000 JPY
            supporter: "C0009"
        """
    )
    assert len(errors) == 2
    by_line = {e.source["lineno"]: e.message for e in errors}
    first = by_line[line_of(text, '"ご寄付"')]
    assert "サポーターID 'S001' は名簿 (members.beancount) にありません" in first
    assert "近いID: S0001" in first
    assert "'C0009'" in by_line[line_of(text, "二名分")]


def test_malformed_roster_directive_is_reported() -> None:
    text, errors = load('2025-07-01 custom "member" "NO-NAME"\n')
    error = only(errors)
    assert error.source["lineno"] == line_of(text, '"NO-NAME"')
    assert "会員の書式が違います" in error.message


def test_violation_reported_by_bean_check_and_connect_books_check(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "books.beancount"
    ledger.write_text(HEADER + dues_paid("2025-07-08", "SCC-TOKIO", "東京 (ID の誤記)"))
    line = line_of(ledger.read_text(), "ID の誤記")
    assert_both_checks_report(ledger, line, "近いID: SCC-TOKYO")
