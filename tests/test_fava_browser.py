"""A real browser on ``connect-books serve --auditor``: Debian's headless Chromium.

The server is a real process on a free port of 127.0.0.1, the figures are compared with
``connect-books report … --format json`` run as a real process too. Each page is saved
as a screenshot in ``out/fava-screenshots/`` (the README's pictures come from there).
"""

from __future__ import annotations

import http.client
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from favatools import (
    NEEDS_CHROMIUM,
    SCREENSHOTS,
    STATEMENTS,
    assert_page_shows,
    browser,
    connect_books_command,
    http_get,
    read_page,
    serving,
    slug_of,
    wait_for,
)

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def server(sample_path: Path) -> Iterator[str]:
    with serving(sample_path, "--auditor") as url:
        yield url


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser(tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def base(server: str) -> str:
    """The books' pages (Fava's redirect of ``/``)."""
    host, port = server.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 302
    return f"{server}/{slug_of(response.getheader('Location') or '')}"


def cli_report(ledger: Path, name: str, year: int) -> dict[str, Any]:
    """``connect-books report NAME --year YEAR --format json LEDGER``, a real process."""
    done = subprocess.run(
        [connect_books_command(), "report", name, "--year", str(year), str(ledger)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


def open_page(driver: Any, base: str, name: str, year: int) -> str:
    driver.get(f"{base}/extension/ConnectBooks/?page={name}&time=FY{year}")
    wait_for(driver, f'.cb-page[data-page="{name}"] h2.cb-title')
    html: str = driver.page_source
    return html


@pytest.mark.parametrize("name", STATEMENTS)
def test_each_page_in_the_browser_shows_the_cli_figures(
    driver: Any, base: str, sample_path: Path, name: str
) -> None:
    html = open_page(driver, base, name, 2025)
    expected = cli_report(sample_path, name, 2025)
    shown = read_page(html)
    assert shown.title == expected["title"]
    assert assert_page_shows(shown, expected) > 0
    assert expected["title"] in driver.title or driver.title.startswith("計算書・監査")
    driver.save_screenshot(str(SCREENSHOTS / f"fava-{name}.png"))


def test_the_sankey_adds_up_to_the_activity_statement(
    driver: Any, base: str, sample_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    html = open_page(driver, base, "fund-flow", 2025)
    svg = driver.find_element(By.CSS_SELECTOR, "svg.cb-sankey")
    assert svg.size["width"] > 600 and svg.size["height"] > 300  # drawn, not just there
    bands = driver.find_elements(By.CSS_SELECTOR, "svg.cb-sankey path")
    assert len(bands) == len(read_page(html).bands) > 10
    assert all(b.size["width"] > 0 for b in bands)
    rows = cli_report(sample_path, "activity", 2025)["rows"]
    by_key = {r.get("key"): r.get("amount") or 0 for r in rows}
    received = (  # 一般 収益 without the transfer from 指定, plus what 指定 received
        by_key["経常収益計"]
        - by_key["一般:振替"]
        + by_key["経常外収益計"]
        + by_key["指定:増減額"]
        - by_key["指定:振替"]
    )
    flows = [
        (
            b.get_attribute("data-from"),
            b.get_attribute("data-to"),
            int(b.get_attribute("data-amount")),
        )
        for b in bands
    ]
    income_lines = {"受取会費", "受取寄附金", "受取助成金等", "事業収益", "その他収益"}
    assert sum(a for s, _, a in flows if s in income_lines) == received > 0
    holders = {"一般会計", "インクルファンド", "まちづくり積立金"}
    spent = sum(
        a
        for s, t, a in flows
        if s in holders and t not in holders and t != "次期への繰越"
    )
    assert spent == by_key["経常費用計"] + by_key["経常外費用計"]
    checks = read_page(html).tables[1]
    assert [line.cells[-1] for line in checks] == ["✓", "✓", "✓"]
    driver.save_screenshot(str(SCREENSHOTS / "fava-fund-flow.png"))


def test_tabs_move_within_fava_and_follow_the_year(driver: Any, base: str) -> None:
    from selenium.webdriver.common.by import By

    open_page(driver, base, "budget", 2025)
    driver.find_element(By.LINK_TEXT, "活動計算書").click()  # Fava's own router
    wait_for(driver, '.cb-page[data-page="activity"] h2.cb-title', "活動計算書")
    driver.find_element(By.LINK_TEXT, "2026年度").click()
    wait_for(driver, ".cb-years a.cb-current", "2026年度")
    assert "time=FY2026" in driver.current_url
    assert "2026年度" in driver.find_element(By.CSS_SELECTOR, ".cb-subtitle").text


def test_fava_income_statement_reads_positive(driver: Any, base: str) -> None:
    driver.get(f"{base}/income_statement/?time=FY2025")
    wait_for(driver, "article", "1,122,393")  # income shown positive (inverted signs)
    driver.save_screenshot(str(SCREENSHOTS / "fava-income-statement.png"))


def test_the_auditor_sidebar_has_no_editor_or_import(driver: Any, base: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/income_statement/?time=FY2025")
    wait_for(driver, "article", "1,122,393")
    shown = {
        urlsplit(link.get_attribute("href")).path.rstrip("/").rsplit("/", 1)[-1]
        for link in driver.find_elements(By.CSS_SELECTOR, "aside li > a")
        if link.is_displayed()
    }
    assert {"income_statement", "journal", "query"} <= shown
    assert not shown & {"editor", "import"}


def test_a_write_from_the_browser_is_refused(
    driver: Any, base: str, sample_path: Path
) -> None:
    open_page(driver, base, "activity", 2025)
    before = {p: p.read_bytes() for p in sample_path.parent.glob("*.beancount")}
    statuses = driver.execute_async_script(
        """
        const [base, file, done] = arguments;
        const put = (url, body) => fetch(url, {method: "PUT",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
        Promise.all([
          put(base + "/api/source", {file_path: file, source: "", sha256sum: ""}),
          put(base + "/api/add_entries", {entries: []}),
          fetch(base + "/api/source_slice", {method: "DELETE"}),
          fetch(base + "/api/source?filename=" + encodeURIComponent(file)),
        ]).then(rs => done(rs.map(r => r.status)));
        """,
        base,
        str(sample_path),
    )
    assert statuses == [401, 401, 401, 403]
    assert {p: p.read_bytes() for p in before} == before


def test_a_foreign_host_header_gets_400(server: str, base: str) -> None:
    path = base.removeprefix(server) + "/extension/ConnectBooks/?page=activity"
    assert http_get(f"{server}{path}", {"Host": "evil.example"})[0] == 400
    assert http_get(f"{server}/", {"Host": "attacker.test:5000"})[0] == 400
    own = server.split("//")[1]
    assert http_get(f"{server}{path}", {"Host": own})[0] == 200


def test_the_settlement_fingerprint_in_fava_query(
    driver: Any, base: str, sample_path: Path
) -> None:
    from urllib.parse import quote

    recorded = next(
        line.split('"')[1]
        for line in (sample_path.parent / "settlements.beancount")
        .read_text()
        .splitlines()
        if line.strip().startswith("fingerprint:")
    )
    query = (
        "SELECT date, meta['audited'], meta['fingerprint'] FROM #entries "
        "WHERE type = 'custom' AND meta['fingerprint'] IS NOT NULL"
    )
    driver.get(f"{base}/query/?query_string={quote(query)}")
    wait_for(driver, "article", recorded)
    driver.save_screenshot(str(SCREENSHOTS / "fava-fingerprint.png"))
