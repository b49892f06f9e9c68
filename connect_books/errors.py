"""The one error type of connect-books, shaped like Beancount's own errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, NamedTuple


class Refused(Exception):
    """A command cannot do what was asked; ``str()`` says why and what to do, in Japanese.

    The command group prints it as ``エラー: …`` and exits 1. Every refusal of the
    library (a report, a closing, a write, a server) is one of these.
    """


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


def options_source(options_map: dict[str, Any]) -> dict[str, Any]:
    """The source for an error about a ``plugin`` or ``option`` line: the main file, line 0.

    Such lines are no entries, so Beancount keeps no line number for them.
    """
    return {"filename": str(options_map.get("filename") or "<options>"), "lineno": 0}


def reject_config(
    plugin: str,
    config: str | None,
    options_map: dict[str, Any],
    error_type: type[BooksError] = BooksError,
) -> list[BooksError]:
    """An error if a plugin that takes no settings was given some on its ``plugin`` line."""
    if not config or not config.strip():
        return []
    message = (
        f"{plugin} プラグインに設定はありません。"
        f'plugin "connect_books.plugins.{plugin}" とだけ書いてください。'
    )
    return [error_type(options_source(options_map), message, None)]


def suggest(unknown: str, known: Iterable[str]) -> list[str]:
    """The (at most three) known IDs closest to ``unknown``, ignoring case."""
    upper = {candidate.upper(): candidate for candidate in known}
    close = difflib.get_close_matches(unknown.upper(), list(upper), n=3, cutoff=0.4)
    return [upper[c] for c in close]


def closest_ids(candidates: list[str]) -> str:
    """``近いID: A、B。`` to follow a message about an unknown ID (empty without candidates)."""
    return f"近いID: {'、'.join(candidates)}。" if candidates else ""


def did_you_mean(unknown: str, known: Iterable[str]) -> str:
    """``近いID: A、B。`` for ``unknown`` among ``known`` (empty when nothing is close)."""
    return closest_ids(suggest(unknown, known))


def reminder(error: object) -> bool:
    """Whether ``error`` is a reminder that does not stop the work: a 年度 past its
    settlement deadline without a settlement (a 総会 postponed must not stop the
    bookkeeping, nor the 監査資料 the late audit needs). ``check`` still reports it."""
    from connect_books.plugins.settlement import SettlementOverdue

    return isinstance(error, SettlementOverdue)
