"""Every statement on the sample books, checked against independent bean-query sums."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from ledgertools import query, query_by, query_total

from connect_books.books import Books
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports import (
    activity,
    balance_sheet,
    dues,
    funds,
    inventory,
    registry,
    tieout,
    trend,
)
from connect_books.reports.index import Index
from connect_books.reports.table import Report

Y25, Y26 = FiscalYear(2025), FiscalYear(2026)
D = datetime.date
P = Period.of


@pytest.fixture(scope="module")
def idx(sample_books: Books) -> Index:
    """The index of the sample books, built once for every report of this module."""
    return registry.index_of(sample_books)


def income(books: Books, start: D, end: D) -> int:
    return -query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^Income:' AND date >= %s AND date <= %s",
        start,
        end,
    )


def expenses(books: Books, start: D, end: D) -> int:
    return query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^Expenses:' AND date >= %s AND date <= %s",
        start,
        end,
    )


def net_assets(books: Books, day: D) -> int:
    """Assets − liabilities, straight from the postings."""
    return query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^(Assets|Liabilities):' AND date <= %s",
        day,
    )


def amounts(report: Report, column: str) -> dict[str, object]:
    return {row.label: row.get(column) for row in report.rows if row.style != "heading"}


# The 収支計算書 is tested in tests/test_income_expenditure.py.


# ---- 活動計算書 --------------------------------------------------------------------------


def restricted_fund(books: Books, day: D) -> int:
    """The インクルファンド's deposit (the only restricted fund), from the postings."""
    return query_total(
        books,
        "SELECT sum(number) WHERE account = 'Assets:1130-普通預金-インクルファンド'"
        " AND date <= %s",
        day,
    )


def restricted(books: Books, day: D) -> int:
    """指定正味財産 from the postings: the restricted fund's deposit, plus what was
    received with ``restricted:`` and not yet spent with it (never overspent here)."""
    outside = query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^(Income|Expenses):'"
        " AND ANY_META('restricted') IS NOT NULL AND date <= %s",
        day,
    )
    return restricted_fund(books, day) - outside


def released(books: Books, start: D, end: D) -> int:
    """指定正味財産からの振替額 from the postings: grants from the fund and costs paid
    with ``restricted:``."""
    return query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^Expenses:' AND date >= %s AND date <= %s"
        " AND ('Assets:1130-普通預金-インクルファンド' IN other_accounts"
        " OR ANY_META('restricted') IS NOT NULL)",
        start,
        end,
    )


