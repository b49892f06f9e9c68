"""Every statement on the sample books, checked against independent bean-query sums."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from ledgertools import query, query_by, query_total

from connect_books.books import Books
from connect_books.fiscal import FiscalYear, Period
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


# ---- 収支計算書 --------------------------------------------------------------------------


def test_budget_2025_totals_match_bean_query(sample_books: Books, idx: Index) -> None:
    r = income_expenditure.report(idx, P(Y25))
    start, end = D(2025, 6, 28), D(2026, 3, 31)
    got = amounts(r, "actual")
    assert got["収入合計"] == income(sample_books, start, end) == 1_122_393
    assert got["支出合計"] == expenses(sample_books, start, end) == 1_554_800
    assert got["次期繰越金"] == net_assets(sample_books, end) == 6_604_593
    assert (
        got["前期繰越金"] == net_assets(sample_books, start) == 7_037_000
    )  # 引継 on 6/28
    assert got["前期繰越金"] + got["収入合計"] - got["支出合計"] == got["次期繰越金"]
    lines = query_by(
        sample_books,
        "SELECT open_meta(account, 'budget-line') AS line, sum(number) WHERE account ~ '^Income:'"
        " AND date >= %s AND date <= %s GROUP BY line",
        start,
        end,
    )
    for line, value in lines.items():
        assert got[line] == -value, line
    assert got["会費"] == 160_000
    program = query_by(
        sample_books,
        "SELECT open_meta(account, 'activity') AS a, sum(number) WHERE account ~ '^Expenses:'"
        " AND open_meta(account, 'section') = '事業費' AND date >= %s AND date <= %s GROUP BY a",
        start,
        end,
    )
    for activity_no, value in program.items():
        assert r.main.by_key(f"事業{activity_no}:小計").get("actual") == value
    assert got["事業費計"] == sum(program.values())
    admin = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Expenses:5210' AND date >= %s AND date <= %s",
        start,
        end,
    )
    assert got["管理費計"] == admin


def test_budget_2025_uses_the_exact_approved_amounts(idx: Index) -> None:
    r = income_expenditure.report(idx, P(Y25))
    assert [c.label for c in r.main.columns] == ["予算額", "決算額", "差異", "備考"]
    assert r.title == "収支計算書"
    grants = r.main.by_key("Expenses:5140-資金循環:5141-支払助成金-インクルファンド")
    assert grants.label == "インクルファンド助成金"
    assert grants.get("budget") == 950_000  # 補正予算 2026-01-24
    assert grants.get("note") == "補正 (当初 900,000円)"
    assert r.row("予備費").get("budget") == 0
    assert r.row("会費").get("budget") == 160_000
    assert r.row("寄付金").get("budget") == 450_000
    assert r.row("収入合計").get("diff") == r.row("収入合計").get("budget") - r.row(
        "収入合計"
    ).get("actual")
    assert any(x.startswith("補正予算: 2026年1月24日 運営委員会") for x in r.remarks)
    assert any(
        "うちインクルファンド 3,630,038円" in x
        and "うちまちづくり積立金 1,300,000円" in x
        for x in r.remarks
    )
    assert r.row("うちインクルファンド").get("actual") == 3_630_038
    labels = [row.label for row in r.rows]
    assert labels[:3] == ["収入の部", "前期繰越金", "会費"]
    for label in (
        "1 市民版まちづくり計画・新規事業",
        "2 人材の登場・育成",
        "3 広報",
        "4 事業活動・資金循環",
        "5 政策づくり",
        "事業費計",
        "管理費",
        "管理費計",
        "予備費",
        "支出合計",
        "次期繰越金",
    ):
        assert label in labels


def test_budget_2026_provisional_until_the_general_assembly(idx: Index) -> None:
    r = income_expenditure.report(idx, P(Y26, D(2026, 5, 31)))
    assert r.title == "収支計算書 (暫定予算)"
    assert (
        r.row("寄付金").get("budget") == 450_000
    )  # 2025年度の予算 (2026年度は 500,000)
    assert any(
        "暫定予算" in x
        and "2025年度の予算で執行" in x
        and "2026年6月20日の総会で決定" in x
        for x in r.remarks
    )
    assert [c.label for c in r.main.columns][3:5] == ["執行率", "前年同期"]
    after = income_expenditure.report(idx, P(Y26, D(2026, 9, 30)))
    assert after.title == "収支計算書"
    assert after.row("寄付金").get("budget") == 500_000
    assert any(
        "2026年4月1日から2026年6月19日までは2025年度の予算で執行しました" in x
        for x in after.remarks
    )


def test_budget_interim_rate_and_same_point_last_year(
    sample_books: Books, idx: Index
) -> None:
    r = income_expenditure.report(idx, P(Y26, D(2026, 9, 30)))
    fees = r.row("会費")
    assert fees.get("actual") == -query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Income:4110-受取会費' AND date >= 2026-04-01 AND date <= 2026-09-30",
    )
    assert (
        fees.get("prior")
        == -query_total(
            sample_books,
            "SELECT sum(number) WHERE account = 'Income:4110-受取会費' AND date >= 2025-06-28 AND date <= 2025-09-30",
        )
        == 150_000
    )
    assert fees.get("rate") == Decimal(fees.get("actual")) / Decimal(160_000)
    assert r.row("次期繰越金").get("prior") == net_assets(sample_books, D(2025, 9, 30))
    assert r.row("次期繰越金").get("actual") == net_assets(sample_books, D(2026, 9, 30))
    assert (
        income_expenditure.report(idx, P(Y25, D(2025, 9, 30))).row("会費").get("prior")
        is None
    )  # first year


# ---- 活動計算書 --------------------------------------------------------------------------


def test_activity_2025_lines_match_bean_query(sample_books: Books, idx: Index) -> None:
    r = activity.report(idx, P(Y25))
    start, end = D(2025, 6, 28), D(2026, 3, 31)
    got = amounts(r, "amount")
    lines = query_by(
        sample_books,
        "SELECT open_meta(account, 'line') AS line, sum(number) WHERE account ~ '^Income:'"
        " AND date >= %s AND date <= %s GROUP BY line",
        start,
        end,
    )
    for line, value in lines.items():
        assert got[line] == -value
    assert got["受取会費"] == 160_000  # 150,000 received + ECOMESSE 10,000 未収
    assert got["経常収益計"] == income(sample_books, start, end)
    sections = query_by(
        sample_books,
        "SELECT open_meta(account, 'section') AS s, sum(number) WHERE account ~ '^Expenses:'"
        " AND date >= %s AND date <= %s GROUP BY s",
        start,
        end,
    )
    assert got["事業費計"] == sections["事業費"]
    assert got["管理費計"] == sections["管理費"]
    assert got["経常費用計"] == expenses(sample_books, start, end)
    assert r.main.by_key("事業費:その他経費:支払助成金").get("amount") == 950_000
    assert got["当期経常増減額"] == got["経常収益計"] - got["経常費用計"]
    assert got["当期正味財産増減額"] == income(sample_books, start, end) - expenses(
        sample_books, start, end
    )
    assert got["次期繰越正味財産額"] == net_assets(sample_books, end)
    assert (
        got["前期繰越正味財産額"] + got["当期正味財産増減額"]
        == got["次期繰越正味財産額"]
    )
    labels = [row.label for row in r.rows]
    for label in (
        "Ⅰ経常収益",
        "受取会費",
        "受取寄附金",
        "受取助成金等",
        "事業収益",
        "その他収益",
        "経常収益計",
        "Ⅱ経常費用",
        "事業費",
        "人件費",
        "その他経費",
        "事業費計",
        "管理費",
        "管理費計",
        "経常費用計",
        "当期経常増減額",
        "Ⅲ経常外収益",
        "経常外収益計",
        "Ⅳ経常外費用",
        "経常外費用計",
        "当期正味財産増減額",
        "前期繰越正味財産額",
        "次期繰越正味財産額",
    ):
        assert label in labels, label


def test_activity_notes(sample_books: Books, idx: Index) -> None:
    r = activity.report(idx, P(Y25))
    by_activity = r.tables[1]
    assert by_activity.title == "事業別損益の状況"
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
    costs = by_activity.row("経常費用計")
    for activity_no, value in spent.items():
        assert costs.get(f"a{activity_no}") == value
    assert costs.get("admin") == r.row("管理費計").get("amount")
    assert costs.get("total") == r.row("経常費用計").get("amount")
    restricted = r.tables[2]
    assert restricted.title == "使途等が制約された寄付等の内訳"
    fund = restricted.by_key("基金:inclufund")
    assert (
        fund.get("opening"),
        fund.get("increase"),
        fund.get("decrease"),
        fund.get("closing"),
    ) == (
        4_200_000,
        380_038,
        950_000,
        3_630_038,
    )
    assert fund.get("closing") == query_total(
        sample_books,
        "SELECT sum(number) WHERE account = 'Assets:1130-普通預金-インクルファンド' AND date <= 2026-03-31",
    )


# ---- 貸借対照表・財産目録 -----------------------------------------------------------------


@pytest.mark.parametrize("year", [Y25, Y26])
def test_balance_sheet_lines_match_bean_query(
    sample_books: Books, year: FiscalYear, idx: Index
) -> None:
    r = balance_sheet.report(idx, P(year))
    lines = query_by(
        sample_books,
        "SELECT open_meta(account, 'line') AS line, sum(number) WHERE account ~ '^(Assets|Liabilities):'"
        " AND date <= %s GROUP BY line",
        year.end,
    )
    for line, value in lines.items():
        row = next(row for row in r.rows if row.label == line and row.style == "item")
        assert row.get("current") == abs(value), line
    assets = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Assets:' AND date <= %s",
        year.end,
    )
    assert r.row("資産合計").get("current") == assets
    assert r.row("正味財産合計").get("current") == net_assets(sample_books, year.end)
    assert r.row("負債及び正味財産合計").get("current") == assets
    funds_total = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Assets:11[34]0' AND date <= %s",
        year.end,
    )
    assert r.row("うち指定正味財産").get("current") == funds_total
    assert [c.label for c in r.main.columns] == ["当年度末", "前年度末", "増減"]


def test_balance_sheet_previous_year_column(idx: Index) -> None:
    now, then = (
        balance_sheet.report(idx, P(Y26)),
        balance_sheet.report(idx, P(Y25)),
    )
    for row in now.rows:
        if row.style != "heading" and row.label not in (
            "前期繰越正味財産",
            "当期正味財産増減額",
        ):
            assert row.get("previous") == then.row(row.label).get("current"), row.label
            assert row.get("change") == row.get("current") - row.get("previous")
    assert now.row("前期繰越正味財産").get("current") == then.row("正味財産合計").get(
        "current"
    )
    assert then.row("資産合計").get("previous") is None  # first year


def test_inventory_2025_lists_each_item(idx: Index) -> None:
    r = inventory.report(idx, P(Y25))
    items = [
        (row.label, row.get("detail"), row.get("amount"))
        for row in r.rows
        if row.style == "item"
    ]
    assert ("現金", "手許有高", 185_800) in items
    assert ("普通預金", "中央労働金庫 世田谷支店", 1_526_755) in items
    assert ("未収会費", "2025年度会費 エコメッセ分", 10_000) in items
    payable = [i for i in items if i[0] == "未払金"]
    assert (
        len(payable) == 1
        and payable[0][1].startswith("有限会社みやさか印刷に対する")
        and payable[0][2] == 38_000
    )
    assert ("前受会費", "2026年度会費 たがやす分 (前受)", 10_000) in items
    bs = balance_sheet.report(idx, P(Y25))
    assert r.row("資産合計").get("amount") == bs.row("資産合計").get("current")
    assert r.row("負債合計").get("amount") == bs.row("負債合計").get("current")
    assert r.row("正味財産").get("amount") == bs.row("正味財産合計").get("current")
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
    assert r.row("合計").get("expenses") == 1_554_800
    assert rows[-1].get("net_assets") == net_assets(sample_books, D(2026, 3, 31))
    assert rows[-1].get("cumulative") == r.row("合計").get("net")


# ---- 監事の照合 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "as_of"), [(Y25, None), (Y26, D(2026, 9, 30)), (Y26, D(2026, 11, 30))]
)
def test_every_tie_out_holds_on_the_sample(
    year: FiscalYear, as_of: D | None, idx: Index
) -> None:
    r = tieout.report(idx, P(year, as_of))
    failed = [row.label for row in r.rows if row.get("result") == "✗"]
    assert failed == []
    labels = [row.label for row in r.rows]
    for label in (
        "前年度の次期繰越 = 本年度の前期繰越",
        "活動計算書 次期繰越正味財産額 = 貸借対照表 正味財産合計",
        "財産目録 正味財産 = 貸借対照表 正味財産合計",
        "収支計算書 次期繰越金 = 貸借対照表 正味財産合計",
        "未収会費 = 会費納入状況の未収",
    ):
        assert label in labels


def test_tie_out_2026_carry_forward_and_bank_balances(
    sample_books: Books, idx: Index
) -> None:
    r = tieout.report(idx, P(Y26, D(2026, 9, 30)))
    carry = r.row("前年度の次期繰越 = 本年度の前期繰越")
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
    dues_row = r25.row("未収会費 = 会費納入状況の未収")
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
        assert report.to_csv().startswith(report.main.title)
