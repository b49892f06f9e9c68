"""Fava reads the books the trusted way and imports only the project's extensions.

Fava's ``FavaLedger.load_file`` calls ``load_uncached`` by its name in :mod:`fava.core`,
and its extension module calls ``find_extensions`` by its name in
:mod:`fava.core.extensions`. :func:`install` replaces both, for the whole process:

* the books are loaded by :func:`connect_books.books.load` (a write a crash interrupted is
  finished, the gate checks the files, the rules are the code's: no ``plugin`` the books
  name is ever imported, no pickle cache read);
* an extension is imported only if it is on :data:`connect_books.policy.EXTENSIONS`, and
  without putting the ledger folder on ``sys.path`` (Fava's own lookup puts it first, so a
  ``connect_books/`` or ``flask.py`` placed next to the books would be imported);
* the load is warm when the books are as the project's cache has them, and a cold load
  is cached for the next start (:func:`trusted_load`);
* the ledger ``connect-books serve`` shows has no budget figures
  (:func:`hide_budgets`): Fava prorates the ``custom "budget"`` entries by day over
  calendar years (in the short first 年度 a 160,000円 budget shows as 121,425円, in a
  年度 with 29 February as 160,329円), so its budget columns would mislead; the
  収支計算書 page shows the approved amounts exactly.

Like :mod:`connect_books.beancompat`, this is the one place that knows those private names.
"""

from __future__ import annotations

import datetime
import gc
import importlib
import inspect
from pathlib import Path
from typing import Any

import fava.core
import fava.core.extensions
from beancount.core import data
from fava.core import FavaLedger
from fava.ext import FavaExtensionBase, FavaExtensionError

from connect_books import policy

LoaderResult = tuple[list[data.Directive], list[Any], dict[str, Any]]


def trusted_load(beancount_file_path: str, *, is_encrypted: bool) -> LoaderResult:
    """Fava's ``load_uncached``, done by the trusted load (encryption is not supported).

    As a command does, it reads the project's cache (:mod:`connect_books.cache`) and,
    after a cold load, leaves it to be written by a detached child, so the next start or
    reload of the same books is warm. The garbage collector is paused while the books
    are read, and what they hold is then frozen (:func:`gc.freeze`): the collector would
    otherwise walk the whole books again and again while a page is made, finding nothing
    to free. Before a load the previous freeze is undone, so what the previous load
    left is collected as usual once Fava lets go of it.
    """
    from connect_books import cache, gcpause
    from connect_books.books import load

    gc.unfreeze()
    try:
        with gcpause.paused(), cache.collecting():
            books = load(Path(beancount_file_path))
            found = books.entries, list(books.errors), books.options
    finally:
        cache.flush()
    gcpause.long_lived()
    return found


def _no_budget(
    account: str, begin: datetime.date, end: datetime.date
) -> dict[str, Any]:
    return {}


def hide_budgets(ledger: FavaLedger) -> None:
    """Fava's budget figures for ``ledger`` are none (its pages then show no budget).

    Only this ledger object changes (its budget module's two public calculations), so
    other ledgers in the process, and every load of this one, are as they were.
    """
    setattr(ledger.budgets, "calculate", _no_budget)  # noqa: B010
    setattr(ledger.budgets, "calculate_children", _no_budget)  # noqa: B010


def project_extensions(
    base_path: Path, name: str
) -> tuple[list[type[FavaExtensionBase]], list[FavaExtensionError]]:
    """Fava's ``find_extensions`` for the project's own extensions only.

    Args:
      base_path: the ledger folder (ignored: nothing is imported from it).
      name: the module a ``custom "fava-extension"`` names.
    """
    if name not in policy.EXTENSIONS:
        message = f"Fava 拡張 {name} は使えません (connect-books に付いている拡張だけを読み込みます)。"
        return [], [FavaExtensionError(None, message, None)]
    module = importlib.import_module(name)
    classes = [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, FavaExtensionBase) and obj is not FavaExtensionBase
    ]
    return classes, []


def install() -> None:
    """Make every Fava ledger of this process load and extend the trusted way."""
    setattr(fava.core, "load_uncached", trusted_load)  # noqa: B010
    setattr(fava.core.extensions, "find_extensions", project_extensions)  # noqa: B010
