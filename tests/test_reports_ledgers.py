"""The statements on small ledgers written for one behaviour each (passing and failing)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from connect_books.books import Books
from connect_books.fiscal import FiscalYear, Period, PeriodRefused
from connect_books.reports import (
    activity,
    balance_sheet,
    dues,
    funds,
    income_expenditure,
    inventory,
    registry,
    tieout,
    trend,
)
from connect_books.reports.figures import figures_of
from connect_books.reports.index import Index, build_index

D = datetime.date
P = Period.of
Y25, Y26 = FiscalYear(2025), FiscalYear(2026)

HEADER = """
option "operating_currency" "JPY"
2025-06-28 open Assets:1110-現金 JPY
  section: "流動資産"
  line: "現金預金"
  role: "cash"
  detail: "手許有高"
2025-06-28 open Assets:1120-普通預金-ろうきん JPY
  section: "流動資産"
  line: "現金預金"
  role: "bank"
  bank: "中央労働金庫"
  branch: "世田谷支店"
2025-06-28 open Assets:1130-普通預金-インクルファンド JPY
  section: "流動資産"
  line: "現金預金"
  role: "fund-asset"
  fund: "inclufund"
  bank: "中央労働金庫"
  branch: "世田谷支店"
2025-06-28 open Assets:1210-未収会費 JPY
  section: "流動資産"
  line: "未収会費"
  role: "dues-receivable"
2025-06-28 open Liabilities:2110-未払金 JPY
  section: "流動負債"
  line: "未払金"
  role: "payable"
2025-06-28 open Liabilities:2130-前受会費 JPY
  section: "流動負債"
  line: "前受会費"
  role: "dues-advance"
2025-06-28 open Equity:3010-引継正味財産 JPY
  section: "正味財産"
2025-06-28 open Equity:3310-インクルファンド JPY
  section: "正味財産"
  role: "fund-equity"
  fund: "inclufund"
2025-06-28 open Income:4110-受取会費 JPY
  section: "経常収益"
  line: "受取会費"
  budget-line: "会費"
  role: "dues-income"
2025-06-28 open Income:4220-受取寄附金-インクルファンド JPY
  section: "経常収益"
  line: "受取寄附金"
  budget-line: "寄付金"
  role: "designated-donation"
  fund: "inclufund"
2025-06-28 open Expenses:5130-広報:5131-印刷製本費 JPY
  section: "事業費"
  line: "印刷製本費"
  kind: "その他経費"
  activity: 3
2025-06-28 open Expenses:5140-資金循環:5141-支払助成金-インクルファンド JPY
  section: "事業費"
  line: "支払助成金"
  kind: "その他経費"
  activity: 4
  role: "grant-expense"
  fund: "inclufund"
2025-06-28 open Expenses:5210-管理費:5213-通信運搬費 JPY
  section: "管理費"
  line: "通信運搬費"
  kind: "その他経費"
2025-06-28 open Expenses:5900-予備費 JPY
  section: "予備費"
  line: "予備費"
2025-06-28 custom "dues-rate" 10000 JPY
2025-06-28 custom "member" "ECOMESSE" "特定非営利活動法人エコメッセ"
2025-06-28 custom "member" "TAGAYASU" "特定非営利活動法人たがやす"
2025-06-28 custom "fund" "inclufund" "地域たすけあい福祉基金(インクルファンド)" Assets:1130-普通預金-インクルファンド Equity:3310-インクルファンド
  body: "助成審査委員会"
  restricted: TRUE
2025-06-28 * "前身団体" "引継"
  opening: TRUE
  Assets:1120-普通預金-ろうきん      100000 JPY
  Assets:1130-普通預金-インクルファンド 500000 JPY
  Equity:3010-引継正味財産         -100000 JPY
  Equity:3310-インクルファンド     -500000 JPY
