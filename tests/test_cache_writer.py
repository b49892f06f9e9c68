"""One load for a write: appended directives are checked without loading the books again.

:mod:`connect_books.incremental` must give exactly the errors a whole load of the books
with the new text gives (as a multiset); every case here is compared with that load.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connect_books import trusted
from connect_books.books import load
from connect_books.cli import main
from connect_books.incremental import errors_after_append
from connect_books.writer import WriteRefused, append


def keys(errors: list[Any]) -> Counter[tuple[str, str, str]]:
    def key(error: Any) -> tuple[str, str, str]:
        source = error.source or {}
        where = f"{source.get('filename')}:{source.get('lineno')}"
        return (type(error).__name__, where, " ".join(str(error.message).split()))

    return Counter(key(error) for error in errors)


@pytest.fixture
def sample(sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONNECT_BOOKS_CACHE", "off")
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


def separator(old: str) -> str:
    if not old or old.endswith("\n\n"):
        return ""
    return "\n" if old.endswith("\n") else "\n\n"


def both(main: Path, name: str, text: str) -> tuple[Counter[Any], Counter[Any]]:
    """The errors the shortcut gives, and those of a whole load with the text."""
    books = load(main)
    target = (main.parent / name).resolve()
    old = target.read_text(encoding="utf-8")
    joined = old + separator(old)
    first_line = joined.count("\n") + 1
    quick = errors_after_append(
        books, target, old, text, first_line, whole=joined + text
    )
    assert quick is not None, "the shortcut applies to these directives"
    _, full, _ = trusted.load(main, overrides={target: joined + text})
    return keys(quick), keys(full)


CASES = {
    "a decision": '2026-11-20 custom "decision" "UI-2026-09" "運営委員会" "備品の購入"\n',
    "a grant decision beyond the rules": (
        '2026-11-20 custom "grant-decision" "IF-2026-09" "inclufund" "団体" 100.5 JPY\n'
    ),
    "a grant decision by the wrong body": (
        '2026-11-20 custom "grant-decision" "IF-2026-08" "inclufund" "団体" 1000 JPY\n'
        '  body: "運営委員会"\n'
    ),
    "a note on an unknown account": '2026-11-20 note Assets:9999-どこか "メモ"\n',
    "an event and a query": (
        '2026-11-20 event "location" "東京"\n'
        '2026-11-20 query "cash" "SELECT account, sum(position) GROUP BY account"\n'
    ),
    "a second original budget": (
        '2026-11-20 custom "budget-decision" 2026 "総会" "当初予算"\n'
        '2026-11-20 custom "budget-line" 2026 Expenses:5900-予備費  1000 JPY\n'
    ),
    "a broken directive": '2026-11-20 custom "decision" "UI-2026-10\n',
    "a settlement that does not hold": (
        '2027-06-20 custom "settlement" 2026 "総会" 1 JPY\n'
        "  audited: 2027-05-23\n"
        '  fingerprint: "0"\n'
    ),
    "a date far ahead": '2031-01-01 custom "decision" "UI-2031-01" "運営委員会" "先"\n',
    "a dues rate for an unknown member": (
        '2026-11-20 custom "dues-rate" "NOBODY" 10000 JPY\n'
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", ["2026.beancount", "settlements.beancount"])
def test_the_shortcut_gives_the_errors_of_a_whole_load(
    sample: Path, name: str, case: str
) -> None:
    quick, full = both(sample, name, CASES[case])
    assert quick == full
    valid = case in ("a decision", "an event and a query")
    assert (sum(full.values()) > 0) != valid  # (the other cases add errors)


def test_a_new_file_is_placed_after_the_main_files_includes(sample: Path) -> None:
    books = load(sample)
    target = sample.parent / "decisions.beancount"
    text = CASES["a grant decision beyond the rules"]
    main_text = sample.read_text(encoding="utf-8")
    quick = errors_after_append(
        books, target, "", text, 1, whole=text, main_text=main_text
    )
    assert quick is not None
    include = f'{main_text}include "decisions.beancount"\n'
    _, full, _ = trusted.load(sample, overrides={target: text, sample: include})
    assert keys(quick) == keys(full) and len(full) > 0


TRANSACTIONS = {
    "a payment": (
        '2026-12-05 * "郵便局" "切手"\n'
        "  Expenses:5110-まちづくり支援:5112-旅費交通費  500 JPY\n  Assets:1110-現金\n"
    ),
    "an unbalanced payment": (
        '2026-12-05 * "郵便局" "切手"\n'
        "  Expenses:5110-まちづくり支援:5112-旅費交通費  500 JPY\n  Assets:1110-現金  -400 JPY\n"
    ),
    "a payment that breaks a later balance": (
        '2026-11-20 * "郵便局" "切手"\n'
        "  Expenses:5110-まちづくり支援:5112-旅費交通費  5000 JPY\n  Assets:1110-現金  -5000 JPY\n"
    ),
    "a balance that fails": "2026-11-20 balance Assets:1110-現金  1 JPY\n",
    "a payment into a settled year": (
        '2026-03-20 * "郵便局" "切手"\n'
        "  Expenses:5110-まちづくり支援:5112-旅費交通費  500 JPY\n  Assets:1110-現金  -500 JPY\n"
    ),
    "an account opened twice": "2026-11-20 open Assets:1110-現金 JPY\n",
    "a document outside the folder": (
        '2026-11-20 document Assets:1110-現金 "/etc/hostname"\n'
    ),
    "a dues payment from an unknown member": (
        '2026-11-20 * "だれか" "会費"\n  member: "NOBODY"\n'
        "  Assets:1120-普通預金-ろうきん  10000 JPY\n  Income:4110-受取会費  -10000 JPY\n"
    ),
}


@pytest.mark.parametrize("case", sorted(TRANSACTIONS))
def test_transactions_and_balances_give_the_errors_of_a_whole_load(
    sample: Path, case: str
) -> None:
    quick, full = both(sample, "2026.beancount", TRANSACTIONS[case])
    assert quick == full
    assert (sum(full.values()) > 0) == (case != "a payment")


@pytest.mark.parametrize(
    "text",
    [
        '2026-11-20 * "郵便局" "切手"\n  Expenses:5213-通信運搬費  500\n  Assets:1110-現金\n',
        '  memo: "前の記録の続き"\n',
    ],
)
def test_other_directives_are_checked_by_a_whole_load(sample: Path, text: str) -> None:
    books = load(sample)
    target = (sample.parent / "2026.beancount").resolve()
    old = target.read_text(encoding="utf-8")
    first = (old + separator(old)).count("\n") + 1
    whole = old + separator(old) + text
    assert errors_after_append(books, target, old, text, first, whole=whole) is None


def test_a_file_with_pushtag_is_checked_by_a_whole_load(sample: Path) -> None:
    target = sample.parent / "2026.beancount"
    target.write_text(target.read_text() + "\npushtag #予備\n")
    books = load(sample)
    text = CASES["a decision"]
    old = target.read_text(encoding="utf-8")
    whole = old + text
    assert (
        errors_after_append(books, target.resolve(), old, text, 999, whole=whole)
        is None
    )


def test_close_year_loads_the_books_once(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settlement is written after one load (the check of it reuses that load)."""
    generated = sample.parent.parent / "generated"
    from bench.generate import generate

    books = generate(1000, generated, settle=False)
    settlements = books.with_name("settlements.beancount")
    settlements.write_text("; 決算\n")
    books.write_text(books.read_text() + 'include "settlements.beancount"\n')
    loads: list[Path] = []
    real = trusted.load_books

    def counted(path: Path, **kwargs: Any) -> trusted.Loading:
        loads.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(trusted, "load_books", counted)
    result = CliRunner().invoke(
        main,
        [
            *("close-year", "2025", str(books)),
            "--date",
            "2026-06-20",
            "--audited",
            "2026-05-23",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(loads) == 1
    monkeypatch.undo()
    loaded = load(books)
    assert loaded.errors == []
    assert settlements.read_text().count('custom "settlement" 2025') == 1


def test_a_refused_append_changes_nothing(sample: Path) -> None:
    target = sample.parent / "settlements.beancount"
    before = target.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        append(sample, target, CASES["a settlement that does not hold"], message="x")
    assert "settlements.beancount:" in str(refused.value)
    assert target.read_bytes() == before
