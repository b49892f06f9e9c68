"""定款第29条: the no_distribution plugin (net assets are never distributed)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from beancount import loader
from ledgertools import assert_both_checks_report, line_of, only, plugin_errors

from connect_books.plugins.no_distribution import NoDistributionError, no_distribution

BIN = Path(sys.executable).parent

#: Options, accounts, a member and a decision shared by the ledgers below.
HEADER = """\
plugin "connect_books.plugins.no_distribution"
option "operating_currency" "JPY"
option "account_previous_balances" "3900-期首残高"
option "account_previous_earnings" "3100-前期繰越正味財産"
option "account_current_earnings" "3200-当期正味財産増減額"

2025-06-28 open Assets:1110-現金 JPY
2025-06-28 open Assets:1120-普通預金-ろうきん JPY
2025-06-28 open Assets:1140-定期預金-まちづくり積立金 JPY
2025-06-28 open Liabilities:2110-未払金 JPY
2025-06-28 open Equity:3010-引継正味財産 JPY
2025-06-28 open Equity:3100-前期繰越正味財産 JPY
2025-06-28 open Equity:3200-当期正味財産増減額 JPY
2025-06-28 open Equity:3320-まちづくり積立金 JPY
2025-06-28 open Equity:3900-期首残高 JPY
2025-06-28 open Income:4410-事業収益 JPY
2025-06-28 open Expenses:5210-管理費:5219-雑費 JPY

2025-06-28 custom "member" "SCC-TOKYO" "生活クラブ生活協同組合・東京"
2025-06-28 custom "fund" "machizukuri" "まちづくり積立金" Assets:1140-定期預金-まちづくり積立金 Equity:3320-まちづくり積立金
  body: "運営委員会"
2026-03-14 custom "decision" "UI-2025-04" "運営委員会" "まちづくり積立金への繰入"

2025-06-28 * "コネクト推進機構" "引継: 一般の資産"
  opening: TRUE
  Assets:1120-普通預金-ろうきん             1850000 JPY
  Liabilities:2110-未払金                    -50000 JPY
  Equity:3010-引継正味財産                 -1800000 JPY
"""


def load(body: str) -> tuple[str, list[NoDistributionError]]:
    """Load HEADER + body; return the text and the plugin's errors (no other errors allowed)."""
    text = HEADER + textwrap.dedent(body)
    return text, plugin_errors(text, (NoDistributionError,))


def test_opening_and_decided_transfer_pass() -> None:
    _, errors = load(
        """
        2025-06-28 * "コネクト推進機構" "引継: まちづくり積立金"
          opening: TRUE
          Assets:1140-定期預金-まちづくり積立金    1000000 JPY
          Equity:3320-まちづくり積立金             -1000000 JPY

        2026-03-16 * "まちづくり積立金への繰入"
          decision: "UI-2025-04"
          Assets:1140-定期預金-まちづくり積立金     300000 JPY
          Assets:1120-普通預金-ろうきん            -300000 JPY
          Equity:3010-引継正味財産                  300000 JPY
          Equity:3320-まちづくり積立金             -300000 JPY
        """
    )
    assert errors == []


