"""事業内容4・定款第14条3: the funds plugin (grants on decisions, funds never overdrawn)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

from ledgertools import assert_both_checks_report, line_of, only, plugin_errors

from connect_books.funds import FundDirectiveError
from connect_books.plugins.funds import FundsError

BIN = Path(sys.executable).parent

#: Two funds with their accounts (and roles), their opening balances and three decisions.
HEADER = """\
plugin "connect_books.plugins.funds"
option "operating_currency" "JPY"

2025-06-28 open Assets:1120-普通預金-ろうきん JPY
  role: "bank"
2025-06-28 open Assets:1130-普通預金-インクルファンド JPY
  role: "fund-asset"
  fund: "inclufund"
2025-06-28 open Assets:1140-定期預金-まちづくり積立金 JPY
  role: "fund-asset"
  fund: "machizukuri"
2025-06-28 open Equity:3010-引継正味財産 JPY
2025-06-28 open Equity:3310-インクルファンド JPY
  role: "fund-equity"
  fund: "inclufund"
2025-06-28 open Equity:3320-まちづくり積立金 JPY
  role: "fund-equity"
  fund: "machizukuri"
2025-06-28 open Income:4210-受取寄附金 JPY
  role: "donation"
2025-06-28 open Income:4220-受取寄附金-インクルファンド JPY
  role: "designated-donation"
  fund: "inclufund"
2025-06-28 open Income:4510-受取利息 JPY
2025-06-28 open Expenses:5140-資金循環:5141-支払助成金-インクルファンド JPY
  role: "grant-expense"
  fund: "inclufund"
2025-06-28 open Expenses:5140-資金循環:5142-支払助成金-まちづくり積立金 JPY
  role: "grant-expense"
  fund: "machizukuri"
2025-06-28 open Expenses:5210-管理費:5215-支払手数料 JPY

2025-06-28 custom "fund" "inclufund" "地域たすけあい福祉基金(インクルファンド)" Assets:1130-普通預金-インクルファンド Equity:3310-インクルファンド
  body: "助成審査委員会"
2025-06-28 custom "fund" "machizukuri" "まちづくり積立金" Assets:1140-定期預金-まちづくり積立金 Equity:3320-まちづくり積立金
  body: "運営委員会"

2025-06-28 * "インクルーシブ事業連合" "引継: インクルファンド"
  Assets:1130-普通預金-インクルファンド      500000 JPY
  Equity:3310-インクルファンド              -500000 JPY
2025-06-28 * "コネクト推進機構" "引継: 一般"
  Assets:1120-普通預金-ろうきん            1000000 JPY
  Equity:3010-引継正味財産                 -1000000 JPY

2025-10-25 custom "grant-decision" "IF-2025-01" "inclufund" "ワーカーズ・コレクティブ風のたより" 300000 JPY
  body: "助成審査委員会"
2025-10-25 custom "grant-decision" "IF-2025-02" "inclufund" "ワーカーズ・コレクティブはぐくみ" 250000 JPY
  body: "助成審査委員会"
2026-03-14 custom "decision" "UI-2025-04" "運営委員会" "まちづくり積立金への繰入"
"""


def load(body: str, header: str = HEADER) -> tuple[str, list[Any]]:
    """Load header + body; return the text and the plugin's errors (no other errors allowed)."""
    text = header + textwrap.dedent(body)
    return text, plugin_errors(text, (FundsError, FundDirectiveError))


def grant(day: str, decision: str, narration: str, amount: int) -> str:
    return f"""
{day} * "{narration}"
  decision: "{decision}"
  Expenses:5140-資金循環:5141-支払助成金-インクルファンド    {amount} JPY
  Assets:1130-普通預金-インクルファンド                    -{amount} JPY
"""


