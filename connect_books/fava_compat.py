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
* Fava's ``custom "budget"`` entries are left out: Fava prorates them by day over calendar
  years (the short first 年度 shows 121,424円 of a 160,000円 budget), so its budget
  columns would mislead; the 収支計算書 page shows the approved amounts exactly.

Like :mod:`connect_books.beancompat`, this is the one place that knows those private names.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import fava.core
import fava.core.extensions
from beancount.core import data
from fava.ext import FavaExtensionBase, FavaExtensionError

from connect_books import policy

#: The ``custom`` type of Fava's budget entries.
FAVA_BUDGET = "budget"

LoaderResult = tuple[list[data.Directive], list[Any], dict[str, Any]]


def shown_to_fava(entries: Sequence[data.Directive]) -> list[data.Directive]:
    """The entries Fava gets: all but Fava's (prorated) ``custom "budget"`` entries."""
    return [
        e for e in entries if not (type(e) is data.Custom and e.type == FAVA_BUDGET)
    ]


def trusted_load(beancount_file_path: str, *, is_encrypted: bool) -> LoaderResult:
    """Fava's ``load_uncached``, done by the trusted load (encryption is not supported)."""
    from connect_books.books import load

    books = load(Path(beancount_file_path))
    return shown_to_fava(books.entries), list(books.errors), books.options


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