def test_surplus_paid_to_a_member_is_an_error() -> None:
    text, errors = load(
        """
        2026-05-10 * "生活クラブ生協・東京" "剰余金の分配"
          member: "SCC-TOKYO"
          Equity:3100-前期繰越正味財産              100000 JPY
          Assets:1120-普通預金-ろうきん            -100000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "剰余金の分配")
    assert "Equity:3100-前期繰越正味財産" in error.message
    assert "100,000円 減って" in error.message
    assert "分配・払戻しはできません (定款第29条)" in error.message


def test_refund_through_a_payable_and_a_closing_entry_are_errors() -> None:
    text, errors = load(
        """
        2026-05-10 * "生活クラブ生協・東京" "剰余金の払戻し (未払)"
          Equity:3100-前期繰越正味財産               20000 JPY
          Liabilities:2110-未払金                   -20000 JPY

        2026-03-31 * "決算振替"
          Income:4410-事業収益                       30000 JPY
          Equity:3200-当期正味財産増減額            -30000 JPY
        """
    )
    assert len(errors) == 2
    by_line = {e.source["lineno"]: e.message for e in errors}
    refund = by_line[line_of(text, "剰余金の払戻し")]
    assert "機構自身の資産以外 (Liabilities:2110-未払金)" in refund
    closing = by_line[line_of(text, "決算振替")]
    assert "手で書いた決算振替" in closing and "Income:4410-事業収益" in closing
    assert "繰越は Beancount が行います" in closing


def test_the_equity_root_is_the_one_the_options_name() -> None:
    header = 'option "name_equity" "Seimi"\n' + HEADER.replace("Equity:", "Seimi:")
    text = header + textwrap.dedent(
        """
        2026-05-10 * "生活クラブ生協・東京" "剰余金の分配"
          Seimi:3100-前期繰越正味財産              100000 JPY
          Assets:1120-普通預金-ろうきん            -100000 JPY
        """
    )
    error = only(plugin_errors(text, (NoDistributionError,)))
    assert error.source["lineno"] == line_of(text, "剰余金の分配")
    assert (
        "正味財産の科目 (Seimi:3100-前期繰越正味財産) への記帳です。" in error.message
    )


def test_opening_balance_only_on_the_establishment_day() -> None:
    text, errors = load(
        """
        2025-09-01 * "コネクト推進機構" "引継: 遅れて届いた預金"
          opening: TRUE
          Assets:1110-現金                            5000 JPY
          Equity:3010-引継正味財産                   -5000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "遅れて届いた預金")
    assert "設立日 2025-06-28 付でだけ" in error.message
    assert "2025-09-01 付" in error.message


def test_transfer_needs_a_known_decision_dated_before_it() -> None:
    text, errors = load(
        """
        2026-03-15 * "繰入 (決定なし)"
          Equity:3010-引継正味財産                  100000 JPY
          Equity:3320-まちづくり積立金             -100000 JPY

        2026-03-16 * "繰入 (決定IDの誤り)"
          decision: "UI-2025-4"
          Equity:3010-引継正味財産                  100000 JPY
          Equity:3320-まちづくり積立金             -100000 JPY

        2026-03-10 * "繰入 (決定より前)"
          decision: "UI-2025-04"
          Equity:3010-引継正味財産                  100000 JPY
          Equity:3320-まちづくり積立金             -100000 JPY
        """
    )
    by_line = {e.source["lineno"]: e.message for e in errors}
    assert len(errors) == 3
    assert 'decision: "決定ID"' in by_line[line_of(text, "繰入 (決定なし)")]
    unknown = by_line[line_of(text, "決定IDの誤り")]
    assert (
        "'UI-2025-4' の決定は記録されていません" in unknown
        and "近いID: UI-2025-04" in unknown
    )
    early = by_line[line_of(text, "決定より前")]
    assert "決定 'UI-2025-04' (2026-03-14) より前の日付" in early


def test_pad_from_equity_after_the_opening_day() -> None:
    text, errors = load(
        """
        2026-04-01 pad Assets:1110-現金 Equity:3100-前期繰越正味財産
        2026-04-02 balance Assets:1110-現金 1000 JPY
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "pad Assets:1110-現金")
    assert (
        "pad で Assets:1110-現金 の残高を正味財産 (Equity:3100-前期繰越正味財産) から"
        in error.message
    )


def test_period_closing_accounts_must_be_opened_equity_accounts() -> None:
    text = HEADER.replace('"3100-前期繰越正味財産"', '"Earnings:Previous"')
    _, errors, _ = loader.load_string(text)
    error = only([e for e in errors if isinstance(e, NoDistributionError)])
    assert error.source["lineno"] == 0
    assert (
        'option "account_previous_earnings" の科目 Equity:Earnings:Previous が open されていません'
        in error.message
    )


def test_config_is_refused_as_an_error() -> None:
    entries, _, options = loader.load_string(HEADER)
    _, errors = no_distribution(entries, options, "{'x': 1}")
    assert "設定はありません" in only(errors).message


def test_violation_reported_by_bean_check_and_connect_books_check(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "books.beancount"
    ledger.write_text(
        HEADER
        + textwrap.dedent(
            """
            2026-05-10 * "生活クラブ生協・東京" "剰余金の分配"
              Equity:3100-前期繰越正味財産              100000 JPY
              Assets:1120-普通預金-ろうきん            -100000 JPY
            """
        )
    )
    line = line_of(ledger.read_text(), "剰余金の分配")
    assert_both_checks_report(ledger, line, "定款第29条")
