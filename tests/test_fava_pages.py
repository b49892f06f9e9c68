"""The 監事's pages in Fava: the same reports as the CLI, links, 年度, Excel, fund flows."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import openpyxl
import pytest
from favatools import STATEMENTS, assert_page_shows, read_page, report_json, slug_of
from flask import Flask
from flask.testing import FlaskClient
from ledgertools import query_by, query_total

from connect_books.books import Books
from connect_books.fava_ext.period import choose, fava_time
from connect_books.fava_ext.render import cell_text, page_count, table_view, tables_view
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports.table import Column, Report, Row, Table
from connect_books.serve import make_app

LOCAL = {"Host": "127.0.0.1:5000"}
FY2025 = (datetime.date(2025, 6, 28), datetime.date(2026, 3, 31))


@pytest.fixture(scope="module")
def app(sample_path: Path) -> Flask:
    return make_app(sample_path, host="127.0.0.1", auditor=True)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def base(client: FlaskClient) -> str:
    return "/" + slug_of(client.get("/", headers=LOCAL).headers["Location"])


def page(client: FlaskClient, base: str, name: str, time: str) -> str:
    response = client.get(
        f"{base}/extension/ConnectBooks/",
        query_string={"page": name, "time": time},
        headers=LOCAL,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("name", STATEMENTS)
@pytest.mark.parametrize("year", [2025, 2026])
def test_each_page_shows_the_cli_report(
    client: FlaskClient, base: str, sample_path: Path, name: str, year: int
) -> None:
    shown = read_page(page(client, base, name, f"FY{year}"))
    expected = report_json(sample_path, name, "--year", str(year))
    assert assert_page_shows(shown, expected) == len(expected["rows"]) + sum(
        len(t["rows"]) for t in expected["tables"]
    )


@pytest.mark.parametrize("name", ["budget", "activity", "balance-sheet", "dues"])
def test_a_time_filter_inside_the_year_is_the_as_of_report(
    client: FlaskClient, base: str, sample_path: Path, name: str
) -> None:
    for time in ("2026-04-01 - 2026-09-30", "2026-09"):
        shown = read_page(page(client, base, name, time))
        expected = report_json(
            sample_path, name, "--year", "2026", "--as-of", "2026-09-30"
        )
        assert assert_page_shows(shown, expected) > 0
    assert "から2026年9月30日までを集計" in page(client, base, "activity", "2026-09")


@pytest.mark.parametrize("name", STATEMENTS)
def test_json_endpoint_is_the_cli_report(
    client: FlaskClient, base: str, sample_path: Path, name: str
) -> None:
    response = client.get(
        f"{base}/extension/ConnectBooks/report",
        query_string={"page": name, "time": "FY2025"},
        headers=LOCAL,
    )
    assert response.status_code == 200
    assert response.get_json() == report_json(sample_path, name, "--year", "2025")


def test_excel_download_is_the_report_shown(
    client: FlaskClient, base: str, sample_path: Path
) -> None:
    html = page(client, base, "activity", "FY2025")
    href = next(h for h in read_page(html).links if "/xlsx?" in h)
    response = client.get(href, headers=LOCAL)
    assert response.status_code == 200
    disposition = unquote(response.headers["Content-Disposition"])
    assert "2025年度_活動計算書.xlsx" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    values: dict[str, object] = {}
    for row in sheet.iter_rows(values_only=True):  # the statement, before its notes
        if row and isinstance(row[0], str):
            values.setdefault(row[0], row[1])
    expected = report_json(sample_path, "activity", "--year", "2025")["rows"]
    for label in ("経常収益計", "経常費用計", "Ⅲ 正味財産期末残高"):
        row = next(r for r in expected if r["label"] == label)
        assert values[label] == row["amount"] != 0
    assert sheet["A2"].value == "活動計算書"


def test_part_of_an_ended_year_says_so_and_its_download_is_named_by_its_day(
    client: FlaskClient, base: str
) -> None:
    html = page(client, base, "budget", "2025-12")
    assert "2025年度の途中 (2025年12月31日現在) までの数字です" in html
    href = next(h for h in read_page(html).links if "/xlsx?" in h)
    response = client.get(href, headers=LOCAL)
    disposition = unquote(response.headers["Content-Disposition"])
    assert "2025年度_収支計算書_2025-12-31現在.xlsx" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    assert "決算前" not in str(sheet["A4"].value)
    assert "年度末の決算の数字ではありません" in str(sheet["A4"].value)


def test_lines_link_to_fava_pages_of_the_year(client: FlaskClient, base: str) -> None:
    statement = read_page(page(client, base, "activity", "FY2025")).tables[0]
    lines = {line.label: line for line in statement}
    href = lines["受取会費"].href
    assert href is not None
    parts = urlsplit(href)
    assert unquote(parts.path) == f"{unquote(base)}/account/Income:4110-受取会費/"
    assert parse_qs(parts.query) == {"time": ["FY2025"]}
    sheet = read_page(page(client, base, "balance-sheet", "FY2025")).tables[0]
    cash = next(line for line in sheet if line.label == "現金預金")
    assert cash.href is not None
    query = parse_qs(urlsplit(cash.href).query)
    assert "journal" in cash.href and query["time"] == ["FY2025"]
    assert "Assets:1120-普通預金-ろうきん" in query["account"][0]
    grants = read_page(page(client, base, "funds", "FY2025")).tables[1]
    decision = next(line for line in grants if line.label == "IF-2025-01")
    assert decision.href is not None
    assert parse_qs(urlsplit(decision.href).query)["filter"] == [
        'decision:"^IF-2025-01$"'
    ]


@pytest.mark.parametrize("name", [*STATEMENTS, "fund-flow"])
def test_every_link_opens(client: FlaskClient, base: str, name: str) -> None:
    shown = read_page(page(client, base, name, "FY2025"))
    hrefs = {line.href for table in shown.tables for line in table if line.href}
    assert hrefs or name in ("fund-flow", "withholding")  # flows and people: no account
    for href in hrefs | set(shown.links):
        if href.startswith("/logout"):
            continue
        assert client.get(href, headers=LOCAL).status_code == 200, href


def test_grant_decision_link_filters_the_journal(
    client: FlaskClient, base: str
) -> None:
    grants = read_page(page(client, base, "funds", "FY2025")).tables[1]
    href = next(line.href for line in grants if line.label == "IF-2025-02")
    assert href is not None
    query = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    journal = client.get(f"{base}/api/journal", query_string=query, headers=LOCAL)
    text = journal.get_data(as_text=True)
    assert "IF-2025-02" in text and "IF-2025-01" not in text


def test_year_selector_follows_the_time_filter(client: FlaskClient, base: str) -> None:
    html = page(client, base, "activity", "FY2026")
    years = [
        h for h in read_page(html).links if "page=activity" in h and "xlsx" not in h
    ]
    assert any("time=FY2025" in h for h in years)
    assert any("time=FY2026" in h for h in years)
    assert 'aria-current="page">2026年度' in html
    unfiltered = client.get(
        f"{base}/extension/ConnectBooks/?page=activity", headers=LOCAL
    ).get_data(as_text=True)
    assert "Fava の期間が指定されていないので" in unfiltered


def test_period_from_fava_time_filters() -> None:
    from fava.util.date import FiscalYearEnd

    fye = FiscalYearEnd(15, 31)
    first, last = datetime.date(2025, 6, 28), datetime.date(2026, 11, 30)

    def pick(
        time: str | None, today: datetime.date = datetime.date(2026, 11, 30)
    ) -> Any:
        return choose(time, fye, first=first, last=last, today=today)

    whole = pick("FY2025")
    assert (whole.year, whole.as_of, whole.notice) == (FiscalYear(2025), None, "")
    assert fava_time(Period.of(whole.year)) == "FY2025"
    month = pick("2026-11")
    assert (month.year, month.as_of) == (FiscalYear(2026), datetime.date(2026, 11, 30))
    assert fava_time(Period.of(month.year, month.as_of)) == "2026-04-01 - 2026-11-30"
    assert "年度の初日" in month.notice
    bare = pick("2025")  # a bare year is the 年度 a Japanese reader means
    assert (bare.year, bare.as_of) == (FiscalYear(2025), None)
    assert "'2025' を2025年度として表示しています" in bare.notice
    assert (pick("2026").year, pick("2026").as_of) == (FiscalYear(2026), None)
    ahead = pick("2026-12-31")  # a last day not come yet: to today, said so
    assert (ahead.year, ahead.as_of) == (FiscalYear(2026), datetime.date(2026, 11, 30))
    assert "2026年12月31日) はまだ来ていない" in ahead.notice
    assert "2026年11月30日までを集計" in ahead.notice
    assert "年度をまたいで" in pick("2025-01-01 - 2026-12-31").notice
    assert pick(None).year == FiscalYear(2025)  # the latest 年度 that has ended
    assert pick(None, today=datetime.date(2026, 2, 1)).year == FiscalYear(2026)
    assert "読めない" in pick("someday").notice
    assert "読めない" in pick("FY9999").notice  # no calendar holds its end
    assert pick("2020").year == FiscalYear(2025)


def test_cells_are_written_the_japanese_way() -> None:
    assert cell_text(-1234, "yen") == "▲1,234"
    assert cell_text(1234567, "yen") == "1,234,567"
    assert cell_text(Decimal("0.8533"), "ratio") == "85.3%"
    assert cell_text(datetime.date(2025, 7, 8), "date") == "2025-07-08"
    assert cell_text(None, "yen") == ""
    assert cell_text("✓", "mark") == "✓"


def test_long_reports_are_shown_a_page_at_a_time() -> None:
    def table(title: str, count: int) -> Table:
        rows = tuple(Row(f"行{n}", {"amount": n}) for n in range(1, count + 1))
        return Table(title, (Column("amount", "金額"),), rows)

    tables = (
        table("総勘定元帳", 3),
        table("現金", 700),
        table("空", 0),
        table("預金", 501),
    )
    report = Report("general-ledger", "総勘定元帳", FiscalYear(2025), *FY2025, tables)
    assert page_count(report, 500) == 3
    first = tables_view(report, lambda row: None, page=1, per_page=500)
    assert [(t.title, t.first, t.last, t.total) for t in first] == [
        ("総勘定元帳", 1, 3, 3),
        ("現金", 1, 497, 700),
    ]
    assert first[1].paged and not first[0].paged
    second = tables_view(report, lambda row: None, page=2, per_page=500)
    assert [(t.title, t.first, t.last) for t in second] == [
        ("現金", 498, 700),
        ("空", 1, 0),
        ("預金", 1, 297),
    ]
    last = tables_view(report, lambda row: None, page=99, per_page=500)
    assert [(t.title, t.first, t.last) for t in last] == [("預金", 298, 501)]
    assert last[0].lines[-1].cells[0].text == "501"
    whole = table_view(tables[0], lambda row: None)
    assert (whole.first, whole.last, whole.paged) == (1, 3, False)


def fund_flow(client: FlaskClient, base: str, time: str) -> Any:
    response = client.get(
        f"{base}/extension/ConnectBooks/report",
        query_string={"page": "fund-flow", "time": time},
        headers=LOCAL,
    )
    assert response.status_code == 200
    return response.get_json()


def test_fund_flows_add_up_to_the_activity_statement(
    client: FlaskClient, base: str, sample_books: Books
) -> None:
    shown = read_page(page(client, base, "fund-flow", "FY2025"))
    assert shown.title == "資金の流れ"
    bands = [(b["data-from"], b["data-to"], int(b["data-amount"])) for b in shown.bands]
    # Independent sums with bean-query: what came in, what was spent, in 2025年度.
    received = -query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Income:' AND date >= %s AND date <= %s",
        *FY2025,
    )
    spent_in_books = query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Expenses:' AND date >= %s AND date <= %s",
        *FY2025,
    )
    sources = {"受取会費", "受取寄附金", "受取助成金等", "事業収益", "その他収益"}
    assert sum(a for s, _, a in bands if s in sources) == received > 0
    grantees = {
        "ワーカーズ・コレクティブ風のたより",
        "ワーカーズ・コレクティブはぐくみ",
    }
    grantees.add("労働者協同組合まちのたね設立準備会")
    spent = sum(
        a for _, t, a in bands if t.startswith("事業") or t in {"管理費", *grantees}
    )
    assert spent == spent_in_books > 0
    carried = sum(a for _, t, a in bands if t == "次期への繰越") - sum(
        a for s, _, a in bands if s == "前期からの繰越"
    )
    assert carried == received - spent_in_books
    into_fund = -query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '^Income:' AND %s IN other_accounts "
        "AND date >= %s AND date <= %s",
        "Assets:1130-普通預金-インクルファンド",
        *FY2025,
    )
    assert into_fund == sum(
        a for s, t, a in bands if t == "インクルファンド" and s in sources
    )
    paid = query_by(
        sample_books,
        "SELECT payee, sum(number) WHERE account ~ '支払助成金' "
        "AND date >= %s AND date <= %s GROUP BY payee",
        *FY2025,
    )
    assert {t: a for _, t, a in bands if t in grantees} == paid
    dues = -query_total(
        sample_books,
        "SELECT sum(number) WHERE account ~ '受取会費' AND date >= %s AND date <= %s",
        *FY2025,
    )
    assert ("受取会費", "一般会計", dues) in bands
    nodes = {n["data-node"]: n for n in shown.nodes}
    general_in = sum(a for _, t, a in bands if t == "一般会計")
    assert int(nodes["一般会計"]["data-in"]) == general_in > 0
    assert set(nodes) >= {"一般会計", "インクルファンド", "まちづくり積立金"}
    # The report checks itself against the 活動計算書 (一般 and 指定 parts).
    checks = fund_flow(client, base, "FY2025")["tables"][0]["rows"]
    assert [c["result"] for c in checks] == ["✓", "✓", "✓"]
    assert [c["a"] for c in checks] == [
        received,
        spent_in_books,
        received - spent_in_books,
    ]


def test_fund_flow_transfer_into_the_reserve(
    client: FlaskClient, base: str, sample_path: Path
) -> None:
    rows = fund_flow(client, base, "FY2025")["rows"]
    transfers = [r for r in rows if r["group"] == "振替"]
    funds = report_json(sample_path, "funds", "--year", "2025")["rows"]
    reserve = next(r for r in funds if r.get("key") == "基金:machizukuri")
    assert reserve["transfers"] > 0
    assert [(r["label"], r["target"], r["amount"]) for r in transfers] == [
        ("一般会計", "まちづくり積立金", reserve["transfers"])
    ]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Books:
    import sys

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from bench.generate import generate
    from connect_books.books import load

    books = load(generate(1500, tmp_path_factory.mktemp("generated"), seed=11))
    assert books.errors == []
    return books


@pytest.mark.parametrize(
    ("year", "as_of"), [(2025, None), (2026, datetime.date(2026, 10, 31))]
)
def test_fund_flows_on_generated_books(
    generated: Books, year: int, as_of: datetime.date | None
) -> None:
    from connect_books.fava_ext import flows
    from connect_books.fiscal import FiscalYear, Period
    from connect_books.reports import registry
    from connect_books.reports.labels import fund_short

    idx = registry.index_of(generated)
    period = Period.of(FiscalYear(year), as_of)
    activity = registry.make(idx, "activity", period)
    found = flows.report(
        generated.entries, idx, period, activity, registry.make(idx, "funds", period)
    )
    assert [row.get("result") for row in found.tables[1].rows] == ["✓", "✓", "✓"]
    bands = flows.from_report(found)
    span = (period.start, period.end)
    for fund in idx.funds.funds.values():
        received = -query_total(
            generated,
            "SELECT sum(number) WHERE account ~ '^Income:' AND %s IN other_accounts "
            "AND date >= %s AND date <= %s",
            fund.asset,
            *span,
        )
        label = fund_short(fund)
        drawn = sum(
            b.amount for b in bands if b.group == "income" and b.target == label
        )
        assert drawn == received, fund.id
    granted = query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '支払助成金' AND date >= %s AND date <= %s",
        *span,
    )
    assert sum(b.amount for b in bands if b.group == "grant") == granted > 0
    spent = query_total(
        generated,
        "SELECT sum(number) WHERE account ~ '^Expenses:' AND date >= %s AND date <= %s",
        *span,
    )
    assert sum(b.amount for b in bands if b.group in ("grant", "expense")) == spent


def test_text_from_the_books_is_shown_never_run(
    sample_path: Path, tmp_path: Path
) -> None:
    import shutil

    books = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, books)
    journal = books / "2025.beancount"
    evil = "<script>alert(1)</script>"
    journal.write_text(
        journal.read_text().replace(
            '"IF-2025-01" "inclufund" "ワーカーズ・コレクティブ風のたより"',
            f'"IF-2025-01" "inclufund" "{evil}"',
        )
    )
    app = make_app(books / "main.beancount", host="127.0.0.1", auditor=True)
    client = app.test_client()
    base = "/" + slug_of(client.get("/", headers=LOCAL).headers["Location"])
    for name in ("funds", "fund-flow"):
        html = page(client, base, name, "FY2025")
        assert evil not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    shown = read_page(page(client, base, "fund-flow", "FY2025"))
    assert evil in {n["data-node"] for n in shown.nodes}  # the name itself, as text


def test_reports_are_made_once_per_load(sample_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from connect_books.fava_ext import ConnectBooks

    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    ledger = app.config["LEDGERS"].ledgers[0]
    extension = ledger.extensions.get_extension("ConnectBooks")
    assert isinstance(extension, ConnectBooks)
    statements = extension.statements()
    period = Period.of(FiscalYear(2025))
    with ThreadPoolExecutor(8) as pool:  # Fava serves from threads
        made = list(pool.map(lambda _: statements.report("tie-out", period), range(16)))
    assert all(report is made[0] for report in made)
    assert statements.report("activity", period) is statements.report(
        "activity", period
    )
    ledger.load_file()  # the books changed: the next page is made from the new load
    assert extension.statements() is not statements
    assert extension.statements().report("tie-out", period) is not made[0]


def test_account_book_lines_lead_to_their_accounts(
    client: FlaskClient, base: str
) -> None:
    journal = read_page(page(client, base, "journal", "FY2025")).tables[0]
    assert len(journal) > 100
    for line in journal:
        if line.label == "合計":
            continue
        assert line.href is not None, line.label
        path = unquote(urlsplit(line.href).path)
        assert path.endswith(f"{line.label}/")  # the account page of the line's account
    office = next(line for line in journal if line.label == "5214-事務用品費")
    assert office.href is not None
    assert "/account/Expenses:5210-管理費:5214-事務用品費/" in unquote(office.href)