def test_grants_donations_and_a_decided_transfer_pass() -> None:
    _, errors = load(
        grant("2025-11-20", "IF-2025-01", "風のたより 助成金", 300000)
        + grant("2025-12-10", "IF-2025-02", "はぐくみ 助成金 (1回目)", 100000)
        + grant("2026-03-10", "IF-2025-02", "はぐくみ 助成金 (2回目)", 150000)
        + textwrap.dedent(
            """
            2025-12-12 * "C0001" "インクルファンドへのご寄付 (使途指定)"
              Assets:1130-普通預金-インクルファンド     200000 JPY
              Income:4220-受取寄附金-インクルファンド  -200000 JPY

            2026-02-20 * "普通預金利息 (インクルファンド口座)"
              Assets:1130-普通預金-インクルファンド         38 JPY
              Income:4510-受取利息                         -38 JPY

            2026-03-16 * "まちづくり積立金への繰入"
              decision: "UI-2025-04"
              Assets:1140-定期預金-まちづくり積立金     300000 JPY
              Assets:1120-普通預金-ろうきん            -300000 JPY
            """
        )
    )
    assert errors == []


def test_grant_beyond_its_decision() -> None:
    text, errors = load(
        grant("2025-11-20", "IF-2025-01", "風のたより 助成金 (1回目)", 200000)
        + grant("2025-12-20", "IF-2025-01", "風のたより 助成金 (2回目)", 150000)
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "(2回目)")
    assert (
        "助成決定 IF-2025-01 (ワーカーズ・コレクティブ風のたより) の決定額は 300,000円"
        in error.message
    )
    assert "支払累計が 350,000円 になり、50,000円 超えています" in error.message


def test_fund_overdrawn_for_a_day_then_refilled_is_an_error() -> None:
    text, errors = load(
        grant("2025-11-20", "IF-2025-01", "風のたより 助成金", 300000)
        + grant("2025-11-20", "IF-2025-02", "はぐくみ 助成金", 250000)
        + textwrap.dedent(
            """
            2025-11-21 * "C0001" "インクルファンドへのご寄付 (翌日の入金)"
              Assets:1130-普通預金-インクルファンド     100000 JPY
              Income:4220-受取寄附金-インクルファンド  -100000 JPY
            """
        )
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "はぐくみ 助成金")
    assert (
        "(Assets:1130-普通預金-インクルファンド) の残高が 2025-11-20 の終わりに ▲50,000円"
        in error.message
    )
    assert "50,000円 足りません" in error.message


def test_day_end_is_checked_past_transactions_that_touch_no_fund() -> None:
    text, errors = load(
        grant("2025-11-20", "IF-2025-01", "風のたより 助成金", 300000)
        + grant("2025-11-20", "IF-2025-02", "はぐくみ 助成金", 250000)
        + textwrap.dedent(
            """
            2025-11-21 * "ろうきん" "振込手数料"
              Expenses:5210-管理費:5215-支払手数料      440 JPY
              Assets:1120-普通預金-ろうきん             -440 JPY
            2025-11-25 * "C0001" "インクルファンドへのご寄付 (後日の入金)"
              Assets:1130-普通預金-インクルファンド     100000 JPY
              Income:4220-受取寄附金-インクルファンド  -100000 JPY
            """
        )
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "はぐくみ 助成金")
    assert "の残高が 2025-11-20 の終わりに ▲50,000円" in error.message


def test_fund_below_zero_within_a_day_but_not_at_its_end_passes() -> None:
    _, errors = load(
        grant("2025-11-20", "IF-2025-01", "風のたより 助成金", 300000)
        + grant("2025-11-20", "IF-2025-02", "はぐくみ 助成金", 250000)
        + textwrap.dedent(
            """
            2025-11-20 * "C0001" "インクルファンドへのご寄付 (同じ日の入金)"
              Assets:1130-普通預金-インクルファンド     100000 JPY
              Income:4220-受取寄附金-インクルファンド  -100000 JPY
            """
        )
    )
    assert errors == []


