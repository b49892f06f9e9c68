"""What every command shares: the 年度 and date parameters, the books argument, one load.

Commands stay thin: they take these parameters, call one library function and print.
A library refusal (:class:`~connect_books.errors.Refused`) is printed by the command
group as ``エラー: …`` with exit status 1.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from connect_books.errors import Refused
from connect_books.fiscal import FiscalYear, YearOutOfRange

if TYPE_CHECKING:
    from connect_books.books import Books

F = TypeVar("F", bound=Callable[..., Any])
#: How many errors of one file are shown; the rest are counted.
SHOWN_ERRORS = 20


class FiscalYearParam(click.ParamType[FiscalYear, Any]):
    """``2026``, ``2026年度`` or ``FY2026``."""

    name = "年度"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> FiscalYear:
        """Parse a 年度, or fail with the Japanese reason."""
        if isinstance(value, FiscalYear):
            return value
        try:
            return FiscalYear.parse(str(value))
        except YearOutOfRange as exc:  # a 年度 these books cannot hold: refused, exit 1
            raise Refused(str(exc)) from None
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class DateParam(click.ParamType[datetime.date, Any]):
    """``YYYY-MM-DD``."""

    name = "日付"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime.date:
        """Parse a date, or fail with the Japanese reason."""
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.fail(
                f"日付 '{value}' が読めません。2026-11-30 のように、実在する日付を書いてください。",
                param,
                ctx,
            )


FISCAL_YEAR = FiscalYearParam()
DATE = DateParam()


def commit_option(function: F) -> F:
    """``--git`` (or ``--commit``, the same): git commit each write, saying what was
    written and by which command. Every command that writes takes both names."""
    return click.option(
        "--git",
        "--commit",
        "git_commit",
        is_flag=True,
        help="書いたファイルを git commit する (何を、どのコマンドで書いたかをメッセージに)",
    )(function)


def ledger_argument(function: F) -> F:
    """The optional ``LEDGER`` argument: the main file or its folder (else
    ``$CONNECT_BOOKS_LEDGER``, else ``ledger/main.beancount``)."""
    return click.argument("ledger", required=False, type=click.Path())(function)


def show_errors(errors: Sequence[Any], *, err: bool = False) -> None:
    """Print ``file:line: message`` for each error, at most :data:`SHOWN_ERRORS` a file."""
    from connect_books.books import format_error

    base = Path.cwd()
    shown: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    for error in errors:
        name = str((error.source or {}).get("filename", "?"))
        if shown[name] < SHOWN_ERRORS:
            shown[name] += 1
            click.echo(format_error(error, base), err=err)
        else:
            hidden[name] += 1
    for name, count in hidden.items():
        click.echo(
            f"{Path(name).name}: ほかに{count}件のエラーがあります (最初の{SHOWN_ERRORS}件を表示しました)。",
            err=err,
        )


def load_books(ledger: str | None, *, clean: bool = True, purpose: str = "") -> Books:
    """The books for a command; with ``clean``, refuse books that have errors.

    Args:
      ledger: the path given on the command line, if any.
      clean: refuse (after listing the first errors) when the books have errors.
      purpose: what the command would make, for the refusal (``資料を作りません``).

    Books that are not whole (a file outside the closed set, unreadable text, plugin or
    option lines the rules do not allow, or no records at all) are refused even without
    ``clean``: no figure is made from them.

    Raises:
      Refused: the books cannot be found or read, are not whole, or have errors while
        ``clean``.
    """
    from connect_books.books import format_error, load
    from connect_books.errors import reminder
    from connect_books.gate import GateError
    from connect_books.policy import PolicyError

    books = load(ledger)
    broken = [e for e in books.errors if isinstance(e, GateError | PolicyError)]
    if broken or not books.entries:
        clean = True  # books that are not whole are never used, whatever the command
    blocking = [e for e in books.errors if not reminder(e)]
    if clean and blocking:
        show_errors(books.errors, err=True)
        what = purpose or "処理を行いません"
        raise Refused(
            f"帳簿に{len(blocking)}件のエラーがあるため、{what}。"
            "connect-books check で確認して直してから、もう一度実行してください。"
        )
    if clean and books.errors:  # (only a settlement overdue: said, not refused)
        for error in books.errors:
            click.echo(f"注意: {format_error(error, Path.cwd())}", err=True)
    if not books.entries:
        raise Refused(
            f"帳簿 {books.path} に記録がありません。ファイルが空か、途中で切れていないか確かめてください。"
        )
    return books
