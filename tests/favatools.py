"""Reading the 監事's Fava pages in tests: the tables, the title and the Sankey, as shown.

The pages are read as a person (or a browser) sees them: the HTML, parsed with the
standard library, not the objects behind them.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from connect_books import auth
from connect_books.cli import main

#: Every page of the extension and the report it shows (the registry names).
STATEMENTS = (
    "budget",
    "activity",
    "balance-sheet",
    "inventory",
    "dues",
    "funds",
    "tie-out",
    "trend",
    "journal",
    "general-ledger",
    "cash-book",
    "fixed-assets",
    "withholding",
)


@dataclass
class Line:
    """A table line as shown: its label, key, CSS class and cell texts."""

    label: str
    key: str
    css: str
    cells: list[str] = field(default_factory=list)
    href: str | None = None


@dataclass
class Shown:
    """What a page shows."""

    title: str = ""
    tables: list[list[Line]] = field(default_factory=list)
    bands: list[dict[str, str]] = field(default_factory=list)
    nodes: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.shown = Shown()
        self.line: Line | None = None
        self.cell: list[str] | None = None
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        classes = found.get("class", "").split()
        if tag == "h2" and "cb-title" in classes:
            self.in_title = True
        elif tag == "table" and "cb-table" in classes:
            self.shown.tables.append([])
        elif tag == "tr" and "data-label" in found:
            self.line = Line(
                found["data-label"], found.get("data-key", ""), found.get("class", "")
            )
            self.shown.tables[-1].append(self.line)
        elif tag == "td" and self.line is not None:
            self.cell = []
        elif tag == "a" and "href" in found:
            self.shown.links.append(found["href"])
            if self.line is not None and self.cell is None:
                self.line.href = found["href"]
        elif tag == "path" and "data-from" in found:
            self.shown.bands.append(found)
        elif tag == "g" and "data-node" in found:
            self.shown.nodes.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.in_title = False
        elif tag == "td" and self.line is not None and self.cell is not None:
            self.line.cells.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr":
            self.line = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.shown.title += data.strip()
        if self.cell is not None:
            self.cell.append(data)


def read_page(html: str) -> Shown:
    """The title, tables and Sankey of an extension page."""
    reader = _Reader()
    reader.feed(html)
    return reader.shown


def yen(text: str) -> int | None:
    """A yen cell's text as a number (``▲1,234`` → -1234; None for an empty cell)."""
    if not text:
        return None
    return int(text.replace(",", "").replace("▲", "-"))


def report_json(ledger: Path, name: str, *args: str) -> dict[str, Any]:
    """``connect-books report NAME … --format json`` (the CLI, as a user runs it)."""
    result = CliRunner().invoke(
        main, ["report", name, *args, "--format", "json", str(ledger)]
    )
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def assert_page_shows(shown: Shown, expected: dict[str, Any]) -> int:
    """Every line of every table of ``shown`` is the JSON report's; returns lines compared.

    Labels, keys and every cell (yen as numbers, marks and text as printed) must agree.
    """
    tables = [
        {"columns": expected["columns"], "rows": expected["rows"]},
        *expected["tables"],
    ]
    assert shown.title == expected["title"]
    assert len(shown.tables) == len(tables)
    compared = 0
    for lines, table in zip(shown.tables, tables, strict=True):
        assert [line.label for line in lines] == [row["label"] for row in table["rows"]]
        for line, row in zip(lines, table["rows"], strict=True):
            assert line.key == row.get("key", "")
            for text, column in zip(line.cells, table["columns"], strict=True):
                value = row.get(column["key"])
                if column["kind"] == "yen":
                    assert yen(text) == value, (row["label"], column["key"], text)
                elif column["kind"] in ("text", "mark", "date"):
                    assert text == (value or ""), (row["label"], column["key"], text)
            compared += 1
    return compared


def write_users(path: Path, users: dict[str, str]) -> Path:
    """A users file with ``users`` (name → password), as ``auditor-user add`` writes it."""
    auth.write_users(path, {name: auth.hash_password(pw) for name, pw in users.items()})
    return path


def slug_of(location: str) -> str:
    """The books' slug in Fava's redirect of ``/``."""
    match = re.match(r"^(?:https?://[^/]+)?/([^/]+)/", location)
    assert match, location
    return match.group(1)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def connect_books_command() -> str:
    """The ``connect-books`` command installed next to this Python."""
    found = shutil.which("connect-books", path=str(Path(sys.executable).parent))
    assert found, "connect-books is not installed in this environment"
    return found


@contextmanager
def serving(
    ledger: Path, *options: str, host: str = "127.0.0.1", cwd: Path | None = None
) -> Iterator[str]:
    """``connect-books serve LEDGER --host HOST --port P OPTIONS…`` as a real process.

    Yields the base URL once the server answers; the process is stopped afterwards.
    """
    port = free_port(host)
    command = [connect_books_command(), "serve", str(ledger), "--host", host]
    process = subprocess.Popen(
        [*command, "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    )
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                connection = http.client.HTTPConnection(host, port, timeout=5)
                connection.request("GET", "/login")
                connection.getresponse().read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET ``url`` (a path on the server) with exactly these headers; (status, body)."""
    status, body, _ = http_request(url, headers)
    return status, body


def http_request(
    url: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """GET ``url`` with exactly these headers; (status, body, response headers)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=60
    )
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read(), dict(response.getheaders())


#: Where the browser tests leave their screenshots (the README's come from here).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "out" / "fava-screenshots"
#: Debian's Chromium and its driver (installed by ``make test``; never downloaded).
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=ja",
    "--window-size=1400,1000",
)


def have_chromium() -> bool:
    """Whether Debian's Chromium, its driver and selenium are installed."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return all(Path(path).is_file() for path in CHROMIUM)


#: The mark of a module of browser tests.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not have_chromium(),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)


@contextmanager
def browser(profile: Path) -> Iterator[Any]:
    """A headless Chromium driven by selenium, with a fresh profile in ``profile``."""
    import os

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium must never fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM[0]
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMIUM[1]), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, css: str, text: str = "", timeout: float = 60) -> Any:
    """The first element matching ``css`` (containing ``text``) once it is there."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d: Any) -> Any:
        for element in d.find_elements(By.CSS_SELECTOR, css):
            if text in element.text:
                return element
        return False

    waiting = WebDriverWait(
        driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
    )
    return waiting.until(found)
