"""Fava's import page (インポート) in a real browser: the same entries as the command.

A real ``connect-books serve`` (treasurer mode) on a copy of the sample books with the
import test accounts (:func:`test_import_books.make_repo`), driven by Debian's headless
Chromium: upload the ゆうちょ sample statement (cp932), extract, accept every entry.
Another copy gets ``connect-books import FILE --yes``; both books then hold the same
entries, ``check`` passes, and a second upload of the same statement adds nothing.
Screenshots go to ``out/fava-screenshots/`` (the README's picture comes from there).
"""

from __future__ import annotations

import http.client
import subprocess
from collections import Counter
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
from test_import_books import DATA, YUCHO, make_repo, snapshot

from connect_books.books import load

pytestmark = NEEDS_CHROMIUM

STATEMENT = DATA / "yucho-2026-10.csv"
#: The entries the statement brings: five bank lines and the month-end balance.
ENTRIES = 6


def entry_key(entry: Any) -> tuple[Any, ...]:
    """What an entry says, without where it stands (file, line) or how it is laid out."""
    meta = tuple(
        sorted(
            (key, str(value))
            for key, value in (entry.meta or {}).items()
            if key not in ("filename", "lineno") and not key.startswith("_")
        )
    )
    postings = tuple(
        (p.account, p.units.number, p.units.currency)
        for p in getattr(entry, "postings", ())
    )
    amount = getattr(entry, "amount", None)
    return (
        type(entry).__name__,
        entry.date,
        getattr(entry, "flag", None),
        getattr(entry, "payee", None) or None,
        getattr(entry, "narration", None),
        getattr(entry, "account", None),
        (amount.number, amount.currency) if amount is not None else None,
        postings,
        meta,
    )


def entries_of(main: Path) -> Counter[tuple[Any, ...]]:
    books = load(main)
    assert not books.errors, books.errors[:3]
    return Counter(entry_key(entry) for entry in books.entries)


def run(*args: str) -> str:
    done = subprocess.run(
        [connect_books_command(), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    return make_repo(sample_path, tmp_path / "fava")


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser(tmp_path / "chromium") as chromium:
        yield chromium


def base_of(url: str) -> str:
    host, port = url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("GET", "/")
    location = connection.getresponse().getheader("Location") or ""
    return f"{url}/{slug_of(location)}"


def upload(driver: Any, base: str, path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/import/")
    wait_for(driver, "form button[type=submit]", "アップロード")
    chooser = driver.find_element(By.CSS_SELECTOR, "input[type=file]")
    chooser.send_keys(str(path))
    chooser.find_element(By.XPATH, "ancestor::form//button[@type='submit']").click()


def extract(driver: Any, name: str) -> Any:
    """Click 抽出 for the file ``name`` with the ゆうちょ importer; the dialog."""
    from selenium.webdriver.common.by import By

    wait_for(driver, ".header button", name)
    for form in driver.find_elements(By.CSS_SELECTOR, ".filelist form.flex-row"):
        header = form.find_element(By.XPATH, "../preceding-sibling::div[1]")
        if header.text.startswith(name + "\n") or header.text == name:
            form.find_element(
                By.CSS_SELECTOR, f"button[title*='connect_books.yucho:{YUCHO}']"
            ).click()
            return wait_for(driver, "dialog[open] form h3", "Entry")
    raise AssertionError(f"{name} is not listed on the import page")


def accept_all(driver: Any) -> None:
    """Go to the last entry and save (Fava saves every entry not marked duplicate)."""
    from selenium.webdriver.common.by import By

    dialog = driver.find_element(By.CSS_SELECTOR, "dialog[open]")
    for button in dialog.find_elements(By.CSS_SELECTOR, "button"):
        if button.text == "⏭" or button.get_attribute("innerText") == "⏭":
            button.click()
            break
    wait_for(driver, "dialog[open] button[type=submit]", "保存").click()


def test_fava_import_lands_what_the_command_lands_once(
    books: Path, sample_path: Path, tmp_path: Path, driver: Any
) -> None:
    cli_books = make_repo(sample_path, tmp_path / "cli")
    run("import", str(STATEMENT), str(cli_books), "--bank", "yucho", "--yes")

    with serving(books) as url:
        base = base_of(url)
        upload(driver, base, STATEMENT)
        dialog = extract(driver, STATEMENT.name)
        assert f"of {ENTRIES} ({ENTRIES} to import)" in dialog.text
        driver.save_screenshot(str(SCREENSHOTS / "fava-import.png"))
        accept_all(driver)
        wait_for(driver, ".notifications li", f"Stored {ENTRIES} entries")

        assert entries_of(books) == entries_of(cli_books)
        run("check", str(books))
        journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
        assert journal.count("import-key:") == ENTRIES - 1
        assert "import-key" not in (books.parent / "main.beancount").read_text(
            encoding="utf-8"
        )

        before = snapshot(books)  # the same statement again: nothing new
        upload(driver, base, STATEMENT)
        dialog = extract(driver, "yucho-2026-10-2.csv")
        assert f"of {ENTRIES - 1} (0 to import)" in dialog.text
        driver.save_screenshot(str(SCREENSHOTS / "fava-import-again.png"))
        accept_all(driver)
        driver.get(f"{base}/import/")
        wait_for(driver, ".header button", STATEMENT.name)
        assert snapshot(books) == before


def test_a_statement_no_layout_reads_is_refused_in_japanese(
    books: Path, tmp_path: Path, driver: Any
) -> None:
    bad = tmp_path / "meisai.csv"
    bad.write_bytes(b"\x00\x01\x02 not a statement")
    before = snapshot(books)
    with serving(books) as url:
        upload(driver, base_of(url), bad)
        shown = wait_for(driver, ".notifications li", "読める銀行の設定がありません")
        assert "meisai.csv" in shown.text and "帳簿は変わっていません" in shown.text
        driver.save_screenshot(str(SCREENSHOTS / "fava-import-refused.png"))
    assert snapshot(books) == before
    inbox = books.parent.parent / "private" / "import-inbox"
    assert not any(inbox.glob("*")) if inbox.exists() else True


def test_an_unmatched_line_waits_for_an_account_or_ignore(
    books: Path, tmp_path: Path, driver: Any
) -> None:
    from selenium.webdriver.common.by import By
    from test_fava_import import UNKNOWN_PAYER

    from connect_books.fava_import import UNASSIGNED

    statement = tmp_path / "unknown.csv"
    statement.write_bytes(UNKNOWN_PAYER)
    before = snapshot(books)
    with serving(books) as url:
        upload(driver, base_of(url), statement)
        dialog = extract(driver, statement.name)
        assert "Entry 1 of 5 (5 to import)" in dialog.text
        accounts = driver.find_elements(
            By.CSS_SELECTOR, "dialog[open] input[placeholder='アカウント']"
        )
        placeholder = next(a for a in accounts if a.get_property("value") == UNASSIGNED)
        assert not driver.execute_script(
            "return arguments[0].validity.valid", placeholder
        )
        wait_for(driver, "dialog[open] button[type=submit]", "次へ").click()
        assert "Entry 1 of 5" in wait_for(driver, "dialog[open] form h3", "Entry").text
        driver.save_screenshot(str(SCREENSHOTS / "fava-import-unmatched.png"))
        driver.find_element(By.CSS_SELECTOR, "dialog[open] label input").click()
        wait_for(driver, "dialog[open] button[type=submit]", "次へ").click()
        assert wait_for(driver, "dialog[open] form h3", "Entry 2 of 5 (4 to import)")
    assert snapshot(books) == before
