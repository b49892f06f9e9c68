"""Loading the books: where every command gets them (:func:`load`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_books.errors import Refused, where

if TYPE_CHECKING:  # (not imported at run time: a cached check needs no Beancount)
    from beancount.core import data

    from connect_books.cache import Rest
    from connect_books.roster import Roster
    from connect_books.settledmemo import Memo

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


class Books:
    """Loaded books: Beancount's entries, errors and options, plus our readers of them.

    Books from the cache (:mod:`connect_books.cache`) read their entries when first asked
    for them: ``connect-books check`` needs only the errors and :attr:`counts`.
    """

    def __init__(
        self,
        path: Path,
        entries: list[data.Directive] | None,
        errors: list[Any],
        options: dict[str, Any] | None,
        stamp: tuple[tuple[str, int, int], ...] = (),
        *,
        basis: Basis | None = None,
        counts: dict[str, int] | None = None,
        later: Callable[[], Rest] | None = None,
        memo: Memo | None = None,
    ) -> None:
        self.path = path
        self.errors = errors
        #: The files as they were when loaded (:func:`connect_books.trusted.stamp`).
        self.stamp = stamp
        self._entries = entries
        self._options = options
        self._basis = basis
        self._counts = counts
        self._later = later
        self._memo = memo
        #: Whether the books came from the cache.
        self.cached = later is not None

    def _read_later(self) -> None:
        if self._later is not None:
            rest = self._later()
            self._entries = rest.entries
            self._options = rest.options
            self._basis = Basis(rest.booked, rest.rules, rest.local)
            self._later = None

    @property
    def entries(self) -> list[data.Directive]:
        """The directives, sorted (read from the cache when first asked for)."""
        if self._entries is None:
            self._read_later()
        return self._entries if self._entries is not None else []

    @property
    def options(self) -> dict[str, Any]:
        """Beancount's options (read from the cache when first asked for)."""
        if self._options is None:
            self._read_later()
        return self._options if self._options is not None else {}

    @property
    def basis(self) -> Basis | None:
        """What the safe writer needs to check new text without loading again."""
        if self._basis is None:
            self._read_later()
        return self._basis

    @property
    def memo(self) -> Memo:
        """What the books' files give the settled years (:mod:`connect_books.settledmemo`).

        Books from the cache read it from there, keyed to their files as they are now.
        """
        if self._memo is None:
            from connect_books.trusted import memo_of

            texts = {}
            for name, _, _ in self.stamp:
                try:
                    texts[Path(name)] = Path(name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    texts[Path(name)] = ""
            self._memo = memo_of(self.path, texts)
        return self._memo

    @property
    def counts(self) -> dict[str, int]:
        """How many directives of each type (``Transaction`` …) the books hold."""
        if self._counts is None:
            counts: dict[str, int] = {}
            for entry in self.entries:
                name = type(entry).__name__
                counts[name] = counts.get(name, 0) + 1
            self._counts = counts
        return self._counts

    @cached_property
    def roster(self) -> Roster:
        """The member roster as recorded in the books."""
        from connect_books.roster import Roster

        return Roster.from_entries(self.entries)[0]

    @property
    def root(self) -> Path:
        """The folder holding the main file (``ledger/``)."""
        return self.path.parent


@dataclass(frozen=True)
class Basis:
    """The books before the rules ran: what a write re-checks new text against."""

    #: The entries as booked, before any plugin ran (sorted).
    booked: list[data.Directive]
    #: ``errors[rules[0]:rules[1]]`` of the books are the rules' (and documents') errors;
    #: the errors before are those of the files, the parser and the booking.
    rules: tuple[int, int]
    #: Whether each transaction was booked by itself (none needs the running balances).
    local: bool = False


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

    A write that a crash interrupted after it was decided is finished first. Books whose
    every input is as in the cache come from it (:mod:`connect_books.cache`), else they
    are loaded and left for :func:`connect_books.cache.flush` to cache.

    Raises:
      BooksNotFound: there is no such file.
    """
    from connect_books import atomic, cache, quickexit

    resolved = existing_ledger(path)
    if atomic.pending(resolved.parent):
        with atomic.locked(resolved.parent):
            atomic.recover(resolved.parent)
    hit = cache.lookup(resolved)
    if hit is not None:
        books = Books(
            resolved,
            None,
            hit.errors,
            None,
            hit.stamp,
            counts=hit.counts,
            later=hit.rest,
        )
        quickexit.hold(books)  # (freed with the process, not object by object)
        return books
    from connect_books import trusted

    loading = trusted.load_books(resolved)
    cache.keep(loading)  # written when the command is done (cache.flush)
    quickexit.hold(loading)
    books = Books(
        resolved,
        loading.entries,
        loading.errors,
        loading.options,
        loading.options.get(trusted.STAMP, ()),
        basis=(
            Basis(loading.booked, loading.rules, loading.local)
            if loading.whole
            else None
        ),
        memo=loading.memo,
    )
    quickexit.hold(books)
    return books


def unchanged(books: Books) -> bool:
    """Whether the files of ``books`` are still as they were when loaded."""
    files = [name for name, _, _ in books.stamp]
    return bool(files) and stamp(files) == books.stamp


def stamp(files: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    """What identifies the books' files on disk now: name, modification time, size."""
    found = []
    for name in files:
        try:
            info = os.stat(name)
        except OSError:
            found.append((name, -1, -1))
        else:
            found.append((name, info.st_mtime_ns, info.st_size))
    return tuple(found)


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
