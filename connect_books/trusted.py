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

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from beancount.parser import options as beancount_options

from connect_books import beancompat, gate, policy
from connect_books.messages import translated

Loaded = beancompat.Loaded


def load(main: Path, *, overrides: Mapping[Path, str] | None = None) -> Loaded:
    """Entries, errors and options of the books at ``main`` (see the module docstring).

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
    entries, screened = policy.screen_entries(entries)
    errors.extend(screened)
    entries, loaded_errors = beancompat.book_and_validate(
        entries, parse_errors, options
    )
    errors.extend(translated(error) for error in loaded_errors)
    return entries, errors, options