def test_activity_2025_lines_match_bean_query(sample_books: Books, idx: Index) -> None:
    r = activity.report(idx, P(Y25))
    start, end = D(2025, 6, 28), D(2026, 3, 31)
    fig = r.main.figure
    lines = query_by(
        sample_books,
        "SELECT open_meta(account, 'line') AS line, sum(number) WHERE account ~ '^Income:'"
        " AND date >= %s AND date <= %s GROUP BY line",
        start,
        end,
    )
    # what came into the restricted fund's account with income is Ⅱ, the rest Ⅰ
    into_fund = query_by(
        sample_books,
        "SELECT open_meta(account, 'line') AS line, sum(number) WHERE account ~ '^Income:'"
        " AND date >= %s AND date <= %s"
        " AND 'Assets:1130-普通預金-インクルファンド' IN other_accounts GROUP BY line",
        start,
        end,
    )
    for line, value in lines.items():
        restricted = -into_fund.get(line, 0)
        assert fig(f"経常収益:{line}", "amount") == -value - restricted, line
        if line in ("受取寄附金", "受取助成金等") or restricted:
            assert fig(f"指定:{line}", "amount") == restricted, line
    assert fig("指定:受取寄附金", "amount") == 380_000  # designated gifts
    assert fig("指定:その他収益", "amount") == 38  # the fund's own interest
    assert fig("経常収益:受取会費", "amount") == 160_000
    grants = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '支払助成金-インクルファンド'"
        " AND date >= %s AND date <= %s",
        start,
        end,
    )
    assert fig("一般:振替", "amount") == grants == 950_000
    assert fig("指定:振替", "amount") == -950_000
    restricted_in = -sum(into_fund.values())
    assert restricted_in == 380_038
    assert fig("経常収益計", "amount") == (
        income(sample_books, start, end) - restricted_in + grants
    )
    sections = query_by(
        sample_books,
        "SELECT open_meta(account, 'section') AS s, sum(number) WHERE account ~ '^Expenses:'"
        " AND date >= %s AND date <= %s GROUP BY s",
        start,
        end,
    )
    assert fig("事業費計", "amount") == sections["事業費"]
    assert fig("管理費計", "amount") == sections["管理費"]
    assert fig("経常費用計", "amount") == expenses(sample_books, start, end)
    assert fig("事業費:その他経費:支払助成金", "amount") == 950_000
    general = (
        income(sample_books, start, end)
        - restricted_in
        + grants
        - expenses(sample_books, start, end)
    )
    assert (
        fig("当期経常増減額", "amount") == general > 0
    )  # general operations: a surplus
    assert fig("一般:増減額", "amount") == general
    assert fig("指定:増減額", "amount") == restricted_in - grants
    # 一般 + 指定 = 正味財産 = 資産 − 負債, at the start and the end
    assert fig("指定:期首", "amount") == 4_200_000  # brought in on 6/28
    assert fig("一般:期首", "amount") + fig("指定:期首", "amount") == net_assets(
        sample_books, start
    )
    assert fig("指定:期末", "amount") == restricted_fund(sample_books, end) == 3_630_038
    assert fig("一般:期末", "amount") == net_assets(sample_books, end) - 3_630_038
    assert (
        fig("一般:期末", "amount") + fig("指定:期末", "amount")
        == fig("正味財産:期末", "amount")
        == net_assets(sample_books, end)
    )
    assert fig("一般:期首", "amount") + fig("一般:増減額", "amount") == fig(
        "一般:期末", "amount"
    )
    assert fig("指定:期首", "amount") + fig("指定:増減額", "amount") == fig(
        "指定:期末", "amount"
    )
    labels = [row.label for row in r.rows]
    for label in (
        "Ⅰ 一般正味財産増減の部",
        "(1) 経常収益",
        "指定正味財産からの振替額",
        "(2) 経常費用",
        "当期経常増減額",
        "(1) 経常外収益",
        "(2) 経常外費用",
        "当期一般正味財産増減額",
        "一般正味財産期首残高",
        "一般正味財産期末残高",
        "Ⅱ 指定正味財産増減の部",
        "一般正味財産への振替額",
        "当期指定正味財産増減額",
        "指定正味財産期首残高",
        "指定正味財産期末残高",
        "Ⅲ 正味財産期末残高",
    ):
        assert label in labels, label
    assert "次期繰越正味財産額" not in labels


def test_activity_mid_year_says_so(sample_books: Books, idx: Index) -> None:
    as_of = D(2026, 11, 30)
    r = activity.report(idx, P(Y26, as_of))
    fig = r.main.figure
    labels = [row.label for row in r.rows]
    assert "一般正味財産残高 (2026年11月30日現在)" in labels
    assert "Ⅲ 正味財産残高 (2026年11月30日現在)" in labels
    assert not [x for x in labels if "期末" in x or "次期繰越" in x]
    start = D(2026, 4, 1)
    assert fig("指定:期首", "amount") == restricted(sample_books, D(2026, 3, 31))
    assert fig("指定:期首", "amount") == 3_630_038
    held = restricted(sample_books, as_of)
    assert fig("指定:期末", "amount") == held
    assert fig("一般:期末", "amount") == net_assets(sample_books, as_of) - held
    assert fig("指定:受取寄附金", "amount") == -query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Income:' AND date >= %s AND date <= %s"
        " AND 'Assets:1130-普通預金-インクルファンド' IN other_accounts",
        start,
        as_of,
    )
    assert fig("一般:振替", "amount") == released(sample_books, start, as_of) > 0
    assert fig("一般:期末", "amount") + fig("指定:期末", "amount") == fig(
        "正味財産:期末", "amount"
    )
    assert r.status == "年度途中 (2026年11月30日現在)"


