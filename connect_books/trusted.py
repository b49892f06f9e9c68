"""The trusted load: the books read with the software's rules, never the books' own.

Every command and the Fava server load the books here:

1. :mod:`connect_books.gate` checks the files (one closed set inside the ledger folder,
   UTF-8, no control characters) before Beancount reads them; a file that cannot be read
   stops the load with that one error.
2. Beancount parses the files (nothing is imported: plugins run later, and only ours).
3. :mod:`connect_books.policy` judges the ``plugin`` and ``option`` lines, then replaces
   the plugin list and the validation options with the code's own; Fava extensions and
   importers the project does not ship are removed.
4. Beancount books; the rules run as one transformation step (one sort after them all);
   then Beancount's ``pad``, balance checks and validation. No pickle cache of Beancount's
   is read or written (:mod:`connect_books.cache` keeps the project's own, outside the
   ledger folder, and only :mod:`connect_books.books` uses it).
5. Beancount's English messages become Japanese (:mod:`connect_books.messages`).

:func:`load` gives what Beancount's loader gives; :func:`load_books` also keeps what the
cache and the safe writer need (:class:`Loading`).
"""

from __future__ import annotations

import datetime
import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import options as beancount_options

from connect_books import beancompat, gate, loadsteps, policy, progress, settledmemo
from connect_books.messages import translated
from connect_books.settledmemo import Memo

Loaded = beancompat.Loaded
#: The options key under which a load records its files as read (:func:`stamp`).
STAMP = "connect_books_stamp"


@dataclass
class Loading:
    """A load, with what it read and its intermediate steps.

    ``booked`` (the entries as booked, before any plugin) and ``rules`` (where the rules'
    errors are among ``errors``) let the safe writer run the rules again on the books plus
    a few new entries (:mod:`connect_books.writer`); ``texts`` and ``includes`` are what
    the cache keys its entry to (:mod:`connect_books.cache`).
    """

    main: Path
    entries: list[data.Directive]
    errors: list[Any]
    options: dict[str, Any]
    booked: list[data.Directive] = field(default_factory=list)
    #: ``errors[rules[0]:rules[1]]`` are the rules' errors.
    rules: tuple[int, int] = (0, 0)
    #: Whether no transaction needs Beancount's running balances to be booked (each is
    #: then booked by itself: :func:`connect_books.loadsteps.needs_balances`).
    local: bool = False
    #: Each file's text as parsed (the main file first); empty when the gate refused.
    texts: dict[Path, str] = field(default_factory=dict)
    #: The ``include`` names of each file, as written.
    includes: dict[Path, list[str]] = field(default_factory=dict)
    #: Whether the books could be read whole (no fatal gate error, includes agreed).
    whole: bool = False
    #: The day the load judged the books on (future dates, overdue settlements).
    today: datetime.date = field(default_factory=datetime.date.today)
    #: What the files give the settled years (:mod:`connect_books.settledmemo`).
    memo: Memo | None = None

    @property
    def loaded(self) -> Loaded:
        """``(entries, errors, options)``."""
        return self.entries, self.errors, self.options


def load(main: Path, *, overrides: Mapping[Path, str] | None = None) -> Loaded:
    """Entries, errors and options of the books at ``main`` (see the module docstring).

    Args:
      main: the main file.
      overrides: file texts to use instead of the disk's (absolute resolved paths), to
        validate the books as a write would leave them before anything is written.
    """
    return load_books(main, overrides=overrides).loaded


def load_books(main: Path, *, overrides: Mapping[Path, str] | None = None) -> Loading:
    """The load of :func:`load`, with its steps kept (:class:`Loading`).

    Python's cyclic garbage collector is paused for the load: Beancount's directives are
    long-lived tuples, and collecting while they are built frees nothing but costs about
    a sixth of the load.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(main.absolute(), overrides)
    finally:
        if enabled:
            gc.enable()


def stamp(files: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    """What identifies the books' files on disk now: name, modification time, size."""
    from connect_books.books import stamp as books_stamp

    return books_stamp(files)


def _refused(main: Path, checked: gate.Gate, errors: list[Any]) -> Loading:
    options = dict(beancount_options.OPTIONS_DEFAULTS)
    options["filename"] = str(main)
    options["include"] = [str(p) for p in checked.files]
    return Loading(main, [], errors, options)


def _load(main: Path, overrides: Mapping[Path, str] | None) -> Loading:
    today = datetime.date.today()
    with progress.phase("帳簿のファイルを確かめています"):
        checked = gate.inspect(main, overrides)
    errors: list[Any] = list(checked.errors)
    if checked.fatal:
        return _refused(main, checked, errors)
    errors.extend(policy.check_main(main, checked.texts.get(main.resolve(), "")))
    memo = memo_of(main, checked.texts)
    with progress.phase("帳簿を読んでいます"):
        (entries, parse_errors, options), includes = beancompat.parse_texts(
            [(str(path), text) for path, text in checked.texts.items()], memo.look
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
            loading = Loading(main, [], errors, options)
            return loading
    options = policy.enforce(options, main)
    options[STAMP] = tuple(
        (str(path), *checked.stamps[path])
        for path in checked.texts
        if path in checked.stamps
    )
    entries, screened = policy.screen_entries(entries)
    errors.extend(screened)
    errors.extend(translated(error) for error in parse_errors)
    local = memo.all_local  # (each file was looked at as it was parsed)
    with progress.phase("記帳しています"):
        booked, booking_errors = loadsteps.book(entries, options, local=local)
    errors.extend(translated(error) for error in booking_errors)
    with progress.phase("規則を確かめています"):
        options[settledmemo.OPTION] = memo
        try:
            transformed, plugin_errors = loadsteps.run_plugins(
                list(booked), options, rule_functions()
            )
        finally:
            del options[settledmemo.OPTION]
    errors.extend(translated(error) for error in plugin_errors)
    rules = (len(errors) - len(plugin_errors), len(errors))
    with progress.phase("残高と記帳を検証しています"):
        transformed, late_errors = loadsteps.pad_and_balance(transformed, options)
        late_errors.extend(loadsteps.validate(transformed, options))
    errors.extend(translated(error) for error in late_errors)
    return Loading(
        main,
        transformed,
        errors,
        options,
        booked=booked,
        rules=rules,
        local=local,
        texts=dict(checked.texts),
        includes={Path(name): names for name, names in includes.items()},
        whole=True,
        today=today,
        memo=memo,
    )


def memo_of(main: Path, texts: Mapping[Path, str]) -> Memo:
    """The memo of what the books' files (``texts``) give the settled years, with what
    the cache kept for them."""
    from connect_books import cache

    digests = {str(path): settledmemo.digest_text(text) for path, text in texts.items()}
    main_digest = digests.get(str(main.resolve()), "")
    return Memo(main_digest, digests, cache.read_memo(main.resolve(), main_digest))


def rule_functions() -> list[tuple[str, loadsteps.PluginFunction]]:
    """The rules' plugin functions (:data:`connect_books.policy.RULES`), in order."""
    return loadsteps.plugin_functions(policy.RULES)