"""


def indexed(text: str) -> Index:
    """The index of the books ``HEADER + text`` (which must load without errors)."""
    entries, errors, options = loader.load_string(HEADER + text)
    assert errors == [], errors
    return build_index(entries, options)


def test_reports_cover_the_period_asked() -> None:
    idx = indexed("")
    whole = income_expenditure.report(idx, P(Y25))
    assert (whole.start, whole.end) == (D(2025, 6, 28), D(2026, 3, 31))
    assert whole.as_of is None
    after = balance_sheet.report(idx, P(Y25, D(2026, 5, 1)))
    assert after.end == D(2026, 3, 31) and after.as_of is None  # after the year end
    inside = trend.report(idx, P(Y26, D(2026, 9, 30)))
    assert inside.end == D(2026, 9, 30) and inside.as_of == D(2026, 9, 30)
    assert inside.rows[-2].label == "2026年9月"
    with pytest.raises(
        PeriodRefused,
        match="基準日 2026-03-01 は2026年度の開始 \\(2026-04-01\\) より前です",
    ):
        registry.make(idx, "budget", P(Y26, D(2026, 3, 1)))


def test_reports_share_the_figures_of_one_index() -> None:
    idx = indexed("")
    p = P(Y25)
    income_expenditure.report(idx, p)
    first = figures_of(idx, p.start, p.end)
    tieout.report(idx, p)
    assert figures_of(idx, p.start, p.end) is first
    assert len(idx.figures_cache) == 1


BUDGET = """
2025-06-28 custom "budget-decision" 2025 "総会" "当初予算"
  decision: "設立総会 第3号議案"
2025-06-28 custom "budget-line" 2025 Income:4110-受取会費 20000 JPY
2025-06-28 custom "budget-line" 2025 Expenses:5130-広報:5131-印刷製本費 30000 JPY
2025-06-28 custom "budget-line" 2025 Expenses:5900-予備費 10000 JPY
2026-01-24 custom "budget-decision" 2025 "運営委員会" "補正予算"
2026-01-24 custom "budget-line" 2025 Expenses:5130-広報:5131-印刷製本費 40000 JPY
2026-01-24 custom "budget-line" 2025 Expenses:5900-予備費 0 JPY
2026-06-20 custom "budget-decision" 2026 "総会" "当初予算"
2026-06-20 custom "budget-line" 2026 Income:4110-受取会費 20000 JPY
2026-06-20 custom "budget-line" 2026 Expenses:5130-広報:5131-印刷製本費 50000 JPY
2025-07-10 * "みやさか印刷" "チラシ"
  Expenses:5130-広報:5131-印刷製本費 35000 JPY
  Assets:1120-普通預金-ろうきん -35000 JPY
2026-05-10 * "みやさか印刷" "チラシ"
  Expenses:5130-広報:5131-印刷製本費 12000 JPY
  Assets:1120-普通預金-ろうきん -12000 JPY
