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

    budget = reports["budget"]
    assert budget.row("収入合計").get("actual") == income
    assert budget.row("支出合計").get("actual") == spent
    assert budget.row("次期繰越金").get("actual") == net
    activity = reports["activity"]
    assert (
        activity.row("経常収益計").get("amount")
        + activity.row("経常外収益計").get("amount")
        == income
    )
    assert (
        activity.row("経常費用計").get("amount")
        + activity.row("経常外費用計").get("amount")
        == spent
    )
    assert activity.row("当期正味財産増減額").get("amount") == income - spent
    assert activity.row("次期繰越正味財産額").get("amount") == net
    sections = query_by(
        generated,
        "SELECT open_meta(account, 'section') AS s, sum(number) WHERE account ~ '^Expenses:'"
        " AND date >= %s AND date <= %s GROUP BY s",
        start,
        end,
    )
    assert activity.row("事業費計").get("amount") == sections.get("事業費", 0)
    bs = reports["balance-sheet"]
    assert bs.row("資産合計").get("current") == assets
    assert bs.row("正味財産合計").get("current") == net
    assert reports["inventory"].row("正味財産").get("amount") == net
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
    assert bs.row("未収会費").get("current") == receivable
    dues_income = -query_total(
        generated,
        "SELECT sum(number) WHERE account = 'Income:4110-受取会費' AND date >= %s AND date <= %s",
        start,
        end,
    )
    assert activity.row("受取会費").get("amount") == dues_income
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
    r = registry.make(idx, "tie-out", Period.of(year, as_of))
    assert [row.label for row in r.rows if row.get("result") == "✗"] == []
    assert r.row("前年度の次期繰越 = 本年度の前期繰越").get("result") == (
        "—" if year.year == 2025 else "✓"
    )


def test_carry_forward_between_generated_years(idx: Index) -> None:
    first = registry.make(idx, "balance-sheet", Period.of(FiscalYear(2025)))
    second = registry.make(idx, "balance-sheet", Period.of(FiscalYear(2026), END))
    assert second.row("前期繰越正味財産").get("current") == first.row(
        "正味財産合計"
    ).get("current")
    assert second.row("資産合計").get("previous") == first.row("資産合計").get(
        "current"
    )
