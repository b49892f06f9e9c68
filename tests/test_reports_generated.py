"""The statements on generated books (``bench/generate.py``), against bean-query sums."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest
from ledgertools import query_by, query_total

from connect_books.books import Books, load
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports import registry
from connect_books.reports.index import Index

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from test_reports_sample import failed_checks  # noqa: E402

from bench.generate import END, generate  # noqa: E402

D = datetime.date
#: (年度, as-of day): the generated books stop at END, inside 2026年度.
CASES = [(FiscalYear(2025), None), (FiscalYear(2026), END)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Books:
    path = generate(1500, tmp_path_factory.mktemp("generated"), seed=11)
    books = load(path)
    assert books.errors == []
    return books


@pytest.fixture(scope="module")
def idx(generated: Books) -> Index:
    return registry.index_of(generated)


def span(year: FiscalYear, as_of: D | None) -> tuple[D, D]:
    return year.start, min(year.end, as_of) if as_of else year.end


@pytest.mark.parametrize(("year", "as_of"), CASES)
def test_statement_totals_match_bean_query(
    generated: Books, year: FiscalYear, as_of: D | None, idx: Index
) -> None:
    start, end = span(year, as_of)
    reports = registry.make_all(idx, Period.of(year, as_of))
    income = -query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '^Income:' AND date >= %s AND date <= %s",
        start,
        end,
    )
    spent = query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '^Expenses:' AND date >= %s AND date <= %s",
        start,
        end,
    )
    net = query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '^(Assets|Liabilities):' AND date <= %s",
        end,
    )
    assets = query_total(
        generated, "SELECT sum(number) WHERE account ~ '^Assets:' AND date <= %s", end
    )

    budget = reports[
        "budget"
    ].main  # the 収支計算書's 合計 (tests/test_income_expenditure.py)
    transfers_in = sum(
        budget.by_key(k).get("actual") or 0
        for k in ("他会計からの繰入収入", "積立金取崩収入")
        if any(r.key == k for r in budget.rows)
    )
    assert budget.by_key("当期収入合計").get("actual") - transfers_in == income
    activity = reports["activity"]
    fund = "Assets:1130-普通預金-インクルファンド"
    restricted = query_total(
        generated,
        "SELECT sum(number) WHERE account = %s AND date <= %s",
        fund,
        end,
    )
    restricted_in = -query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '^Income:' AND date >= %s AND date <= %s"
        " AND %s IN other_accounts",
        start,
        end,
        fund,
    )
    fig = activity.figure
    released = fig("一般:振替", "amount")
    assert released == -fig("指定:振替", "amount") > 0
    assert (
        fig("経常収益計", "amount") + fig("経常外収益計", "amount")
        == income - restricted_in + released
    )
    assert fig("経常費用計", "amount") + fig("経常外費用計", "amount") == spent
    assert fig("一般:増減額", "amount") + fig("指定:増減額", "amount") == income - spent
    assert fig("指定:期末", "amount") == restricted
    assert fig("一般:期末", "amount") == net - restricted
    assert fig("正味財産:期末", "amount") == net
    restricted_start = query_total(
        generated,
        "SELECT sum(number) WHERE account = %s AND date < %s",
        fund,
        start,
    ) + (4_200_000 if year.year == 2025 else 0)  # brought in on the first day
    assert fig("指定:期首", "amount") == restricted_start
    assert (
        restricted_start + restricted_in - released == restricted
    )  # Ⅱ adds up from bean-query alone
    sections = query_by(
        generated,
        "SELECT open_meta(account, 'section') AS s, sum(number) WHERE account ~ '^Expenses:'"
        " AND date >= %s AND date <= %s GROUP BY s",
        start,
        end,
    )
    assert activity.row("事業費計").get("amount") == sections.get("事業費", 0)
    bs = reports["balance-sheet"]
    assert bs.figure("資産合計", "current") == assets
    assert bs.figure("正味財産合計", "current") == net
    assert bs.figure("指定正味財産", "current") == restricted
    assert bs.figure("一般正味財産", "current") == net - restricted
    inventory = reports["inventory"]
    assert inventory.figure("正味財産", "amount") == net
    assert inventory.figure("指定正味財産", "amount") == restricted
    assert inventory.figure("一般正味財産", "amount") == net - restricted
    trend = reports["trend"]
    assert (
        trend.row("合計").get("income") == income
        and trend.row("合計").get("expenses") == spent
    )
    receivable = query_total(
        generated,
        "SELECT sum(number) WHERE account = 'Assets:1210-未収会費' AND date <= %s",
        end,
    )
    assert bs.figure("流動資産:未収会費", "current") == receivable
    dues_income = -query_total(
        generated,
        "SELECT sum(number) WHERE account = 'Income:4110-受取会費' AND date >= %s AND date <= %s",
        start,
        end,
    )
    assert fig("経常収益:受取会費", "amount") == dues_income
    grants = query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '支払助成金' AND date >= %s AND date <= %s",
        start,
        end,
    )
    decisions = reports["funds"].tables[1]
    assert sum(r.get("paid_now") for r in decisions.rows if r.style == "item") == grants


@pytest.mark.parametrize(("year", "as_of"), CASES)
def test_every_tie_out_holds_on_generated_books(
    year: FiscalYear, as_of: D | None, idx: Index
) -> None:
    p = Period.of(year, as_of)
    r = registry.make(idx, "tie-out", p)
    assert failed_checks(r, idx, p) == []
    assert r.main.by_key("繰越:前年度").get("result") == (
        "—" if year.year == 2025 else "✓"
    )
    for key in (
        "一致:一般+指定:貸借対照表",
        "一致:一般+指定:活動計算書",
        "基金:inclufund",
    ):
        assert r.main.by_key(key).get("result") == "✓", key


def test_carry_forward_between_generated_years(idx: Index) -> None:
    first = registry.make(idx, "balance-sheet", Period.of(FiscalYear(2025)))
    second = registry.make(idx, "balance-sheet", Period.of(FiscalYear(2026), END))
    assert second.figure("前期繰越正味財産", "current") == first.figure(
        "正味財産合計", "current"
    )
    assert second.figure("資産合計", "previous") == first.figure("資産合計", "current")
    assert second.figure("指定正味財産", "previous") == first.figure(
        "指定正味財産", "current"
    )