def test_activity_notes(sample_books: Books, idx: Index) -> None:
    r = activity.report(idx, P(Y25))
    titles = [t.title for t in r.tables[1:]]
    assert titles == [
        "重要な会計方針",
        "事業別損益の状況",
        "使途等が制約された寄付等の内訳",
        "引継財産の内訳",
        "役員及び関連当事者との取引",
        "助成決定済み未払額",
    ]
    by_activity = r.note("事業別損益の状況")
    assert by_activity is not None
    assert [c.label for c in by_activity.columns][-3:] == [
        "事業部門計",
        "管理部門",
        "合計",
    ]
    spent = query_by(
        sample_books,
        "SELECT open_meta(account, 'activity') AS a, sum(number) WHERE open_meta(account, 'section') = '事業費'"
        " AND date >= 2025-06-28 AND date <= 2026-03-31 GROUP BY a",
    )
    for activity_no, value in spent.items():
        assert by_activity.figure("事業別:経常費用計", f"a{activity_no}") == value
    for column, key in (("admin", "管理費計"), ("total", "経常費用計")):
        assert by_activity.figure("事業別:経常費用計", column) == r.figure(
            key, "amount"
        )
    for key in ("経常収益計", "経常増減額"):
        assert by_activity.figure(f"事業別:{key}", "total") == r.figure(
            "当期経常増減額" if key == "経常増減額" else key, "amount"
        )
    # the restricted gifts spent on grants are activity 4's revenue (振替)
    assert by_activity.figure("事業別:振替", "a4") == 950_000
    restricted = r.note("使途等が制約された寄付等の内訳")
    assert restricted is not None
    fund = restricted.by_key("指定:fund:inclufund")
    assert (
        fund.get("opening"),
        fund.get("increase"),
        fund.get("decrease"),
        fund.get("closing"),
    ) == (4_200_000, 380_038, 950_000, 3_630_038)
    assert "受取利息の受入 38円" in str(fund.get("note"))
    assert "支払助成金-インクルファンドに充当 950,000円" in str(fund.get("note"))
    assert fund.get("closing") == restricted_fund(sample_books, D(2026, 3, 31))
    assert restricted.figure("指定:合計", "closing") == r.figure("指定:期末", "amount")
    assert not [row for row in restricted.rows if "まちづくり" in row.label]
    inherited = r.note("引継財産の内訳")
    assert inherited is not None
    brought = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^(Assets|Liabilities):' AND date = 2025-06-28"
        " AND ANY_META('opening')",
    )
    assert inherited.figure("引継:正味財産", "amount") == brought == 7_037_000
    assert inherited.figure("引継:指定", "amount") == 4_200_000
    assert inherited.figure("引継:一般", "amount") == 2_837_000
    cash = inherited.by_key("引継:Assets:1110-現金")
    assert (cash.get("source"), cash.get("amount")) == ("コネクト推進機構", 32_000)
    owed = inherited.figure(
        "引継:負債計", "amount"
    )  # (what is owed, as a positive sum)
    assert owed == 45_000
    assert inherited.figure("引継:資産計", "amount") == brought + owed
    policies = r.note("重要な会計方針")
    assert policies is not None
    assert "NPO法人会計基準" in str(policies.rows[0].get("text"))
    unpaid = r.note("助成決定済み未払額")
    assert unpaid is not None and unpaid.rows[0].label == "該当なし"
    later = activity.report(idx, P(Y26, D(2026, 11, 30))).note("助成決定済み未払額")
    assert later is not None
    row = later.by_key("未払:IF-2026-02")
    assert (row.get("amount"), row.get("paid"), row.get("left")) == (
        300_000,
        150_000,
        150_000,
    )
    assert activity.report(idx, P(Y26)).note("引継財産の内訳") is None


