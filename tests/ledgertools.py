"""Helpers shared by the tests: docstring ledgers, line numbers and bean-query figures."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import beanquery
from beancount import loader


def plugin_errors(text: str, types: tuple[type, ...]) -> list[Any]:
    """Load ``text``; return the errors of ``types``, asserting there are no others."""
    _, errors, _ = loader.load_string(text)
    ours = [e for e in errors if isinstance(e, types)]
    others = [e for e in errors if not isinstance(e, types)]
    assert not others, others
    return ours


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """The 1-based number of the ``nth`` line of ``text`` containing ``needle`` (-1: the last)."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert found, needle
    return found[nth]


def only(errors: list[Any]) -> Any:
    """The one error in ``errors``."""
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]


# --- bean-query: the independent figures every report is compared with ---------------------


class Loaded(Protocol):
    """Anything holding loaded books (``connect_books.books.Books``)."""

    entries: list[Any]
    errors: list[Any]
    options: dict[str, Any]


def query(books: Loaded, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Run ``sql`` (with ``%s`` parameters) through beanquery's DB-API on loaded books."""
    cursor = beanquery.connect(
        "beancount:", entries=books.entries, errors=books.errors, options=books.options
    ).cursor()
    cursor.execute(sql, params)
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def query_total(books: Loaded, sql: str, *params: object) -> int:
    """The single number ``sql`` returns, as integer yen (0 when it returns nothing)."""
    rows = query(books, sql, *params)
    value = rows[0][0] if rows and rows[0][0] is not None else Decimal(0)
    return int(value)


def query_by(books: Loaded, sql: str, *params: object) -> dict[Any, int]:
    """``key → integer yen`` for a two-column ``sql``."""
    return {key: int(value) for key, value in query(books, sql, *params)}


def assert_both_checks_report(ledger: Path, line: int, fragment: str) -> None:
    """``bean-check`` and ``connect-books check`` both refuse ``ledger`` at ``line``."""
    from click.testing import CliRunner

    from connect_books.cli import main

    result = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"{ledger}:{line}:" in result.stdout + result.stderr
    assert fragment in result.stdout + result.stderr
    cli = CliRunner().invoke(main, ["check", str(ledger)])
    assert cli.exit_code == 1
    assert f"{ledger.name}:{line}:" in cli.output
    assert fragment in cli.output
