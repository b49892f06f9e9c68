"""収支計算書 (任意団体様式): 資金 per 会計, against independent bean-query sums."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest
from beancount import loader
from ledgertools import Loaded, query_total

from connect_books.books import Books, load
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports import income_expenditure, liquidity, registry
from connect_books.reports.index import Index, build_index
from connect_books.reports.table import Report, Table

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import END, generate  # noqa: E402

D = datetime.date
P = Period.of
Y25, Y26 = FiscalYear(2025), FiscalYear(2026)
LIQUID = "(open_meta(account, 'section') = '流動資産' OR open_meta(account, 'section') = '流動負債')"
FUNDS = {
    "inclufund": "Assets:1130-普通預金-インクルファンド",
    "machizukuri": "Assets:1140-普通預金-まちづくり積立金",
}


def shikin(books: Loaded, day: D) -> dict[str, int]:
    """資金 per 会計 at the end of ``day``, straight from the postings."""
    found = {
        key: query_total(
            books, "SELECT sum(number) WHERE account = %s AND date <= %s", account, day
        )
        for key, account in FUNDS.items()
    }
    others = " AND ".join(f"account != '{a}'" for a in FUNDS.values())
    found["general"] = query_total(
        books, f"SELECT sum(number) WHERE {LIQUID} AND {others} AND date <= %s", day
    )
    found["total"] = sum(found.values())
    return found


def table(report: Report, section: str) -> Table:
    """The table of one 会計 (found by its rows' keys, never by its title)."""
    if section == "total":
        return report.main
    for candidate in report.tables[1:]:
        if any(r.key.startswith(f"{section}:") for r in candidate.rows):
            return candidate
    raise KeyError(section)


def value(report: Report, section: str, key: str, column: str = "actual") -> object:
    return (
        table(report, section)
        .by_key(income_expenditure.section_key(section, key))
        .get(column)
    )


def assert_adds_up(report: Report) -> None:
    """Every table adds up on paper, in the budget column too."""
    columns = ["actual", "budget"] + (["prior"] if report.as_of else [])
    for section_table in report.tables:
        keys = [r.key for r in section_table.rows]
        total_key = next(k for k in keys if k.endswith("当期収入合計"))
        prefix = total_key.removesuffix("当期収入合計")
        for column in columns:
            got = {
                r.key.removeprefix(prefix): r.get(column)
                for r in section_table.rows
                if r.style != "heading"
            }
            income, spent = got["当期収入合計"], got["当期支出合計"]
            if column == "budget" and income is None:
                continue  # books without a budget
            assert isinstance(income, int) and isinstance(spent, int)
            assert got["収入合計"] == income + got["前期繰越収支差額"]
            assert got["当期収支差額"] == income - spent
            assert got["次期繰越収支差額"] == got["収入合計"] - spent
        first = next(
            n for n, r in enumerate(section_table.rows) if "収入の部" in r.label
        )
        receipts = section_table.rows[first + 1 : keys.index(total_key)]
        assert sum(int(r.get("actual") or 0) for r in receipts) == section_table.by_key(
            total_key
        ).get("actual")


@pytest.fixture(scope="module")
def idx(sample_books: Books) -> Index:
    return registry.index_of(sample_books)


def test_2025_carry_forward_is_the_shikin_per_section(
    sample_books: Books, idx: Index
) -> None:
    r = income_expenditure.report(idx, P(Y25))
    expected = shikin(sample_books, D(2026, 3, 31))
    assert income_expenditure.carried_forward(r) == expected
    assert expected == {
        "general": 1_476_555,
        "inclufund": 3_630_038,
        "machizukuri": 1_300_000,
        "total": 6_406_593,
    }
    assert liquidity.position(idx, D(2026, 3, 31)).funds == expected
    opening = shikin(sample_books, D(2025, 6, 28))  # the predecessors' 資金
    for section, amount in opening.items():
        assert value(r, section, "前期繰越収支差額") == amount
        assert value(r, section, "前期繰越収支差額", "budget") == amount
    assert_adds_up(r)


def test_2025_capital_rows_and_the_reserve_transfer(
    sample_books: Books, idx: Index
) -> None:
    r = income_expenditure.report(idx, P(Y25))
    y25 = "date >= 2025-06-28 AND date <= 2026-03-31"
    bought = query_total(
        sample_books,
        f"SELECT sum(number) WHERE account = 'Assets:1510-什器備品' AND number > 0 AND {y25}",
    )
    assert value(r, "general", "固定資産取得支出") == bought == 198_000
    assert value(r, "total", "固定資産取得支出") == bought
    moved = query_total(
        sample_books,
        f"SELECT sum(number) WHERE account = %s AND ANY_META('decision') = 'UI-2025-04' AND {y25}",
        FUNDS["machizukuri"],
    )
    assert value(r, "general", "積立金繰入支出") == moved == 300_000
    assert value(r, "machizukuri", "他会計からの繰入収入") == moved
    assert value(r, "general", "積立金取崩収入") == 0
    # depreciation moves no 資金: 管理費 is what was paid
    admin = query_total(
        sample_books, f"SELECT sum(number) WHERE account ~ ':5210-管理費' AND {y25}"
    )
    depreciation = query_total(
        sample_books, f"SELECT sum(number) WHERE account ~ '減価償却費' AND {y25}"
    )
    assert depreciation == 24_750
    assert value(r, "total", "管理費計") == admin - depreciation
    assert any("減価償却費 24,750円" in x for x in r.remarks)
    assert any("内部取引" in x for x in r.remarks)
    income = -query_total(
        sample_books, f"SELECT sum(number) WHERE account ~ '^Income:' AND {y25}"
    )
    assert (
        value(r, "total", "当期収入合計") == income
    )  # the 繰入 between 会計 eliminated
    assert not any(row.key == "積立金繰入支出" for row in r.rows)
    interest = -query_total(
        sample_books,
        f"SELECT sum(number) WHERE account ~ '受取利息' AND 'Assets:1130-普通預金-インクルファンド' IN other_accounts AND {y25}",
    )
    assert value(r, "inclufund", "収入:雑収入") == interest == 38
    assert value(r, "inclufund", "収入:寄付金") == 380_000
    grants = value(
        r, "inclufund", "Expenses:5140-資金循環:5141-支払助成金-インクルファンド"
    )
    assert grants == 950_000


def test_2025_budget_column_balances_on_paper(idx: Index) -> None:
    r = income_expenditure.report(idx, P(Y25))
    assert [c.label for c in r.main.columns] == ["予算額", "決算額", "差異", "備考"]
    assert value(r, "total", "当期収入合計", "budget") == 960_100
    assert value(r, "total", "当期支出合計", "budget") == 1_690_000
    assert (
        value(r, "total", "次期繰越収支差額", "budget")
        == 7_037_000 + 960_100 - 1_690_000
    )
    # a fund's budget lines are in its own 会計
    assert value(r, "inclufund", "収入:寄付金", "budget") == 300_000
    assert value(r, "general", "収入:寄付金", "budget") == 150_000
    grants = table(r, "inclufund").by_key(
        "inclufund:Expenses:5140-資金循環:5141-支払助成金-インクルファンド"
    )
    assert (
        grants.get("budget") == 950_000
        and grants.get("note") == "補正 (当初 900,000円)"
    )
    assert any(x.startswith("資金の範囲: 資金 = 現金預金") for x in r.remarks)
    labels = [row.label for row in r.rows]
    assert labels[:3] == ["合計 (一般会計・特別会計)", "Ⅰ 収入の部", "会費"]
    for label in (
        "当期収入合計",
        "前期繰越収支差額",
        "収入合計",
        "Ⅱ 支出の部",
        "事業費計",
        "管理費計",
        "固定資産取得支出",
        "予備費",
        "当期支出合計",
        "当期収支差額",
        "次期繰越収支差額",
    ):
        assert label in labels, label
    assert [t.title for t in r.tables] == [
        "合計 (一般会計・特別会計)",
        "一般会計",
        "インクルファンド特別会計",
        "まちづくり積立金特別会計",
    ]


def test_2026_interim_columns_rates_and_the_same_point_last_year(
    sample_books: Books, idx: Index
) -> None:
    r = income_expenditure.report(idx, P(Y26, D(2026, 11, 30)))
    assert [c.label for c in r.main.columns] == [
        "予算額",
        "実績 (2026年11月30日現在)",
        "差異",
        "達成率・執行率",
        "前年同期 (2025年6月28日〜2025年11月30日)",
        "備考",
    ]
    fees = r.main.by_key("収入:会費")
    assert fees.get("rate") == pytest.approx(fees.get("actual") / 160_000, abs=1e-4)
    prior = -query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '受取会費' AND date >= 2025-06-28 AND date <= 2025-11-30",
    )
    assert fees.get("prior") == prior == 150_000
    closing = r.main.by_key("次期繰越収支差額")
    assert closing.label == "現在の収支差額 (資金残高)"
    assert closing.get("actual") == shikin(sample_books, D(2026, 11, 30))["total"]
    assert closing.get("prior") == shikin(sample_books, D(2025, 11, 30))["total"]
    assert income_expenditure.carried_forward(r) == shikin(
        sample_books, D(2026, 11, 30)
    )
    reserve_grant = table(r, "machizukuri").by_key(
        "machizukuri:Expenses:5140-資金循環:5142-支払助成金-まちづくり積立金"
    )
    assert (
        reserve_grant.get("actual") == 150_000
        and reserve_grant.get("budget") == 300_000
    )
    assert any(
        "前年同期は2025年6月28日から2025年11月30日までの実績です" in x
        for x in r.remarks
    )
    assert_adds_up(r)


