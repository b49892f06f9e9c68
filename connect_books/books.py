"""Loading the books: where every command gets them (:func:`load`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from beancount.core import data

from connect_books.errors import Refused, where
from connect_books.roster import Roster

#: The books, relative to the current folder, when no path is given.
DEFAULT_LEDGER = Path("ledger") / "main.beancount"
#: Environment variable naming the books.
LEDGER_ENV = "CONNECT_BOOKS_LEDGER"


def ledger_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The books to use: ``path``, else ``$CONNECT_BOOKS_LEDGER``, else ``ledger/main.beancount``."""
    chosen = path or os.environ.get(LEDGER_ENV) or DEFAULT_LEDGER
    return Path(chosen).resolve()


class BooksNotFound(Refused, FileNotFoundError):
    """The main file of the books does not exist."""


@dataclass
class Books:
    """Loaded books: Beancount's entries, errors and options, plus our readers of them."""

    path: Path
    entries: list[data.Directive]
    errors: list[Any]
    options: dict[str, Any]
    #: The files as they were when loaded (:func:`connect_books.trusted.stamp`).
    stamp: tuple[tuple[str, int, int], ...] = ()

    @cached_property
    def roster(self) -> Roster:
        """The member roster as recorded in the books."""
        return Roster.from_entries(self.entries)[0]

    @property
    def root(self) -> Path:
        """The folder holding the main file (``ledger/``)."""
        return self.path.parent


def existing_ledger(path: str | os.PathLike[str] | None = None) -> Path:
    """The books to use (:func:`ledger_path`), which must exist.

    Raises:
      BooksNotFound: there is no such file.
    """
    resolved = ledger_path(path)
    if resolved.is_dir() and (resolved / DEFAULT_LEDGER.name).is_file():
        resolved = (
            resolved / DEFAULT_LEDGER.name
        )  # the ledger folder names its main file
    if not resolved.is_file():
        msg = f"帳簿ファイル {resolved} が見つかりません。パスを指定するか、{LEDGER_ENV} を設定してください。"
        raise BooksNotFound(msg)
    return resolved


def load(path: str | os.PathLike[str] | None = None) -> Books:
    """Load the books the trusted way (:mod:`connect_books.trusted`): the rules are the
    code's, nothing from the ledger folder is imported or unpickled.

    A write that a crash interrupted after it was decided is finished first.

    Raises:
      BooksNotFound: there is no such file.
    """
    from connect_books import atomic, trusted

    resolved = existing_ledger(path)
    if atomic.pending(resolved.parent):
        with atomic.locked(resolved.parent):
            atomic.recover(resolved.parent)
    entries, errors, options = trusted.load(resolved)
    return Books(resolved, entries, errors, options, options.get(trusted.STAMP, ()))


def unchanged(books: Books) -> bool:
    """Whether the files of ``books`` are still as they were when loaded."""
    from connect_books import trusted

    files = [name for name, _, _ in books.stamp]
    return bool(files) and trusted.stamp(files) == books.stamp


def format_error(error: Any, base: Path | None = None) -> str:
    """``file:line: message`` for a Beancount or connect-books error."""
    location = where(error.source)
    if base is not None and error.source and "filename" in error.source:
        try:
            rel = Path(error.source["filename"]).resolve().relative_to(base)
            location = f"{rel}:{error.source.get('lineno', '?')}"
        except ValueError:
            pass
    message = " ".join(str(error.message).split())
    return f"{location}: {message}"
