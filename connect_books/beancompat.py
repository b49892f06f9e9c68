"""Every use of Beancount's private or untyped API, typed, in one place.

Beancount's public loader (``loader.load_file``) caches and reads whole files. Some jobs
need more, and reach into the loader's internals to do it:

* the safe writer validates the books *with text not yet written*, parsed under the file
  name and line numbers it will have (:func:`load_text_as_file`);
* the benchmark times an uncached load, as Fava does (:func:`load_uncached`);
* a load that runs only the plugins the code chooses parses first (:func:`parse_books`),
  then books, runs the plugins and validates (:func:`book_and_validate`);
* the trusted load runs the same steps one by one (:mod:`connect_books.loadsteps`, the
  other module that touches the loader's internals), so that the rules run as one
  transformation step with a single sort after them, and the safe writer can run the
  rules again on the books plus a few new entries without parsing or booking the rest.

And the settlement needs to know which transactions Beancount's ``pad`` inserted
(:func:`is_padding`, :func:`padding_for`). Nothing else in connect-books touches these
details. ``tests/test_beancompat.py`` holds them to ``loader.load_file`` on the sample
books, so a Beancount upgrade that changes them fails that one test, not the product.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Container, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from beancount import loader
from beancount.core import data, flags
from beancount.ops import pad, validation
from beancount.parser import booking, parser

#: What a load returns: the entries (sorted), the errors and the options.
Loaded: TypeAlias = tuple[list[data.Directive], list[Any], dict[str, Any]]
#: Where a directive is written: ``(filename, lineno)``.
Location: TypeAlias = tuple[str, int]


def load_uncached(
    path: str | os.PathLike[str], log_timings: Callable[[str], None] | None = None
) -> Loaded:
    """Load the books at ``path`` as ``loader.load_file`` does, never using its cache.

    Args:
      path: the main file (made absolute here, as the loader requires).
      log_timings: receives the loader's timing lines (one per step and plugin).
    """
    main = os.path.abspath(path)
    entries, errors, options_map = loader._load([(main, True)], log_timings, None, None)
    return list(entries), list(errors), options_map


def parse_books(main: str | os.PathLike[str]) -> Loaded:
    """Parse the books at ``main`` and every file they include, sorted by date.

    Nothing is booked and no plugin runs (nothing is imported): what the loader does
    first, before :func:`book_and_validate`.
    """
    entries, errors, options_map = loader._parse_recursive(
        [(os.path.abspath(main), True)], None
    )
    entries.sort(key=data.entry_sortkey)
    return list(entries), list(errors), options_map


def parse_texts(
    files: Sequence[tuple[str, str]],
    look: Callable[[str, list[data.Directive]], None] | None = None,
) -> tuple[Loaded, dict[str, list[str]]]:
    """Parse the books from their texts: ``(filename, text)``, the main file first.

    What ``loader._parse_recursive`` does, but from texts already read (and checked) by
    the caller, so no file is read here and no ``include`` is followed. Returns the
    entries (sorted), the errors and the options (the main file's, with the others'
    currencies and display contexts merged, ``include`` set to ``files``), and each
    file's own ``include`` lines, for the caller to check against what it followed.
    ``look`` is shown each file's parsed entries (before booking).
    """
    entries: list[data.Directive] = []
    errors: list[Any] = []
    includes: dict[str, list[str]] = {}
    top: dict[str, Any] | None = None
    others: list[dict[str, Any]] = []
    for filename, text in files:
        parsed, parse_errors, options_map = parser.parse_string(
            text, report_filename=filename
        )
        if look is not None:
            look(filename, parsed)
        entries.extend(parsed)
        errors.extend(parse_errors)
        includes[filename] = list(options_map["include"])
        if top is None:
            top = options_map
        else:
            others.append(options_map)
    assert top is not None, "the main file comes first"
    top["include"] = [filename for filename, _ in files]
    options_map = loader.aggregate_options_map(top, others)
    entries.sort(key=data.entry_sortkey)
    return (entries, errors, options_map), includes


def book_and_validate(
    entries: list[data.Directive], errors: list[Any], options_map: dict[str, Any]
) -> tuple[list[data.Directive], list[Any]]:
    """What the loader does after parsing: book, run the plugins of ``options_map``, validate.

    Args:
      entries: parsed entries, sorted (:func:`parse_books`).
      errors: the errors so far (kept, in front of the new ones).
      options_map: the options; its ``plugin`` list is what runs.
    """
    booked, booking_errors = booking.book(entries, options_map)  # type: ignore[no-untyped-call]
    transformed, all_errors = loader.run_transformations(
        list(booked), [*errors, *booking_errors], options_map, None
    )
    validated = validation.validate(transformed, options_map, None, None)  # type: ignore[no-untyped-call]
    return list(transformed), [*all_errors, *validated]


def load_text_as_file(
    main: str | os.PathLike[str], text: str, *, filename: Path, first_line: int
) -> Loaded:
    """Load the books of ``main`` with ``text`` as if written at ``filename:first_line``.

    The books are parsed from disk; ``text`` is parsed under the file name and line numbers
    it will have, so errors point where the user will look, relative ``document`` paths
    resolve as they will, and plugins see it as the user's text. Then the loader's own
    steps follow: sort, book, plugins (with the books' ``pythonpath``), validation.
    The ``input_hash`` option is not computed: the files on disk are not what was loaded.
    """
    entries, errors, options_map = parse_books(main)
    extra, extra_errors, _ = parser.parse_file(
        io.BytesIO(text.encode("utf-8")),
        report_filename=str(filename),
        report_firstline=first_line,
    )
    entries.extend(extra)
    errors.extend(extra_errors)
    entries.sort(key=data.entry_sortkey)
    saved_path = list(sys.path)
    try:
        sys.path[0:0] = options_map.get("pythonpath", [])
        loaded, all_errors = book_and_validate(entries, errors, options_map)
    finally:
        sys.path[:] = saved_path
    return loaded, all_errors, options_map


# --- Padding: the transactions Beancount's ``pad`` inserts ---------------------------------


def location(entry: data.Directive) -> Location | None:
    """``(filename, lineno)`` of ``entry`` (None when its metadata lacks them)."""
    meta = entry.meta
    if not meta:
        return None
    filename, lineno = meta.get("filename"), meta.get("lineno")
    if not isinstance(filename, str) or not isinstance(lineno, int):
        return None
    return filename, lineno


def pad_locations(entries: Iterable[data.Directive]) -> frozenset[Location]:
    """Where the ``pad`` directives among ``entries`` are written."""
    found = set()
    for entry in entries:
        if type(entry) is data.Pad:
            where = location(entry)
            if where is not None:
                found.add(where)
    return frozenset(found)


def is_padding(entry: data.Directive, pads: Container[Location]) -> bool:
    """Whether ``entry`` is a transaction Beancount's ``pad`` inserted for one of ``pads``.

    Beancount marks it with the flag ``P`` and gives it a copy of the ``pad`` directive's
    metadata, so it stands at the pad's own line; a transaction the user wrote (even with
    the flag ``P``) has a line of its own. ``pads``: :func:`pad_locations` of the books.
    """
    return (
        type(entry) is data.Transaction
        and entry.flag == flags.FLAG_PADDING
        and location(entry) in pads
    )


def padding_for(
    entries: Sequence[data.Directive], options_map: dict[str, Any]
) -> list[data.Transaction]:
    """The transactions Beancount's ``pad`` inserts into ``entries`` (its errors dropped)."""
    padded, _ = pad.pad(list(entries), options_map)  # type: ignore[no-untyped-call]
    pads = pad_locations(entries)
    return [e for e in padded if type(e) is data.Transaction and is_padding(e, pads)]