"""


def test_budget_revision_and_provisional_budget() -> None:
    idx = indexed(BUDGET)
    before = income_expenditure.report(idx, P(Y25, D(2025, 12, 31)))
    printing = before.main.by_key("Expenses:5130-広報:5131-印刷製本費")
    assert printing.get("budget") == 30000 and printing.get("actual") == 35000
    assert printing.get("diff") == -5000
    assert before.row("予備費").get("budget") == 10000
    after = income_expenditure.report(idx, P(Y25))
    printing = after.main.by_key("Expenses:5130-広報:5131-印刷製本費")
    assert (
        printing.get("budget") == 40000
        and printing.get("note") == "補正 (当初 30,000円)"
    )
    assert after.row("予備費").get("note") == "補正 (当初 10,000円)"
    provisional = income_expenditure.report(idx, P(Y26, D(2026, 5, 31)))
    assert provisional.title == "収支計算書 (暫定予算)"
    assert (
        provisional.main.by_key("Expenses:5130-広報:5131-印刷製本費").get("budget")
        == 40000
    )
    assert provisional.main.by_key("Expenses:5130-広報:5131-印刷製本費").get(
        "rate"
    ) == Decimal("0.3")
    assert (
        "暫定予算: 2026年度の予算は2026-05-31時点で未決定のため、2025年度の予算で執行しています"
        in provisional.remarks[0]
    )
    decided = income_expenditure.report(idx, P(Y26))
    assert decided.title == "収支計算書"
    assert (
        decided.main.by_key("Expenses:5130-広報:5131-印刷製本費").get("budget") == 50000
    )


def test_budget_without_any_decision_says_so() -> None:
    r = income_expenditure.report(indexed(""), P(Y25))
    assert r.row("会費").get("budget") is None
    assert (
        r.remarks[0]
        == "2025年度の予算の記録がありません (budgets.beancount)。予算額の欄は空です。"
    )


def test_budget_over_spent_lines_are_listed_for_the_auditors() -> None:
    idx = indexed(BUDGET)
    r = tieout.report(idx, P(Y25, D(2025, 12, 31)))
    over = r.main.by_key("Expenses:5130-広報:5131-印刷製本費")
    assert over.label == "予算超過: 事業3 広報 印刷製本費" and over.get("result") == "—"
    assert (over.get("a"), over.get("b"), over.get("diff")) == (35000, 30000, 5000)
    assert "予算超過の科目" in [row.label for row in tieout.report(idx, P(Y25)).rows]


def test_every_spending_line_over_budget_is_listed(sample_books: Books) -> None:
    """Not only the accounts: 固定資産取得支出 too (the 監事 asks for every departure
    from the approved budget; 繰入 between 会計 are eliminated from the 合計)."""
    idx = registry.index_of(sample_books)
    labels = [r.label for r in tieout.report(idx, P(Y25)).rows]
    over = [label for label in labels if label.startswith("予算超過:")]
    assert over == ["予算超過: 事業3 広報 印刷製本費", "予算超過: 固定資産取得支出"]


DUES = """
2025-07-10 * "たがやす" "2025年度会費"
  member: "TAGAYASU"
  Assets:1120-普通預金-ろうきん 10000 JPY
  Income:4110-受取会費 -10000 JPY
2026-03-25 * "たがやす" "2026年度会費 (前受け)"
  member: "TAGAYASU"
  Assets:1120-普通預金-ろうきん 10000 JPY
  Liabilities:2130-前受会費 -10000 JPY
2026-03-31 * "エコメッセ" "2025年度会費 未収計上"
  member: "ECOMESSE"
  Assets:1210-未収会費 10000 JPY
  Income:4110-受取会費 -10000 JPY
2026-04-01 * "たがやす" "2026年度会費 (前受会費からの振替)"
  member: "TAGAYASU"
  Liabilities:2130-前受会費 10000 JPY
  Income:4110-受取会費 -10000 JPY
2026-05-12 * "エコメッセ" "会費 (2025年度分と2026年度分の一部)"
  member: "ECOMESSE"
  Assets:1120-普通預金-ろうきん 15000 JPY
  Assets:1210-未収会費 -10000 JPY
  Income:4110-受取会費 -5000 JPY
"""


def test_dues_roll_arrears_advances_and_collections() -> None:
    idx = indexed(DUES)
    r25 = dues.report(idx, P(Y25))
    eco = r25.main.by_key("2025年度:ECOMESSE")
    assert (eco.get("paid"), eco.get("outstanding"), eco.get("status")) == (
        0,
        10000,
        "未収計上",
    )
    tag = r25.main.by_key("2025年度:TAGAYASU")
    assert (tag.get("paid"), tag.get("paid_on"), tag.get("status")) == (
        10000,
        D(2025, 7, 10),
        "納入済",
    )
    assert "2026年度会費の前受: たがやす 10,000円" in r25.remarks
    assert "2025年度会費の未収: エコメッセ 10,000円" in r25.remarks
    r26 = dues.report(idx, P(Y26))
    assert r26.main.by_key("2025年度:ECOMESSE").get("paid_on") == D(2026, 5, 12)
    assert r26.main.by_key("2025年度:ECOMESSE").get("status") == "納入済"
    eco26 = r26.main.by_key("2026年度:ECOMESSE")
    assert (eco26.get("paid"), eco26.get("outstanding"), eco26.get("status")) == (
        5000,
        5000,
        "一部納入",
    )
    tag26 = r26.main.by_key("2026年度:TAGAYASU")
    assert (tag26.get("paid"), tag26.get("paid_on"), tag26.get("status")) == (
        10000,
        D(2026, 3, 25),
        "納入済",
    )
    assert r26.row("合計").get("due") == 40000


def test_dues_tie_out_fails_when_an_unpaid_member_is_not_booked() -> None:
    idx = indexed(
        DUES.split("2026-03-31 *")[0]
    )  # エコメッセ's dues never booked as 未収
    row = tieout.report(idx, P(Y25)).row("未収会費 = 会費納入状況の未収")
    assert (row.get("a"), row.get("b"), row.get("result")) == (0, 10000, "✗")
    good = tieout.report(indexed(DUES), P(Y25)).row("未収会費 = 会費納入状況の未収")
    assert (good.get("a"), good.get("b"), good.get("result")) == (10000, 10000, "✓")


def test_inventory_details_and_unexplained_balances() -> None:
    idx = indexed(
        DUES
        + """
