"""The settled years' memo: unchanged files are not digested again, and nothing else changes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from beancount import loader

from connect_books import cache, trusted
from connect_books.settledmemo import Memo


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    return generate(1000, tmp_path_factory.mktemp("settled") / "books")


@pytest.fixture
def books(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.FOLDER_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(cache.WRITE_ENV, "inline")
    shutil.copytree(generated.parent, tmp_path / "books")
    return (tmp_path / "books" / "main.beancount").resolve()


def keys(errors: list[Any]) -> list[tuple[str, str, str]]:
    return [
        (
            type(e).__name__,
            f"{e.source.get('filename')}:{e.source.get('lineno')}",
            e.message,
        )
        for e in errors
    ]


def bean_check(main: Path) -> list[tuple[str, str, str]]:
    """The errors of plain Beancount with the plugin lines (the settlement rule digests all)."""
    _, errors, _ = loader.load_file(str(main))
    return sorted(
        keys([e for e in errors if type(e).__name__.startswith("Settlement")])
    )


def remembered(loading: trusted.Loading) -> list[str]:
    """The files whose digests came from the memo (not digested by this load)."""
    memo = loading.memo
    assert isinstance(memo, Memo)
    return sorted(Path(p).name for p in memo.records if p not in memo.session)


def test_a_new_entry_of_the_open_year_digests_only_its_file(books: Path) -> None:
    first = trusted.load_books(books)
    assert first.errors == [] and remembered(first) == []
    cache.store(first)
    journal = books.with_name("2026.beancount")
    journal.write_text(journal.read_text() + "; 追記\n")
    second = trusted.load_books(books)
    assert second.errors == []
    assert "2025.beancount" in remembered(second)
    assert "2026.beancount" not in remembered(second)


EDITS = {
    "an entry changed": "2025.beancount",
    "an entry removed": "2025.beancount",
    "the approved figure changed": "settlements.beancount",
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_changed_settled_year_gives_the_errors_of_a_whole_digest(
    books: Path, edit: str
) -> None:
    cache.store(trusted.load_books(books))
    path = books.with_name(EDITS[edit])
    text = path.read_text()
    if edit == "an entry changed":
        text = text.replace('"旅費交通費"', '"旅費交通費 (訂正)"', 1)
    elif edit == "an entry removed":
        start = text.index("\n2025-")
        end = text.index("\n\n", start + 1)
        text = text[:start] + text[end:]
    else:
        marker = ' "総会" '
        at = text.index(marker) + len(marker)
        text = text[:at] + "1" + text[at:]
    path.write_text(text)
    loaded = trusted.load_books(books)
    ours = sorted(
        keys([e for e in loaded.errors if type(e).__name__.startswith("Settlement")])
    )
    assert ours and ours == bean_check(books)