# ---- 貸借対照表・財産目録 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "as_of"), [(Y25, None), (Y26, None), (Y26, D(2026, 9, 30))]
)
def test_balance_sheet_lines_match_bean_query(
    sample_books: Books, year: FiscalYear, as_of: D | None, idx: Index
) -> None:
    p = P(year, as_of)
    r = balance_sheet.report(idx, p)
    lines = {
        (section, line): int(value)
        for section, line, value in query(
            sample_books,
            "SELECT open_meta(account, 'section') AS s, open_meta(account, 'line') AS l,"
            " sum(number) WHERE account ~ '^(Assets|Liabilities):' AND date <= %s"
            " GROUP BY s, l",
            p.end,
        )
    }
    for (section, line), value in lines.items():
        assert r.figure(f"{section}:{line}", "current") == abs(value), line
    assets = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Assets:' AND date <= %s",
        p.end,
    )
    net = net_assets(sample_books, p.end)
    assert r.figure("資産合計", "current") == assets
    assert r.figure("正味財産合計", "current") == net
    assert r.figure("負債及び正味財産合計", "current") == assets
    held = restricted(sample_books, p.end)
    assert r.figure("指定正味財産", "current") == held
    fund = restricted_fund(sample_books, p.end)
    assert r.figure("指定:fund:inclufund", "current") == fund
    assert r.figure("一般正味財産", "current") == net - held
    assert r.figure("一般正味財産", "current") + r.figure(
        "指定正味財産", "current"
    ) == r.figure("資産合計", "current") - r.figure("負債合計", "current")
    reserve = query_total(
        sample_books,
        "SELECT sum(number) WHERE account = %s AND date <= %s",
        idx.funds.funds["machizukuri"].asset,
        p.end,
    )
    assert r.figure("特定資産:machizukuri", "current") == reserve  # 一般, 「うち」
    assert r.figure("基金:machizukuri", "current") == reserve
    header = "当年度末" if as_of is None else "2026年9月30日現在"
    assert [c.label for c in r.main.columns] == [header, "前年度末", "増減"]


def test_balance_sheet_2025_restricted_is_the_fund_only(idx: Index) -> None:
    r = balance_sheet.report(idx, P(Y25))
    assert r.figure("指定正味財産", "current") == 3_630_038  # not 4,930,038
    assert r.figure("一般正味財産", "current") == r.figure(
        "正味財産合計", "current"
    ) - r.figure("指定正味財産", "current")
    labels = [row.label for row in r.rows]
    assert "うち特定資産 まちづくり積立金" in labels
    assert "うち指定正味財産" not in labels


def test_balance_sheet_previous_year_column(idx: Index) -> None:
    now, then = (
        balance_sheet.report(idx, P(Y26)),
        balance_sheet.report(idx, P(Y25)),
    )
    for row in now.rows:
        if row.style != "heading" and row.key not in (
            "前期繰越正味財産",
            "当期正味財産増減額",
        ):
            before = then.figure(row.key, "current")
            if before is None and row.key.startswith("指定:gift:"):
                before = 0  # a restricted grant first received in 2026年度
            assert row.get("previous") == before, row.key
            assert row.get("change") == row.get("current") - row.get("previous")
    assert now.figure("前期繰越正味財産", "current") == then.figure(
        "正味財産合計", "current"
    )
    assert then.figure("資産合計", "previous") is None  # first year


def test_inventory_2025_lists_each_item(idx: Index) -> None:
    r = inventory.report(idx, P(Y25))
    items = [
        (row.label, row.get("detail"), row.get("amount"))
        for row in r.rows
        if row.style == "item"
    ]
    assert ("現金", "手許有高", 185_800) in items
    assert ("普通預金", "中央労働金庫 世田谷支店", 1_328_755) in items
    assert ("未収会費", "2025年度会費 エコメッセ分", 10_000) in items
    payable = [i for i in items if i[0] == "未払金"]
    assert (
        len(payable) == 1
        and payable[0][1].startswith("有限会社みやさか印刷に対する")
        and payable[0][2] == 38_000
    )
    assert ("前受会費", "2026年度会費 たがやす分 (前受)", 10_000) in items
    bs = balance_sheet.report(idx, P(Y25))
    assert r.figure("資産合計", "amount") == bs.figure("資産合計", "current")
    assert r.figure("負債合計", "amount") == bs.figure("負債合計", "current")
    assert r.figure("正味財産", "amount") == bs.figure("正味財産合計", "current")
    assert r.figure("指定正味財産", "amount") == 3_630_038
    assert r.figure("一般正味財産", "amount") == bs.figure("一般正味財産", "current")
    assert r.figure("一般正味財産", "amount") + r.figure(
        "指定正味財産", "amount"
    ) == r.figure("正味財産", "amount")
    reserve = r.main.by_key(idx.funds.funds["machizukuri"].asset)
    assert "特定資産、使用目的: " in str(reserve.get("detail"))
    fund = r.main.by_key("Assets:1130-普通預金-インクルファンド")
    assert "指定正味財産" in str(fund.get("detail"))
    assert r.main.columns[0].label == "摘要" and r.main.columns[1].label == "金額"