def test_a_missing_row_is_none_never_zero(idx: Index) -> None:
    r = income_expenditure.report(idx, P(Y25))
    cut = Report(r.name, r.title, r.year, r.start, r.end, r.tables[:2], r.remarks)
    found = income_expenditure.carried_forward(cut)
    assert found.get("inclufund") is None and found["total"] == 6_406_593


RESERVE = """
option "operating_currency" "JPY"
2025-06-28 open Assets:1120-普通預金 JPY
  section: "流動資産"
  role: "bank"
2025-06-28 open Assets:1140-普通預金-積立金 JPY
  section: "流動資産"
  role: "fund-asset"
  fund: "reserve"
2025-06-28 open Assets:1510-什器備品 JPY
  section: "固定資産"
2025-06-28 open Equity:3010-引継正味財産 JPY
2025-06-28 open Equity:3320-積立金 JPY
2025-06-28 open Expenses:5214-事務用品費 JPY
  section: "管理費"
2025-06-28 custom "fund" "reserve" "まちづくり積立金" Assets:1140-普通預金-積立金 Equity:3320-積立金
  body: "運営委員会"
  restricted: FALSE
2025-06-28 * "引継"
  opening: TRUE
  Assets:1120-普通預金      100000 JPY
  Assets:1140-普通預金-積立金  500000 JPY
  Equity:3010-引継正味財産  -100000 JPY
  Equity:3320-積立金        -500000 JPY
2025-09-01 custom "decision" "D1" "運営委員会" "積立金の取崩 200,000円"
2025-09-02 * "積立金の取崩 (備品の購入のため)"
  decision: "D1"
  Assets:1140-普通預金-積立金  -200000 JPY
  Assets:1120-普通預金        200000 JPY
  Equity:3320-積立金          200000 JPY
  Equity:3010-引継正味財産   -200000 JPY
2025-09-03 * "複合機"
  Assets:1510-什器備品        250000 JPY
  Assets:1120-普通預金       -250000 JPY
"""


