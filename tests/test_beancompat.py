"""The contract of ``connect_books.beancompat`` with Beancount, held to ``loader.load_file``.

Everything connect-books takes from Beancount's private or untyped API is in that one
module. If a Beancount upgrade changes what it relies on, these tests fail, and nothing
else should have to.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data, flags
from beancount.parser import parser
from ledgertools import line_of

from connect_books.beancompat import (
    Loaded,
    book_and_validate,
    is_padding,
    load_text_as_file,
    load_uncached,
    location,
    pad_locations,
    padding_for,
    parse_books,
)


def error_keys(errors: list[Any]) -> list[tuple[str, Any, str]]:
    return [(type(e).__name__, e.source, e.message) for e in errors]


def assert_same_load(ours: Loaded, theirs: Loaded, *, unhashed: bool = False) -> None:
    """The same entries (with their file and line), errors and options.

    ``unhashed``: ``ours`` did not hash the files on disk (``input_hash``).
    """
    entries, errors, options = ours
    expected_entries, expected_errors, expected_options = theirs
    assert len(entries) == len(expected_entries)
    assert entries == expected_entries
    assert error_keys(errors) == error_keys(expected_errors)
    # (the display context is built anew by each load: compare what it says)
    assert str(options["dcontext"]) == str(expected_options["dcontext"])
    left_out = {"dcontext", "input_hash"} if unhashed else {"dcontext"}
    assert {k: v for k, v in options.items() if k not in left_out} == {
        k: v for k, v in expected_options.items() if k not in left_out
    }


@pytest.fixture
def sample_copy(sample_path: Path, tmp_path: Path) -> Path:
    """A copy of the whole sample ``ledger/`` folder."""
    folder = tmp_path / "ledger"
    shutil.copytree(
        sample_path.parent, folder, ignore=shutil.ignore_patterns("*.picklecache")
    )
    return folder / "main.beancount"


def test_uncached_load_is_load_file(sample_path: Path) -> None:
    ours = load_uncached(sample_path)
    assert ours[1] == [] and len(ours[0]) > 300
    assert_same_load(ours, loader.load_file(str(sample_path)))


def test_parse_then_book_and_validate_is_load_file(sample_path: Path) -> None:
    entries, errors, options = parse_books(sample_path)
    assert options["plugin"]  # named, not yet run
    loaded, all_errors = book_and_validate(entries, errors, options)
    assert_same_load(
        (loaded, all_errors, options), loader.load_file(str(sample_path)), unhashed=True
    )


def test_text_loaded_as_a_file_is_that_file(sample_copy: Path) -> None:
    journal = sample_copy.parent / "2026.beancount"
    whole = journal.read_text()
    expected = loader.load_file(str(sample_copy))
    # cut the journal before one of its transactions; load the rest as text at its lines
    cut = line_of(whole, '"郵便局" "郵送料 11月"') - 1
    lines = whole.splitlines(keepends=True)
    journal.write_text("".join(lines[:cut]))
    rest = "".join(lines[cut:])
    ours = load_text_as_file(sample_copy, rest, filename=journal, first_line=cut + 1)
    journal.write_text(whole)
    assert_same_load(ours, expected, unhashed=True)
    moved = [e for e in ours[0] if e.meta.get("lineno", 0) > cut]
    assert any(e.meta["filename"] == str(journal) for e in moved)


def test_text_loaded_as_a_file_reports_errors_at_its_lines(sample_copy: Path) -> None:
    journal = sample_copy.parent / "2026.beancount"
    first = len(journal.read_text().splitlines()) + 2
    text = '2026-11-26 * "立替" "切手"\n  Expenses:9999-不明  100 JPY\n  Assets:1240-立替金  -100 JPY\n'
    _, errors, _ = load_text_as_file(
        sample_copy, text, filename=journal, first_line=first
    )
    assert [(e.source["filename"], e.source["lineno"]) for e in errors] == [
        (str(journal), first)
    ]
    assert "Expenses:9999-不明" in errors[0].message


PADDED = """
2025-06-28 pad Assets:1240-立替金 Equity:3010-引継正味財産
2025-06-29 balance Assets:1240-立替金  5000 JPY

2025-06-30 P "(Padding inserted by hand, not by Beancount)"
  Assets:1240-立替金   100 JPY
  Assets:1220-未収金  -100 JPY
"""


def parsed_transactions(options: dict[str, Any]) -> set[tuple[str, int]]:
    """Where the transactions the user wrote are, from the parser alone."""
    found = set()
    for name in options["include"]:
        entries, _, _ = parser.parse_file(name)
        found.update(
            (e.meta["filename"], e.meta["lineno"])
            for e in entries
            if isinstance(e, data.Transaction)
        )
    return found


def test_padding_is_exactly_what_pad_inserted(
    sample_path: Path, sample_copy: Path
) -> None:
    entries, _, _ = loader.load_file(str(sample_path))
    assert not any(is_padding(e, pad_locations(entries)) for e in entries)

    opening = sample_copy.parent / "opening.beancount"
    opening.write_text(opening.read_text() + PADDED)
    entries, _, options = loader.load_file(str(sample_copy))
    pads = pad_locations(entries)
    assert pads == {(str(opening), line_of(opening.read_text(), " pad "))}
    found = [e for e in entries if is_padding(e, pads)]
    # the oracle: transactions with no line of their own in the text
    written = parsed_transactions(options)
    inserted = [
        e
        for e in entries
        if isinstance(e, data.Transaction) and location(e) not in written
    ]
    assert found == inserted and len(found) == 1
    assert found[0].flag == flags.FLAG_PADDING
    assert found[0].narration.startswith("(Padding inserted")
    assert found[0].postings[0].units.number == 5000
    # the hand-written P transaction is the user's, whatever its narration says
    by_hand = [e for e in entries if "by hand" in getattr(e, "narration", "")]
    assert len(by_hand) == 1 and by_hand[0].flag == flags.FLAG_PADDING
    assert not is_padding(by_hand[0], pads)

    # pad run on the entries without its padding inserts the same transaction again
    unpadded = [e for e in entries if not is_padding(e, pads)]
    assert padding_for(unpadded, options) == found
