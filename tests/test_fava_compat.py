"""Fava's load through the trusted path: warm from the project's cache, cached when cold."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from connect_books import cache, fava_compat, gcpause


@pytest.fixture
def books(sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.FOLDER_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(cache.WRITE_ENV, "inline")
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    return tmp_path / "ledger" / "main.beancount"


def test_a_cold_load_is_cached_and_the_next_is_warm(books: Path) -> None:
    assert cache.lookup(books.resolve()) is None
    entries, errors, options = fava_compat.trusted_load(str(books), is_encrypted=False)
    hit = cache.lookup(books.resolve())
    assert hit is not None  # (written when the load was cold)
    again, errors_again, _ = fava_compat.trusted_load(str(books), is_encrypted=False)
    assert len(again) == len(entries) and errors_again == errors == []
    assert options["title"]
    assert gc.isenabled()


def test_a_changed_file_loads_cold_and_is_cached_again(books: Path) -> None:
    fava_compat.trusted_load(str(books), is_encrypted=False)
    year = books.with_name("2026.beancount")
    year.write_text(year.read_text(encoding="utf-8") + "; 一行\n", encoding="utf-8")
    assert cache.lookup(books.resolve()) is None
    fava_compat.trusted_load(str(books), is_encrypted=False)
    assert cache.lookup(books.resolve()) is not None


def test_paused_blocks_may_overlap() -> None:
    assert gc.isenabled()
    outer = gcpause.paused()
    inner = gcpause.paused()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert not gc.isenabled()  # (the other block still runs)
    inner.__exit__(None, None, None)
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