def test_grant_payment_needs_a_matching_decision_before_it() -> None:
    text, errors = load(
        """
        2025-11-20 * "助成金 (決定なし)"
          Expenses:5140-資金循環:5141-支払助成金-インクルファンド    10000 JPY
          Assets:1130-普通預金-インクルファンド                    -10000 JPY

        2025-11-21 * "助成金 (決定IDの誤り)"
          decision: "IF-2025-1"
          Expenses:5140-資金循環:5141-支払助成金-インクルファンド    10000 JPY
          Assets:1130-普通預金-インクルファンド                    -10000 JPY

        2025-10-01 * "助成金 (決定より前)"
          decision: "IF-2025-01"
          Expenses:5140-資金循環:5141-支払助成金-インクルファンド    10000 JPY
          Assets:1130-普通預金-インクルファンド                    -10000 JPY

        2025-11-22 * "助成金 (他の基金の科目)"
          decision: "IF-2025-01"
          Expenses:5140-資金循環:5142-支払助成金-まちづくり積立金    10000 JPY
          Assets:1130-普通預金-インクルファンド                    -10000 JPY

        2025-11-23 * "助成金 (一般の口座から)"
          decision: "IF-2025-01"
          Expenses:5140-資金循環:5141-支払助成金-インクルファンド    10000 JPY
          Assets:1120-普通預金-ろうきん                            -10000 JPY

        2025-11-24 * "助成金 (助成決定でない決定)"
          decision: "UI-2025-04"
          Expenses:5140-資金循環:5141-支払助成金-インクルファンド    10000 JPY
          Assets:1130-普通預金-インクルファンド                    -10000 JPY
        """
    )
    by_line = {e.source["lineno"]: e.message for e in errors}
    assert len(errors) == 6, [e.message for e in errors]
    assert 'decision: "決定ID"' in by_line[line_of(text, "(決定なし)")]
    unknown = by_line[line_of(text, "決定IDの誤り")]
    assert "決定ID 'IF-2025-1' の決定は記録されていません" in unknown
    assert "近いID: IF-2025-01" in unknown
    assert (
        "助成決定 IF-2025-01 (2025-10-25) より前の 2025-10-01 に支払っています"
        in by_line[line_of(text, "(決定より前)")]
    )
    assert (
        "まちづくり積立金の助成金の科目" in by_line[line_of(text, "(他の基金の科目)")]
    )
    assert (
        "(この取引は Assets:1120-普通預金-ろうきん から払っています)"
        in by_line[line_of(text, "(一般の口座から)")]
    )
    assert (
        "'UI-2025-04' は助成決定ではありません"
        in by_line[line_of(text, "助成決定でない決定")]
    )


def test_grant_decision_by_the_wrong_body_unknown_fund_or_zero() -> None:
    text, errors = load(
        """
        2025-11-01 custom "grant-decision" "IF-2025-09" "inclufund" "某団体" 100000 JPY
          body: "運営委員会"
        2025-11-02 custom "grant-decision" "IF-2025-10" "inclfund" "某団体" 100000 JPY
          body: "助成審査委員会"
        2025-11-03 custom "grant-decision" "MZ-2025-01" "machizukuri" "某団体" 0 JPY
          body: "運営委員会"
        """
    )
    by_line = {e.source["lineno"]: e.message for e in errors}
    assert len(errors) == 3, [e.message for e in errors]
    body = by_line[line_of(text, '"IF-2025-09"')]
    assert (
        "インクルファンド)の助成を決定するのは助成審査委員会です (定款第14条3)" in body
    )
    assert "body は「運営委員会」です" in body
    assert "近いID: inclufund" in by_line[line_of(text, '"IF-2025-10"')]
    assert "金額が 0円 です" in by_line[line_of(text, '"MZ-2025-01"')]


def test_fund_accounts_must_be_opened_and_directives_well_formed() -> None:
    text, errors = load(
        """
        2025-06-28 custom "fund" "kifu" "寄付募集" Assets:1150-普通預金-寄付募集 Equity:3330-寄付募集
          body: "運営委員会"
        2025-06-28 custom "fund" "broken" "書式の誤り"
        """
    )
    by_line: dict[int, list[str]] = {}
    for e in errors:
        by_line.setdefault(e.source["lineno"], []).append(e.message)
    assert len(errors) == 3, [e.message for e in errors]
    opened = " ".join(by_line[line_of(text, '"kifu"')])
    assert "資産の科目 Assets:1150-普通預金-寄付募集 が open されていません" in opened
    assert "正味財産の科目 Equity:3330-寄付募集 が open されていません" in opened
    assert "基金の書式が違います" in by_line[line_of(text, '"broken"')][0]