def test_inventory_2026_after_collection(idx: Index) -> None:
    r = inventory.report(idx, P(Y26, D(2026, 5, 31)))
    details = [row.get("detail") for row in r.rows if row.label == "未収会費"]
    assert details == []  # エコメッセ paid on 2026-05-12
    r = inventory.report(idx, P(Y26, D(2026, 5, 1)))
    assert [row.get("detail") for row in r.rows if row.label == "未収会費"] == [
        "2025年度会費 エコメッセ分"
    ]


# ---- 会費・基金・月次 --------------------------------------------------------------------


def test_dues_roll_2025(sample_books: Books, idx: Index) -> None:
    r = dues.report(idx, P(Y25))
    ecomesse = r.main.by_key("2025年度:ECOMESSE")
    assert ecomesse.label == "特定非営利活動法人エコメッセ"
    assert (
        ecomesse.get("due"),
        ecomesse.get("paid"),
        ecomesse.get("outstanding"),
        ecomesse.get("status"),
    ) == (
        10_000,
        0,
        10_000,
        "未収計上",
    )
    subtotal = r.main.by_key("2025年度:計")
    assert subtotal.get("due") == 160_000
    received = -query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Income:4110-受取会費' AND date <= 2026-03-31"
        " AND 'Assets:1120-普通預金-ろうきん' IN other_accounts",
    )
    assert subtotal.get("paid") == received == 150_000
    assert sum(1 for row in r.rows if row.style == "item") == 16
    assert any("たがやす 10,000円" in x for x in r.remarks)  # 2026年度会費の前受
    later = dues.report(idx, P(Y26)).main.by_key("2025年度:ECOMESSE")
    assert later.get("paid_on") == D(2026, 5, 12) and later.get("status") == "納入済"


def test_funds_2025(sample_books: Books, idx: Index) -> None:
    r = funds.report(idx, P(Y25))
    inclu = r.main.by_key("基金:inclufund")
    assert (
        inclu.get("opening"),
        inclu.get("receipts"),
        inclu.get("grants"),
        inclu.get("closing"),
    ) == (
        4_200_000,
        380_038,
        950_000,
        3_630_038,
    )
    assert r.main.by_key("基金:machizukuri").get("transfers") == 300_000
    decision = r.tables[1].by_key("IF-2025-03")
    assert (decision.get("amount"), decision.get("paid"), decision.get("left")) == (
        400_000,
        400_000,
        0,
    )
    paid = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '支払助成金' AND date >= 2025-06-28 AND date <= 2026-03-31",
    )
    assert r.tables[1].by_key("基金:inclufund:計").get("paid_now") == paid


def test_trend_2025_months_match_bean_query(sample_books: Books, idx: Index) -> None:
    r = trend.report(idx, P(Y25))
    monthly = {
        (y, m): -int(v)
        for y, m, v in query(
            sample_books,
            "SELECT year, month, sum(number) WHERE account ~ '^Income:' AND date >= 2025-06-28"
            " AND date <= 2026-03-31 GROUP BY year, month",
        )
    }
    rows = [row for row in r.rows if row.style == "item"]
    assert next(row.label for row in rows) == "2025年6月" and len(rows) == 10
    for row in rows:
        y, m = map(int, row.key.split("-"))
        assert row.get("income") == monthly.get((y, m), 0)
    assert r.row("合計").get("expenses") == 1_579_550
    assert rows[-1].get("net_assets") == net_assets(sample_books, D(2026, 3, 31))
    assert rows[-1].get("cumulative") == r.row("合計").get("net")


# ---- 監事の照合 --------------------------------------------------------------------------


def failed_checks(r: Report, idx: Index, p: Period) -> list[str]:
    """The keys of the ✗ rows (the 収支計算書's 次期繰越収支差額 is checked like any other)."""
    return [row.key for row in r.rows if row.get("result") == "✗"]