2026-03-31 * "有限会社みやさか印刷" "ニュースレター第3号 印刷 (4月払い)"
  Expenses:5130-広報:5131-印刷製本費 38000 JPY
  Liabilities:2110-未払金 -38000 JPY
2026-03-31 * "郵便局" "切手 (後払い)"
  Expenses:5210-管理費:5213-通信運搬費 2000 JPY
  Liabilities:2110-未払金 -2000 JPY
    payee: "日本郵便株式会社"
"""
    )
    r = inventory.report(idx, P(Y25))
    items = {
        (row.label, row.get("detail")): row.get("amount")
        for row in r.rows
        if row.style == "item"
    }
    assert items[("未収会費", "2025年度会費 エコメッセ分")] == 10000
    assert (
        items[
            ("未払金", "有限会社みやさか印刷に対するニュースレター第3号 印刷 (4月払い)")
        ]
        == 38000
    )
    assert items[("未払金", "日本郵便株式会社に対する切手 (後払い)")] == 2000
    assert items[("前受会費", "2026年度会費 たがやす分 (前受)")] == 10000
    assert items[("普通預金", "中央労働金庫 世田谷支店")] == 100000 + 10000 + 10000
    assert r.row("正味財産").get("amount") == balance_sheet.report(idx, P(Y25)).row(
        "正味財産合計"
    ).get("current")
    assert (
        tieout.report(idx, P(Y25)).row("財産目録 内訳のない残高").get("result") == "✓"
    )

    unnamed = indexed("""
2026-03-31 * "会費 未収計上 (会員不明)"
  Assets:1210-未収会費 10000 JPY
  Income:4110-受取会費 -10000 JPY
""")
    r = inventory.report(unnamed, P(Y25))
    assert [
        (row.get("detail"), row.get("amount"))
        for row in r.rows
        if row.label == "未収会費"
    ] == [("内訳不明", 10000)]
    assert any("member: または payee: を付けてください" in x for x in r.remarks)
    assert (
        tieout.report(unnamed, P(Y25)).row("財産目録 内訳のない残高").get("result")
        == "✗"
    )


GRANTS = """
2025-10-25 custom "grant-decision" "IF-2025-01" "inclufund" "風のたより" 300000 JPY
  body: "助成審査委員会"
2025-11-01 * "S0001" "インクルファンドへのご寄付"
  Assets:1130-普通預金-インクルファンド 50000 JPY
  Income:4220-受取寄附金-インクルファンド -50000 JPY
2025-11-20 * "風のたより" "インクルファンド助成金"
  decision: "IF-2025-01"
  Expenses:5140-資金循環:5141-支払助成金-インクルファンド 300000 JPY
  Assets:1130-普通預金-インクルファンド -300000 JPY
"""


def test_grants_within_and_beyond_their_decision() -> None:
    idx = indexed(GRANTS)
    r = funds.report(idx, P(Y25))
    fund = r.main.by_key("基金:inclufund")
    assert (
        fund.get("opening"),
        fund.get("receipts"),
        fund.get("grants"),
        fund.get("closing"),
    ) == (
        500000,
        50000,
        300000,
        250000,
    )
    assert tieout.report(idx, P(Y25)).main.by_key("IF-2025-01").get("result") == "✓"
    over = indexed(
        GRANTS
        + """