def test_money_leaves_a_fund_only_as_a_grant_or_a_decided_transfer() -> None:
    text, errors = load(
        """
        2025-11-20 * "振込手数料 (基金の口座から)"
          Expenses:5210-管理費:5215-支払手数料          440 JPY
          Assets:1130-普通預金-インクルファンド         -440 JPY

        2025-11-21 * "一般の口座への移し替え (決定あり)"
          decision: "UI-2025-04"
          Assets:1120-普通預金-ろうきん              1000 JPY
          Assets:1130-普通預金-インクルファンド        -1000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "振込手数料")
    assert "助成金の支払いでも、決定に基づく振替でもありません" in error.message


def test_designated_donation_must_land_in_the_fund() -> None:
    text, errors = load(
        """
        2025-12-12 * "C0001" "インクルファンドへのご寄付 (一般の口座に入金)"
          Assets:1120-普通預金-ろうきん              200000 JPY
          Income:4220-受取寄附金-インクルファンド   -200000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "一般の口座に入金")
    assert (
        "基金の口座 (Assets:1130-普通預金-インクルファンド) に 入っていません"
        in error.message
    )


def test_violation_reported_by_bean_check_and_connect_books_check(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "books.beancount"
    ledger.write_text(
        HEADER
        + grant("2025-11-20", "IF-2025-01", "風のたより 助成金 (1回目)", 200000)
        + grant("2025-12-20", "IF-2025-01", "風のたより 助成金 (2回目)", 150000)
    )
    line = line_of(ledger.read_text(), "(2回目)")
    assert_both_checks_report(ledger, line, "50,000円 超えています")


RESTRICTED = """
2025-09-05 * "公益財団法人みらい協同基金" "研修事業助成金 (使途指定)"
  restricted: "みらい研修 2025"
  Assets:1120-普通預金-ろうきん 300000 JPY
  Income:4210-受取寄附金 -300000 JPY
"""


def spent(day: str, name: str, amount: int) -> str:
    return f"""
{day} * "講師" "研修 講師謝金"
  restricted: "{name}"
  Expenses:5210-管理費:5215-支払手数料 {amount} JPY
  Assets:1120-普通預金-ろうきん -{amount} JPY
"""


def test_a_payment_must_name_a_restriction_received() -> None:
    _, errors = load(RESTRICTED + spent("2025-11-15", "みらい研修 2025", 120000))
    assert errors == []
    # (spending more than is left is not an error: the rest is general net assets)
    _, errors = load(RESTRICTED + spent("2025-11-15", "みらい研修 2025", 400000))
    assert errors == []
    text, errors = load(RESTRICTED + spent("2025-11-15", "みらい研修2025", 1000))
    error = only(errors)
    assert error.message.startswith(
        'restricted: "みらい研修2025" という使途指定の受入 (寄付・助成) が、2025-11-15 までに'
        "記録されていません。"
    )
    assert "みらい研修 2025" in error.message  # (the name it was meant to be)
    assert error.source["lineno"] == line_of(text, "研修 講師謝金")
    # named before it was received
    _, errors = load(spent("2025-08-01", "みらい研修 2025", 1000) + RESTRICTED)
    assert "2025-08-01 までに記録されていません" in only(errors).message


def test_a_misspelt_restriction_fails_both_checks(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    text = HEADER + RESTRICTED + spent("2025-11-15", "みらい研修2025", 1000)
    ledger.write_text(text, encoding="utf-8")
    assert_both_checks_report(
        ledger, line_of(text, "研修 講師謝金"), "という使途指定の受入"
    )
