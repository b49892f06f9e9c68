"""The one error type of connect-books, shaped like Beancount's own errors."""

from __future__ import annotations

from typing import Any, NamedTuple


class BooksError(NamedTuple):
    """An error found in the books.

    ``source`` is the metadata of the user's own directive (``filename``/``lineno``),
    so ``bean-check`` and ``connect-books check`` point at the line to fix.
    """

    source: dict[str, Any] | None
    message: str
    entry: Any


def where(meta: dict[str, Any] | None) -> str:
    """``file:line`` of a directive's metadata (or ``?`` when unknown)."""
    if not meta:
        return "?"
    return f"{meta.get('filename', '?')}:{meta.get('lineno', '?')}"