def test_a_drawdown_of_the_reserve_and_equipment_bought_with_it() -> None:
    entries, errors, options = loader.load_string(RESERVE)
    assert errors == []
    r = income_expenditure.report(build_index(entries, options), P(Y25))
    assert value(r, "general", "積立金取崩収入") == 200_000
    assert value(r, "reserve", "他会計への繰出支出") == 200_000
    assert value(r, "general", "固定資産取得支出") == 250_000
    assert income_expenditure.carried_forward(r) == {
        "general": 50_000,
        "reserve": 300_000,
        "total": 350_000,
    }
    assert value(r, "total", "当期収支差額") == -250_000
    assert_adds_up(r)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Books:
    return load(generate(1500, tmp_path_factory.mktemp("ie"), seed=3))


@pytest.mark.parametrize(("year", "as_of"), [(Y25, None), (Y26, END)])
def test_generated_books(generated: Books, year: FiscalYear, as_of: D | None) -> None:
    assert generated.errors == []
    idx = registry.index_of(generated)
    r = registry.make(idx, "budget", P(year, as_of))
    end = as_of or year.end
    assert income_expenditure.carried_forward(r) == shikin(generated, end)

    def between(names: tuple[str, ...]) -> int:
        """What the 会計 tables say moved between 会計 (one side)."""
        return sum(
            int(row.get("actual") or 0)
            for t in r.tables[1:]
            for row in t.rows
            if row.key.split(":", 1)[-1] in names
        )

    inbound = between(("他会計からの繰入収入", "積立金取崩収入"))
    outbound = between(("他会計への繰出支出", "積立金繰入支出"))
    assert inbound == outbound  # internal: they cancel out
    assert inbound > 0 or year == Y26  # the transfer into the reserve is made in March
    internal = {
        "他会計からの繰入収入",
        "積立金取崩収入",
        "他会計への繰出支出",
        "積立金繰入支出",
    }
    assert not internal & {row.key for row in r.rows}  # eliminated from the 合計
    income = -query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '^Income:' AND date >= %s AND date <= %s",
        year.start,
        end,
    )
    assert value(r, "total", "当期収入合計") == income
    assert_adds_up(r)
