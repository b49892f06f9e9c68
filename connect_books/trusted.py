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

from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import options as beancount_options

from connect_books import gate, policy
from connect_books.messages import translated


def load(main: Path) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    """Entries, errors and options of the books at ``main`` (see the module docstring)."""
    main = main.absolute()
    checked = gate.inspect(main)
    errors: list[Any] = list(checked.errors)
    if checked.fatal:
        options = dict(beancount_options.OPTIONS_DEFAULTS)
        options["filename"] = str(main)
        options["include"] = [str(p) for p in checked.files]
        return [], errors, options
    main_text = checked.texts.get(main.resolve(), "")
    errors.extend(policy.check_main(main, main_text))
    entries, parse_errors, options = _parse(main)
    parsed = {str(Path(name).resolve()) for name in options["include"]}
    expected = {str(path) for path in checked.files}
    if parsed != expected:  # the gate and Beancount must agree on the set of files
        errors.append(
            gate.GateError(
                {"filename": str(main), "lineno": 0},
                "include の読み方が検証と一致しません。include 行を一行に一つ、"
                'include "ファイル名" の形で書いてください。',
                None,
            )
        )
        return [], errors, options
    options = policy.enforce(options, main)
    entries, screened = policy.screen_entries(entries)
    errors.extend(screened)
    entries, loaded_errors = _book_and_validate(entries, parse_errors, options)
    errors.extend(translated(error) for error in loaded_errors)
    return entries, errors, options


# Beancount's loader, without its cache and without the books' plugin list.
# (To move into connect_books.beancompat, with the other private calls.)


def _parse(main: Path) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    from beancount import loader

    entries, errors, options = loader._parse_recursive([(str(main), True)], None)
    entries.sort(key=data.entry_sortkey)
    return entries, errors, options


def _book_and_validate(
    entries: list[data.Directive], parse_errors: list[Any], options: dict[str, Any]
) -> tuple[list[data.Directive], list[Any]]:
    from beancount import loader
    from beancount.ops import validation
    from beancount.parser import booking

    entries, balance_errors = booking.book(entries, options)
    entries, errors = loader.run_transformations(
        entries, [*parse_errors, *balance_errors], options, None
    )
    errors.extend(validation.validate(entries, options, None, None))
    return entries, errors