@pytest.mark.parametrize(
    ("year", "as_of"), [(Y25, None), (Y26, D(2026, 9, 30)), (Y26, D(2026, 11, 30))]
)
def test_every_tie_out_holds_on_the_sample(
    sample_books: Books, year: FiscalYear, as_of: D | None, idx: Index
) -> None:
    p = P(year, as_of)
    r = tieout.report(idx, p)
    assert failed_checks(r, idx, p) == []
    keys = [row.key for row in r.rows]
    for key in (
        "繰越:前年度",
        "一致:一般+指定:貸借対照表",
        "一致:一般+指定:活動計算書",
        "一致:一般+指定:財産目録",
        "一致:正味財産:活動計算書",
        "一致:正味財産:財産目録",
        "一致:指定:活動計算書",
        "一致:指定:財産目録",
        "一致:指定:注記",
        "一致:資金",
        "基金:inclufund",
        "基金:inclufund:指定",
        "基金:machizukuri",
        "会費:未収",
    ):
        assert key in keys, key
    same = r.main.by_key("一致:指定:活動計算書")
    assert same.get("a") == same.get("b") == restricted(sample_books, p.end)


def test_tie_out_2026_carry_forward_and_bank_balances(
    sample_books: Books, idx: Index
) -> None:
    r = tieout.report(idx, P(Y26, D(2026, 9, 30)))
    carry = r.main.by_key("繰越:前年度")
    assert carry.get("a") == carry.get("b") == net_assets(sample_books, D(2026, 3, 31))
    r25 = tieout.report(idx, P(Y25))
    bank = r25.main.by_key("Assets:1120-普通預金-ろうきん")
    asserted = next(
        e.amount.number
        for e in sample_books.entries
        if type(e).__name__ == "Balance"
        and e.account == "Assets:1120-普通預金-ろうきん"
        and e.date == D(2026, 4, 1)
    )
    assert bank.get("a") == bank.get("b") == int(asserted)
    assert bank.get("result") == "✓"
    dues_row = r25.main.by_key("会費:未収")
    assert dues_row.get("a") == dues_row.get("b") == 10_000


def test_every_report_serialises(idx: Index) -> None:
    for name, report in registry.make_all(idx, P(Y25)).items():
        data = report.to_json()
        assert data["report"] == name and data["year"] == 2025
        assert data["period"] == {"start": "2025-06-28", "end": "2026-03-31"}
        for row in data["rows"]:
            assert isinstance(row["label"], str)
            for column in data["columns"]:
                value = row.get(column["key"])
                if column["kind"] == "yen" and value is not None:
                    assert type(value) is int, (name, row["label"], column["key"])
        assert report.to_csv().startswith(report.title)  # (then the 年度 and period)
        assert (
            "2025年度"
            in report.to_csv().splitlines()[1 + (report.main.title != report.title)]
        )


def test_a_funds_equity_account_and_its_money_are_reconciled(idx: Index) -> None:
    """The 総勘定元帳 shows まちづくり積立金 (正味財産) as the sum brought in and set
    aside; the statements use the account's money, less the grants paid from it: the
    監事's tie-out shows both, side by side."""
    row = tieout.report(idx, P(Y26, D(2026, 11, 30))).main.by_key(
        "基金:machizukuri:正味財産の科目"
    )
    assert (row.get("a"), row.get("b"), row.get("result")) == (
        1_300_000,
        1_150_000,
        "—",
    )


def test_depreciation_not_booked_is_a_failed_check(
    sample_path: Path, tmp_path: Path
) -> None:
    import shutil

    from connect_books.books import load

    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    journal = tmp_path / "ledger" / "2025.beancount"
    text = journal.read_text(encoding="utf-8")
    start = text.index('2026-03-31 * "減価償却 (2025年度)"')
    end = text.index("\n\n", start)
    journal.write_text(text[:start] + text[end:], encoding="utf-8")
    books = load(tmp_path / "ledger" / "main.beancount")
    row = tieout.report(registry.index_of(books), P(Y25)).main.by_key("固定資産:償却")
    assert (row.get("a"), row.get("b"), row.get("result")) == (0, 24_750, "✗")
    assert "connect-books depreciation --year 2025 --write" in str(row.get("note"))
