"""The trusted load's steps (``connect_books.loadsteps``) give what Beancount's loader gives.

Each step is held to Beancount's own: booking (with its fast path for plain
transactions), the rules as one transformation step with one sort, ``pad`` given only
the entries of padded accounts, the validation that skips plainly balanced
transactions. On the sample books, generated books and ledgers that exercise what the
fast paths leave to Beancount.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking

from connect_books import loadsteps, policy, trusted

HEAD = "\n".join(
    [
        'option "operating_currency" "JPY"',
        *(f'plugin "{name}"' for name in policy.RULES),
        "",
    ]
)
LEDGERS = {
    "plain": """
        2025-06-28 open Assets:1110-現金 JPY
        2025-06-28 open Expenses:5213-通信運搬費 JPY
        2025-06-28 open Equity:3010-引継正味財産 JPY
        2025-07-01 * "郵便局" "切手"
          Expenses:5213-通信運搬費  500 JPY
          Assets:1110-現金         -500 JPY
        2025-07-02 * "郵便局" "合わない"
          Expenses:5213-通信運搬費  500 JPY
          Assets:1110-現金         -400 JPY
        2025-07-03 balance Assets:1110-現金  -899 JPY
        """,
    "auto postings and pads": """
        2025-06-28 open Assets:1110-現金 JPY
        2025-06-28 open Assets:1120-普通預金 JPY
        2025-06-28 open Expenses:5213-通信運搬費 JPY
        2025-06-28 open Equity:3010-引継正味財産 JPY
        2025-06-28 pad Assets:1120-普通預金 Equity:3010-引継正味財産
        2025-07-01 * "郵便局" "切手"
          Expenses:5213-通信運搬費  500 JPY
          Assets:1110-現金
        2025-07-01 * "二つ足りない"
          Expenses:5213-通信運搬費
          Assets:1110-現金
        2025-07-02 balance Assets:1120-普通預金  10000 JPY
        2025-07-03 pad Assets:1110-現金 Equity:3010-引継正味財産
        2025-07-04 note Assets:1110-現金 "メモ"
        """,
    "other currencies, costs and prices": """
        2025-06-28 open Assets:1110-現金
        2025-06-28 open Assets:1300-株式
        2025-06-28 open Expenses:5213-通信運搬費
        2025-07-01 * "外貨"
          Expenses:5213-通信運搬費  5 USD @ 150 JPY
          Assets:1110-現金  -750 JPY
        2025-07-02 * "買い"
          Assets:1300-株式  10 ABC {100 JPY}
          Assets:1110-現金  -1000 JPY
        2025-07-03 * "売り"
          Assets:1300-株式  -4 ABC {}
          Assets:1110-現金  400 JPY
        2025-07-04 * "二つの通貨"
          Expenses:5213-通信運搬費  5 USD
          Expenses:5213-通信運搬費  100 JPY
          Assets:1110-現金  -5 USD
          Assets:1110-現金  -100 JPY
        """,
    "tolerances of fractions": """
        2025-06-28 open Assets:1110-現金
        2025-06-28 open Expenses:5213-通信運搬費
        2025-07-01 * "小数"
          Expenses:5213-通信運搬費  5.25 USD
          Assets:1110-現金  -5.25 USD
        2025-07-02 * "同じ形、別の数"
          Expenses:5213-通信運搬費  7.50 USD
          Assets:1110-現金  -7.50 USD
        2025-07-03 * "桁の違う小数"
          Expenses:5213-通信運搬費  7.5 USD
          Assets:1110-現金  -7.500 USD
        2025-07-04 * "整数"
          Expenses:5213-通信運搬費  7 USD
          Assets:1110-現金  -7 USD
        2025-07-05 * "小数点つきの整数"
          Expenses:5213-通信運搬費  100.0 JPY
          Assets:1110-現金  -100 JPY
        2025-07-06 * "補われる行"
          Expenses:5213-通信運搬費  3.125 USD
          Assets:1110-現金
        """,
    "an amount without currency": """
        2025-06-28 open Assets:1110-現金 JPY
        2025-06-28 open Expenses:5213-通信運搬費 JPY
        2025-07-01 * "切手"
          Expenses:5213-通信運搬費  500 JPY
          Assets:1110-現金  -500 JPY
        2025-07-02 * "切手"
          Expenses:5213-通信運搬費  500
          Assets:1110-現金  -500 JPY
        """,
}


def keys(errors: list[Any]) -> list[tuple[str, Any, str]]:
    return [
        (type(e).__name__, e.source, " ".join(str(e.message).split())) for e in errors
    ]


def parsed_books(name: str, tmp_path: Path) -> Path:
    main = tmp_path / "main.beancount"
    main.write_text(HEAD + textwrap.dedent(LEDGERS[name]))
    return main


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    return generate(1000, tmp_path_factory.mktemp("steps") / "books")


def books_of(case: str, tmp_path: Path, sample_path: Path, generated: Path) -> Path:
    if case == "sample":
        return sample_path
    if case == "generated":
        return generated
    return parsed_books(case, tmp_path)


CASES = ["sample", "generated", *LEDGERS]


@pytest.mark.parametrize("case", CASES)
def test_booking_is_beancounts(
    case: str, tmp_path: Path, sample_path: Path, generated: Path
) -> None:
    main = books_of(case, tmp_path, sample_path, generated)
    entries, _, options = _parsed(main)
    ours, our_errors = loadsteps.book(list(entries), options)
    theirs, their_errors = booking.book(list(entries), options)
    assert ours == theirs
    assert keys(our_errors) == keys(their_errors)


@pytest.mark.parametrize("case", CASES)
def test_the_steps_are_the_loaders(
    case: str, tmp_path: Path, sample_path: Path, generated: Path
) -> None:
    """Rules in one step, ``pad``, balances, validation: as ``loader.load_file``."""
    main = books_of(case, tmp_path, sample_path, generated)
    entries, parse_errors, options = _parsed(main)
    booked, errors = loadsteps.book(entries, options)
    ours, more = loadsteps.run_plugins(booked, options, trusted.rule_functions())
    ours, late = loadsteps.pad_and_balance(ours, options)
    checked = loadsteps.validate(ours, options)
    theirs, their_errors, _ = loader.load_file(str(main))
    assert ours == theirs
    ours_all = [*parse_errors, *errors, *more, *late, *checked]
    assert keys(ours_all) == keys(their_errors)
    assert keys(checked) == keys(validation.validate(ours, options, None, None))


def _parsed(main: Path) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    """Parsed and sorted (every file), with the options the trusted load forces."""
    from connect_books.beancompat import parse_books

    entries, errors, options = parse_books(main)
    return entries, errors, policy.enforce(options, main)
