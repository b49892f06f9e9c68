"""The errors of the books plus appended text, without parsing or booking the rest again.

The safe writer must know every error the books would have once ``text`` is appended to
one of their files. Loading them again (:func:`connect_books.trusted.load` with the new
text) parses and books everything. When the books were just loaded,
:func:`errors_after_append` gets the same errors from the loaded books instead:

* the new text is parsed alone, under the file name and line numbers it will have, and
  booked alone: booking looks at nothing but each transaction itself when no transaction
  needs the running balances (no cost, no currency left out:
  :func:`connect_books.loadsteps.needs_balances`), and passes over other directives;
* its entries go into the booked entries of the books (:class:`connect_books.books.Basis`)
  where a whole load would place them: by date, type and line, and among equal ones after
  the files included before the target and before those included after it;
* the rules run again on all of it, as one step (:func:`connect_books.loadsteps.run_plugins`);
* then Beancount's ``pad``, balance checks and validation run again, except when the new
  entries are only ``custom``, ``event``, ``query`` or ``note`` directives (a settlement,
  a decision, a roster change), which those pass over: of Beancount's validation only the
  check of the accounts in use looks at them, each alone
  (:func:`connect_books.loadsteps.validate_new`), and every other error stays as it was.

The errors of the files, the parser and the booking of the rest of the books stay as they
were. It answers None when it cannot vouch for all this (transactions that need the
running balances, text that would continue the file's last directive or a ``pushtag``,
a file with errors, books that are not whole); the writer then loads the books with the
new text in full.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Any

from beancount.core import data

from connect_books import loadsteps, policy, trusted
from connect_books.books import Books
from connect_books.messages import translated
from connect_books.settledmemo import OPTION

#: Lines that carry parser state from one directive to the next.
_STATEFUL = re.compile(r"^\s*(?:push|pop)(?:tag|meta)\b", re.MULTILINE)
#: An ``include`` line (the gate allows them only at the start of a line).
_INCLUDE = re.compile(r"^include\b", re.MULTILINE)


def errors_after_append(
    books: Books,
    target: Path,
    old_text: str,
    text: str,
    first_line: int,
    *,
    whole: str,
    main_text: str | None = None,
) -> list[Any] | None:
    """Every error of ``books`` with ``text`` appended to ``target`` (at ``first_line``).

    ``old_text`` is the target's text as loaded (already in the books), ``whole`` its text
    with ``text`` appended. The errors are the ones a whole load would give, as a multiset
    (their order may differ); None when this shortcut does not apply (see the module
    docstring).

    With ``main_text`` (the main file's text as loaded), ``target`` is a new file that an
    ``include`` line appended to the main file brings in: it comes right after the main
    file's other includes in the order the files are read.
    """
    basis = books.basis
    include = [str(name) for name in books.options.get("include", ())]
    if basis is None or not include or not _clean_start(text):
        return None
    if main_text is not None:
        if str(target) in include or old_text:
            return None
        direct = len(_INCLUDE.findall(main_text))
        include.insert(1 + direct, str(target))
    elif str(target) not in include:
        return None
    if _STATEFUL.search(old_text) or _STATEFUL.search(text):
        return None
    if any(_source_file(error) == str(target) for error in books.errors):
        return None  # (a file with an error may leave the parser in the middle of one)
    options = books.options
    parsed, parse_errors = loadsteps.parse_appended(
        text, filename=target, first_line=first_line
    )
    inert = all(type(entry) in loadsteps.INERT for entry in parsed)
    if not inert and not (basis.local and not loadsteps.needs_balances(parsed)):
        return (
            None  # (booking the new entries alone would not be booking them in place)
        )
    screened, screen_errors = policy.screen_entries(parsed)
    booked, booking_errors = loadsteps.book(screened, options, local=True)
    merged = _merged(basis.booked, booked, include.index(str(target)), include)
    memo = books.memo.changing(str(target), whole)
    transformed, rule_errors = loadsteps.run_plugins(
        merged, {**options, OPTION: memo}, trusted.rule_functions()
    )
    start, end = basis.rules
    after = [*books.errors[:start], *screen_errors]
    after.extend(translated(e) for e in [*parse_errors, *booking_errors])
    after.extend(translated(e) for e in rule_errors)
    if (
        inert
    ):  # Beancount's own checks find what they found, and these entries' accounts
        after.extend(books.errors[end:])
        late = loadsteps.validate_new(basis.booked, booked, options)
    else:
        transformed, late = loadsteps.pad_and_balance(transformed, options)
        late.extend(loadsteps.validate(transformed, options))
    after.extend(translated(e) for e in late)
    return after


def _clean_start(text: str) -> bool:
    """Whether ``text`` starts a directive of its own (its first real line is not indented)."""
    for line in text.split("\n"):
        if line.strip() and not line.lstrip().startswith(";"):
            return not line[0].isspace()
    return True


def _source_file(error: Any) -> str | None:
    source = getattr(error, "source", None)
    if not isinstance(source, dict):
        return None
    name = source.get("filename")
    return str(name) if name is not None else None


def _merged(
    booked: list[data.Directive],
    new: list[data.Directive],
    rank: int,
    include: list[str],
) -> list[data.Directive]:
    """``booked`` with ``new`` (from the file ``include[rank]``) where a load puts them.

    A load parses the files in include order and sorts by date, type and line, stably:
    among entries with equal keys, those of earlier files come first, and the new text,
    at the end of its file, comes after that file's own.
    """
    ranks = {name: number for number, name in enumerate(include)}
    merged = list(booked)
    for entry in new:
        key = data.entry_sortkey(entry)
        low = bisect.bisect_left(merged, key, key=data.entry_sortkey)
        high = bisect.bisect_right(merged, key, lo=low, key=data.entry_sortkey)
        at = low
        while at < high and _rank(merged[at], ranks) <= rank:
            at += 1
        merged.insert(at, entry)
    return merged


def _rank(entry: data.Directive, ranks: dict[str, int]) -> int:
    filename = entry.meta.get("filename") if entry.meta else None
    return ranks.get(str(filename), -1)