2026-01-20 * "風のたより" "インクルファンド助成金 (追加)"
  decision: "IF-2025-01"
  Expenses:5140-資金循環:5141-支払助成金-インクルファンド 20000 JPY
  Assets:1130-普通預金-インクルファンド -20000 JPY
2026-02-20 * "どこか" "決定のない助成"
  Expenses:5140-資金循環:5141-支払助成金-インクルファンド 5000 JPY
  Assets:1130-普通預金-インクルファンド -5000 JPY
"""
    )
    t = tieout.report(over, P(Y25))
    row = t.main.by_key("IF-2025-01")
    assert (row.get("a"), row.get("b"), row.get("result")) == (320000, 300000, "✗")
    assert t.row("決定のない助成金の支払").get("a") == 5000
    assert t.row("決定のない助成金の支払").get("result") == "✗"
    assert "✗ IF-2025-01 支払額 ≤ 決定額" in t.remarks
    remarks = funds.report(over, P(Y25)).remarks
    assert "決定額を超えて支払った決定があります: IF-2025-01" in remarks
    note = activity.report(over, P(Y25)).note("使途等が制約された寄付等の内訳")
    assert note is not None
    note = note.by_key("指定:fund:inclufund")
    assert (note.get("increase"), note.get("decrease"), note.get("closing")) == (
        50000,
        325000,
        225000,
    )


def test_bank_balance_tie_out_needs_the_year_end_assertion() -> None:
    missing = tieout.report(indexed(""), P(Y25)).main.by_key(
        "Assets:1120-普通預金-ろうきん"
    )
    assert (missing.get("a"), missing.get("b"), missing.get("result")) == (
        100000,
        None,
        "✗",
    )
    assert (
        missing.get("note")
        == "2026-04-01 付の balance (通帳・残高証明・現金実査) がありません"
    )
    asserted = indexed("2026-04-01 balance Assets:1120-普通預金-ろうきん 100000 JPY\n")
    row = tieout.report(asserted, P(Y25)).main.by_key("Assets:1120-普通預金-ろうきん")
    assert (row.get("a"), row.get("b"), row.get("result")) == (100000, 100000, "✓")
    interim = tieout.report(indexed(""), P(Y25, D(2025, 9, 15))).main.by_key(
        "Assets:1120-普通預金-ろうきん"
    )
    assert interim.get("result") == "—"  # during the year: information, not a failure


def test_vouchers_by_document_metadata_or_link(tmp_path: Path) -> None:
    voucher = tmp_path / "receipt.pdf"
    voucher.write_bytes(b"%PDF-1.4\n")
    idx = indexed(f"""
2025-07-01 * "郵便局" "切手" ^v1
  Expenses:5210-管理費:5213-通信運搬費 1000 JPY
  Assets:1110-現金 -1000 JPY
2025-07-01 document Assets:1110-現金 "{voucher}" ^v1
2025-07-02 * "郵便局" "はがき"
  document: "receipt.pdf"
  Expenses:5210-管理費:5213-通信運搬費 500 JPY
  Assets:1110-現金 -500 JPY
2025-07-03 * "郵便局" "レターパック"
  Expenses:5210-管理費:5213-通信運搬費 370 JPY
  Assets:1110-現金 -370 JPY
2025-07-04 * "助成先" "インクルファンド助成金"
  Expenses:5140-資金循環:5141-支払助成金-インクルファンド 30000 JPY
  Assets:1130-普通預金-インクルファンド -30000 JPY
2025-07-05 * "印刷会社" "未払金の支払"
  Liabilities:2110-未払金 2000 JPY
  Assets:1120-普通預金-ろうきん -2000 JPY
2025-07-06 * "振替 (現金 → 預金)"
  Assets:1120-普通預金-ろうきん 5000 JPY
  Assets:1110-現金 -5000 JPY
