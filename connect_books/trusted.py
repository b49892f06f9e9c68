"""The trusted load: the books read with the software's rules, never the books' own.

Every command and the Fava server load the books here:

1. :mod:`connect_books.gate` checks the files (one closed set inside the ledger folder,
   UTF-8, no control characters) before Beancount reads them; a file that cannot be read
   stops the load with that one error.
2. Beancount parses the files (nothing is imported: plugins run later, and only ours).
3. :mod:`connect_books.policy` judges the ``plugin`` and ``option`` lines, then replaces
   the plugin list and the validation options with the code's own; Fava extensions and
   importers the project does not ship are removed.
4. Beancount books, runs the rules and validates; no pickle cache is read or written.
5. Beancount's English messages become Japanese (:mod:`connect_books.messages`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from beancount.parser import options as beancount_options

from connect_books import beancompat, gate, policy
from connect_books.messages import translated

Loaded = beancompat.Loaded
#: The options key under which a load records its files as read (:func:`stamp`).
STAMP = "connect_books_stamp"


def load(main: Path, *, overrides: Mapping[Path, str] | None = None) -> Loaded:
    """Entries, errors and options of the books at ``main`` (see the module docstring).

    Python's cyclic garbage collector is paused for the load: Beancount's directives are
    long-lived tuples, and collecting while they are built frees nothing but costs about
    a sixth of the load.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(main, overrides)
    finally:
        if enabled:
            gc.enable()


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


def _load(main: Path, overrides: Mapping[Path, str] | None) -> Loaded:
    """The load itself (see :func:`load`).

    Args:
      main: the main file.
      overrides: file texts to use instead of the disk's (absolute resolved paths), to
        validate the books as a write would leave them before anything is written.
    """
    main = main.absolute()
    checked = gate.inspect(main, overrides)
    errors: list[Any] = list(checked.errors)
    if checked.fatal:
        options = dict(beancount_options.OPTIONS_DEFAULTS)
        options["filename"] = str(main)
        options["include"] = [str(p) for p in checked.files]
        return [], errors, options
    errors.extend(policy.check_main(main, checked.texts.get(main.resolve(), "")))
    (entries, parse_errors, options), includes = beancompat.parse_texts(
        [(str(path), text) for path, text in checked.texts.items()]
    )
    for path, followed in checked.children.items():
        folder = path.parent
        parsed = [(folder / name).resolve() for name in includes[str(path)]]
        if parsed != followed:  # the gate and Beancount must agree on the files
            errors.append(
                gate.GateError(
                    {"filename": str(path), "lineno": 0},
                    "include の書き方が読み取れません。include 行を一行に一つ、"
                    '行頭から include "ファイル名" の形で書いてください。',
                    None,
                )
            )
            return [], errors, options
    options = policy.enforce(options, main)
    options[STAMP] = tuple(
        (str(path), *checked.stamps[path])
        for path in checked.texts
        if path in checked.stamps
    )
    entries, screened = policy.screen_entries(entries)
    errors.extend(screened)
    entries, loaded_errors = beancompat.book_and_validate(
        entries, parse_errors, options
    )
    errors.extend(translated(error) for error in loaded_errors)
    return entries, errors, options
