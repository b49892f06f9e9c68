"""Shared fixtures: the bundled sample books, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_books.books import Books, load

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "ledger" / "main.beancount"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_books() -> Books:
    return load(SAMPLE)