2025-07-07 * "未払の計上 (お金は動かない)"
  Expenses:5130-広報:5131-印刷製本費 2000 JPY
  Liabilities:2110-未払金 -2000 JPY
""")
    row = tieout.report(idx, P(Y25)).row("証憑の記録のない支払")
    # every payment out of cash, bank and fund accounts (the grant and the 未払金
    # settled too); not the transfer, nor what moved no money
    assert (row.get("a"), row.get("b"), row.get("result")) == (32370, 33870, "—")
    assert "支払 5件" in str(row.get("note"))
    assert "証憑の記録のないもの 3件" in str(row.get("note"))


def test_trend_short_first_year_and_interim() -> None:
    idx = indexed(GRANTS)
    r = trend.report(idx, P(Y25, D(2025, 11, 30)))
    labels = [row.label for row in r.rows]
    assert labels == [
        "2025年6月",
        "2025年7月",
        "2025年8月",
        "2025年9月",
        "2025年10月",
        "2025年11月",
        "合計",
    ]
    november = r.row("2025年11月")
    assert (november.get("income"), november.get("expenses"), november.get("a4")) == (
        50000,
        300000,
        300000,
    )
    assert november.get("net_assets") == 600000 + 50000 - 300000
    assert r.row("合計").get("cumulative") == -250000


def test_net_assets_identity_holds_with_opening_balances() -> None:
    idx = indexed(GRANTS)
    bs = balance_sheet.report(idx, P(Y25))
    assert bs.figure("前期繰越正味財産", "current") == 600000  # brought in on 6/28
    assert bs.figure("当期正味財産増減額", "current") == -250000
    assert bs.figure("正味財産合計", "current") == bs.figure(
        "資産合計", "current"
    ) - bs.figure("負債合計", "current")
    assert any("前身団体からの引継 600,000円" in x for x in bs.remarks)
    # the grant spent restricted money: 振替 of 300,000, the fund keeps 250,000
    assert bs.figure("指定正味財産", "current") == 500000 + 50000 - 300000
    assert bs.figure("一般正味財産", "current") == 100000
    act = activity.report(idx, P(Y25))
    assert act.figure("正味財産:期末", "amount") == 350000
    assert act.figure("一般:振替", "amount") == 300000
    assert act.figure("一般:増減額", "amount") == 0  # the grant was the fund's money
    assert act.figure("指定:増減額", "amount") == -250000


def test_carry_forward_against_the_approved_settlement() -> None:
    settled = (
        '2026-06-20 custom "settlement" 2025 "総会" {} JPY\n  audited: 2026-05-23\n'
    )
    good = tieout.report(indexed(GRANTS + settled.format(350000)), P(Y26))
    row = good.main.by_key("繰越:決算承認")
    assert (row.get("a"), row.get("b"), row.get("result")) == (350000, 350000, "✓")
    assert row.get("note") == "2026年6月20日 総会で承認"
    bad = tieout.report(indexed(GRANTS + settled.format(360000)), P(Y26))
    row = bad.main.by_key("繰越:決算承認")
    assert (row.get("diff"), row.get("result")) == (10000, "✗")
    unsettled = tieout.report(indexed(GRANTS), P(Y26)).main.by_key("繰越:決算承認")
    assert (unsettled.get("a"), unsettled.get("b"), unsettled.get("result")) == (
        None,
        350000,
        "✗",
    )
    assert unsettled.get("note") == (
        "2025年度の決算 (総会の承認) が記録されていません。"
        "承認されたら connect-books close-year で記録してください"
    )


def test_a_liability_paid_twice_is_shown_to_the_auditors() -> None:
    idx = indexed("""
2025-07-01 * "印刷会社" "未払金の支払い (過払い)"
  Liabilities:2110-未払金 2000 JPY
  Assets:1120-普通預金-ろうきん -2000 JPY
""")
    row = tieout.report(idx, P(Y25)).main.by_key("一致:マイナスの負債")
    assert (row.get("a"), row.get("result")) == (2000, "—")
    assert "未払金 ▲2,000円" in str(row.get("note"))
