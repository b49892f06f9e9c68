"""A real browser on the 記帳 page of ``connect-books serve``: Debian's headless Chromium.

The server is a real process on a copy of the sample books. Each form is filled in and
submitted as a person does (a voucher file chosen for the expense), previewed, then
confirmed; every entry lands in the open 年度's file and ``connect-books check`` passes.
A bad value shows the Japanese error and leaves the books byte-for-byte as they were.
Screenshots are saved in the test's folder and in ``out/fava-screenshots/`` (the
README's pictures in ``docs/`` are copied from there).
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from favatools import (
    NEEDS_CHROMIUM,
    SCREENSHOTS,
    browser,
    connect_books_command,
    serving,
    slug_of,
    wait_for,
)
from test_fava_entry import CASH_BALANCE, GOOD, snapshot

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def books(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample books without the November cash balance (for its form)."""
    folder = tmp_path_factory.mktemp("entry-browser") / "ledger"
    shutil.copytree(sample_path.parent, folder)
    journal = folder / "2026.beancount"
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    journal.write_text(
        "".join(line for line in lines if not line.startswith(CASH_BALANCE)),
        encoding="utf-8",
    )
    return folder / "main.beancount"


@pytest.fixture(scope="module")
def base(books: Path) -> Iterator[str]:
    """The 記帳 page of a real ``connect-books serve`` (treasurer mode)."""
    with serving(books) as url:
        host, port = url.split("//")[1].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("GET", "/")
        location = connection.getresponse().getheader("Location") or ""
        yield f"{url}/{slug_of(location)}/extension/Kicho/"


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser(tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def screenshot(driver: Any, shots: Path, name: str) -> None:
    driver.save_screenshot(str(shots / name))
    shutil.copyfile(shots / name, SCREENSHOTS / name)


def fill(driver: Any, values: dict[str, str]) -> None:
    """Type and choose ``values`` into the form, as a person does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in values.items():
        element = driver.find_element(By.ID, f"kc-{name}")
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            if element.is_selected() != (value == "1"):
                element.click()
        elif element.get_attribute("type") == "file":
            element.send_keys(value)
        else:
            element.clear()
            element.send_keys(value)


def submit(driver: Any, button: str, wait: str) -> Any:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, button).click()
    return wait_for(driver, wait)


def test_each_form_is_submitted_in_a_browser_and_lands(
    books: Path, base: str, driver: Any, shots: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    folder = books.parent
    journal = folder / "2026.beancount"
    before = snapshot(folder)
    voucher = tmp_path / "receipt-machi.pdf"
    voucher.write_bytes(b"%PDF-1.4 a receipt from the post office\n")
    written = []
    for form, (values, expected) in GOOD.items():
        driver.get(f"{base}?form={form}")
        wait_for(driver, f'.kc-page[data-form="{form}"]')
        if form == "expense":
            values = {**values, "voucher": str(voucher)}
            screenshot(driver, shots, "kicho-empty.png")
        fill(driver, values)
        if form == "expense":
            screenshot(driver, shots, "kicho-filled.png")
        panel = submit(driver, "kc-preview", "#kc-preview-panel, #kc-error")
        assert panel.get_attribute("id") == "kc-preview-panel", panel.text
        text = driver.find_element(By.ID, "kc-text").text
        assert expected in text
        screenshot(driver, shots, f"kicho-preview-{form}.png")
        done = submit(driver, "kc-write", "#kc-done, #kc-error")
        assert done.get_attribute("id") == "kc-done", done.text
        landed = driver.find_element(By.ID, "kc-landed").text
        assert expected in landed
        written.append(text)
        if form == "expense":
            screenshot(driver, shots, "kicho-written.png")

    content = journal.read_text(encoding="utf-8")
    for text in written:  # every entry is in the open 年度's file
        assert text.strip() in content
    after = snapshot(folder)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {"2026.beancount", "documents/2026-12-03.receipt-machi.pdf"}
    check = subprocess.run(
        [connect_books_command(), "check", str(books)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_bad_value_shows_the_error_and_changes_nothing(
    books: Path, base: str, driver: Any, shots: Path
) -> None:
    from selenium.webdriver.common.by import By

    before = snapshot(books.parent)
    driver.get(f"{base}?form=expense")
    wait_for(driver, '.kc-page[data-form="expense"]')
    fill(driver, {**GOOD["expense"][0], "amount": "840.5", "date": "2026-12-09"})
    error = submit(driver, "kc-preview", "#kc-error, #kc-preview-panel")
    assert error.get_attribute("id") == "kc-error"
    assert "端数" in error.text
    beside = driver.find_element(By.CSS_SELECTOR, '.kc-bad[data-field="amount"]')
    assert "端数" in beside.text
    assert driver.find_element(By.ID, "kc-amount").get_attribute("value") == "840.5"
    screenshot(driver, shots, "kicho-error.png")
    assert snapshot(books.parent) == before
